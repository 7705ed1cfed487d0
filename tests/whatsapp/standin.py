"""A local stand-in for Meta's Graph API, served over real HTTP on 127.0.0.1 (no Meta host is reachable).

It speaks the endpoints Awn uses and answers with Meta's own example responses
(``shared/whatsapp/outbound_examples/resp_*.json``) and Meta's error envelope on demand:

- ``POST /{version}/{phone_number_id}/messages`` → resp_send_message_200 (a fresh wamid each time);
  a read receipt → ``{"success": true}``;
- ``POST /{version}/{phone_number_id}/media`` (multipart) → ``{"id": …}``;
- ``GET /{version}/{media_id}`` → resp_retrieve_media_url_200 with a URL on this server that expires;
- ``GET /lookaside/whatsapp_business/attachments/?mid=…`` → the bytes (Bearer token required).

``fail(route, code)`` queues an error for the next request(s) to a route; ``hang(route, seconds)``
makes the next request(s) wait before answering (after recording them: "Meta got it, the answer was
lost"). Every request is recorded with its headers and JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.whatsapp.paths import OUTBOUND_EXAMPLES

TOKEN = "test-access-token-never-logged"  # noqa: S105

# Meta's error envelope; messages/titles as Meta's error-code reference words them.
ERRORS: dict[int, tuple[int, str, str]] = {
    1: (500, "An unknown error occurred", "Unknown error"),
    2: (503, "Service temporarily unavailable", "Service unavailable"),
    100: (400, "(#100) Invalid parameter", "Invalid parameter"),
    190: (401, "Error validating access token: Session has expired.", "Access token has expired"),
    130429: (400, "(#130429) Rate limit hit", "Rate limit hit"),
    131026: (400, "(#131026) Message undeliverable", "Message undeliverable"),
    131047: (400, "(#131047) Re-engagement message", "Re-engagement message"),
    131056: (400, "(#131056) (Business Account, Consumer Account) pair rate limit hit", "Pair rate limit hit"),
    132001: (404, "(#132001) Template name does not exist in the translation", "Template name does not exist"),
}


def error_body(code: int) -> tuple[int, dict[str, Any]]:
    status, message, title = ERRORS.get(code, (400, f"(#{code}) Error", "Error"))
    return status, {"error": {"message": message, "type": "OAuthException", "code": code, "error_user_title": title,
                              "error_data": {"messaging_product": "whatsapp", "details": title},
                              "fbtrace_id": "AbCdEfStandIn"}}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float
    status: int = 0  # what the stand-in answered (0: no answer yet)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Media:
    content: bytes
    mime_type: str

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def sha256_b64(self) -> str:
        return base64.b64encode(hashlib.sha256(self.content).digest()).decode()


@dataclass
class GraphStandIn:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    url_ttl: float = 300.0  # Meta: "The URL is only valid for 5 minutes"
    _script: dict[str, deque[tuple[str, Any]]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- control -------------------------------------------------------------
    def start(self) -> GraphStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.media.clear()
            self._script.clear()
            self.url_ttl = 300.0

    def fail(self, route: str, code: int, times: int = 1) -> None:
        """route: messages, media_info, download, upload."""
        with self._lock:
            self._script.setdefault(route, deque()).extend([("error", code)] * times)

    def hang(self, route: str, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._script.setdefault(route, deque()).extend([("hang", seconds)] * times)

    def add_media(self, media_id: str, content: bytes, mime_type: str = "image/jpeg") -> Media:
        self.media[media_id] = Media(content, mime_type)
        return self.media[media_id]

    def sent(self, kind: str | None = None, *, attempted: bool = False) -> list[dict[str, Any]]:
        """JSON bodies POSTed to /messages that were accepted (200), or every attempt with ``attempted``;
        read receipts are excluded unless kind="read"."""
        out = []
        for r in list(self.requests):
            if (r.method == "POST" and r.path.endswith("/messages") and isinstance(r.json, dict)
                    and (attempted or r.status == 200)):
                is_read = r.json.get("status") == "read"
                if (kind == "read") == is_read and (kind in (None, "read") or r.json.get("type") == kind):
                    out.append(r.json)
        return out

    def _next(self, route: str) -> tuple[str, Any] | None:
        with self._lock:
            queue = self._script.get(route)
            return queue.popleft() if queue else None

    def new_wamid(self) -> str:
        return "wamid.STANDIN" + base64.b64encode(f"{next(self._ids):012d}".encode()).decode()


def _example(name: str) -> dict[str, Any]:
    return json.loads((Path(OUTBOUND_EXAMPLES) / name).read_text())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    @property
    def standin(self) -> GraphStandIn:
        return self.server.standin  # type: ignore[attr-defined,no-any-return]

    def _reply(self, status: int, body: Any, content_type: str = "application/json") -> None:
        current = getattr(self, "_current", None)
        if current is not None:
            current.status = status
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> Recorded:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        rec = Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body, time.time())
        with self.standin._lock:
            self.standin.requests.append(rec)
        self._current = rec
        return rec

    def _scripted(self, route: str) -> bool:
        """Apply a queued error or delay; True when the reply has been sent."""
        action = self.standin._next(route)
        if action is None:
            return False
        what, arg = action
        if what == "hang":
            time.sleep(arg)
            return False
        status, body = error_body(arg)
        self._reply(status, body)
        return True

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        status, body = error_body(190)
        body["error"]["message"] = "Invalid OAuth access token - Cannot parse access token"
        self._reply(status, body)
        return False

    def do_POST(self) -> None:  # noqa: N802
        rec = self._record()
        if not self._authorised():
            return
        if re.fullmatch(r"/v[\d.]+/[^/]+/messages", rec.path):
            if self._scripted("messages"):
                return
            body = rec.json or {}
            if body.get("status") == "read":
                self._reply(200, {"success": True})
                return
            response = _example("resp_send_message_200.json")
            to = str(body.get("to") or body.get("recipient") or "")
            response["contacts"] = [{"input": to, "wa_id": to.lstrip("+")}]
            response["messages"] = [{"id": self.standin.new_wamid()}]
            self._reply(200, response)
        elif re.fullmatch(r"/v[\d.]+/[^/]+/media", rec.path):
            if self._scripted("upload"):
                return
            media_id = f"9{next(self.standin._ids):014d}"
            form = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + rec.body)
            for part in form.iter_parts():
                if part.get_param("name", header="content-disposition") == "file":
                    self.standin.media[media_id] = Media(part.get_payload(decode=True), part.get_content_type())
            self._reply(200, {"id": media_id})
        else:
            self._reply(404, error_body(100)[1])

    def do_GET(self) -> None:  # noqa: N802
        rec = self._record()
        if not self._authorised():
            return
        if rec.path.startswith("/lookaside/"):
            if self._scripted("download"):
                return
            mid = rec.query.get("mid", [""])[0]
            exp = float(rec.query.get("exp", ["0"])[0])
            media = self.standin.media.get(mid)
            if media is None or time.time() > exp:
                self._reply(404, b"URL signature expired", "text/plain")
                return
            self._reply(200, media.content, media.mime_type)
            return
        match = re.fullmatch(r"/v[\d.]+/(\d+)", rec.path)
        if match:
            if self._scripted("media_info"):
                return
            media = self.standin.media.get(match.group(1))
            if media is None:
                self._reply(400, error_body(100)[1])
                return
            info = _example("resp_retrieve_media_url_200.json")
            expires = time.time() + self.standin.url_ttl
            info.update(id=match.group(1), mime_type=media.mime_type, sha256=media.sha256_hex,
                        file_size=str(len(media.content)),
                        url=f"{self.standin.url}/lookaside/whatsapp_business/attachments/?mid={match.group(1)}&exp={expires}")
            self._reply(200, info)
            return
        self._reply(404, error_body(100)[1])
