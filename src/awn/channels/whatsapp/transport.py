"""The one HTTP chokepoint to Meta's Graph API (httpx): send, upload media, media info, media download.

Errors are judged here, once, by Meta's ``code`` (never by title), into a :class:`GraphError` kind:

- ``retryable``: rate limits (130429 throughput, 131056 pair rate, 80007, 4), temporary errors
  (1, 2, 131000, 131016), HTTP 5xx, and failures that happen before the request left (connect
  errors and connect/pool timeouts): back off and try again, a bounded number of times;
- ``uncertain``: the request may have reached Meta (read/write timeout, connection dropped while
  waiting): resending blindly could send twice, so the sender waits for a status first;
- ``window``: 131047, the 24-hour window is closed (only a template can go);
- ``auth``: 190 (token expired), 0, 10, HTTP 401: stop the account's sender until a new token;
- ``permanent``: everything else (131026 undeliverable, 132xxx template errors, 131051, 100, …).

The access token only ever goes to the Graph API host configured on the account and, for media
downloads, to Meta's own CDN hosts; it is never logged (httpx logs URLs, not headers).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})
AUTH_CODES = frozenset({0, 10, 190})
WINDOW_CODES = frozenset({131047})
META_MEDIA_HOST_SUFFIXES = (".fbsbx.com", ".facebook.com", ".fbcdn.net", ".whatsapp.net")

_client: httpx.Client | None = None
_lock = threading.Lock()


@dataclass
class GraphError(Exception):
    kind: str  # retryable, uncertain, window, auth, permanent
    message: str
    http_status: int | None = None
    code: int | None = None
    title: str = ""
    details: str = ""
    fbtrace_id: str = ""

    def __str__(self) -> str:
        code = f" {self.code}" if self.code is not None else ""
        return f"{self.kind}{code}: {self.title or self.message}"


def classify(http_status: int | None, code: int | None) -> str:
    if code in WINDOW_CODES:
        return "window"
    if code in AUTH_CODES or (code is None and http_status in (401, 403)):
        return "auth"
    if code in RETRYABLE_CODES or (http_status is not None and http_status >= 500) or http_status == 429:
        return "retryable"
    return "permanent"


def _timeout() -> httpx.Timeout:
    return httpx.Timeout(float(getattr(settings, "AWN_WHATSAPP_HTTP_TIMEOUT", 15.0)),
                         connect=float(getattr(settings, "AWN_WHATSAPP_HTTP_CONNECT_TIMEOUT", 5.0)))


def client() -> httpx.Client:
    """The process-wide client (connection pooling); tests may swap it with :func:`set_client`."""
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False,
                                   headers={"User-Agent": "awn-whatsapp/1"})
        return _client


def set_client(new: httpx.Client | None) -> None:
    global _client
    with _lock:
        old, _client = _client, new
    if old is not None and old is not new:
        old.close()


def _error_from_response(response: httpx.Response) -> GraphError:
    try:
        data = response.json()
    except ValueError:
        data = {}
    error = data.get("error") if isinstance(data, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    details = error.get("error_data", {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
    return GraphError(
        kind=classify(response.status_code, code), message=str(error.get("message") or response.reason_phrase),
        http_status=response.status_code, code=code, title=str(error.get("error_user_title") or error.get("message") or ""),
        details=str(details), fbtrace_id=str(error.get("fbtrace_id") or ""),
    )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _request(method: str, url: str, token: str, *, sending: bool, **kwargs: Any) -> httpx.Response:
    try:
        response = client().request(method, url, headers=_auth(token), timeout=_timeout(), **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise GraphError("retryable", f"{type(exc).__name__}: not sent") from None
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        # The request may have been received: for a send, its fate is unknown.
        raise GraphError("uncertain" if sending else "retryable", f"{type(exc).__name__} after sending") from None
    if response.status_code >= 300:
        raise _error_from_response(response)
    return response


def send_message(graph_url: str, token: str, phone_number_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /{version}/{phone_number_id}/messages; returns Meta's JSON (``messages[0].id`` is the wamid)."""
    response = _request("POST", f"{graph_url}/{phone_number_id}/messages", token, sending=True, json=body)
    try:
        data = response.json()
    except ValueError:
        raise GraphError("uncertain", "2xx without JSON", http_status=response.status_code) from None
    return data if isinstance(data, dict) else {}


def upload_media(graph_url: str, token: str, phone_number_id: str, content: bytes, content_type: str,
                 filename: str) -> str:
    response = _request("POST", f"{graph_url}/{phone_number_id}/media", token, sending=False,
                        data={"messaging_product": "whatsapp", "type": content_type},
                        files={"file": (filename, content, content_type)})
    media_id = str(response.json().get("id", ""))
    if not media_id:
        raise GraphError("permanent", "upload answered without an id", http_status=response.status_code)
    return media_id


def media_info(graph_url: str, token: str, media_id: str, phone_number_id: str = "") -> dict[str, Any]:
    """GET /{version}/{media_id}: ``{url, mime_type, sha256, file_size, id}``; the url lives 5 minutes."""
    params = {"phone_number_id": phone_number_id} if phone_number_id else None
    response = _request("GET", f"{graph_url}/{media_id}", token, sending=False, params=params)
    data = response.json()
    return data if isinstance(data, dict) else {}


def media_host_allowed(url: str, graph_url: str) -> bool:
    """The token may only travel to the configured Graph host or to Meta's CDN over HTTPS."""
    target, graph = urlsplit(url), urlsplit(graph_url)
    if (target.scheme, target.netloc) == (graph.scheme, graph.netloc):
        return True
    suffixes = tuple(getattr(settings, "AWN_WHATSAPP_MEDIA_HOST_SUFFIXES", META_MEDIA_HOST_SUFFIXES))
    host = (target.hostname or "").lower()
    return target.scheme == "https" and any(host.endswith(s) for s in suffixes)


def download(url: str, token: str, graph_url: str, *, max_bytes: int) -> tuple[bytes, str]:
    """GET the media URL with the token, streaming, refusing anything over ``max_bytes``."""
    if not media_host_allowed(url, graph_url):
        raise GraphError("permanent", f"media URL host not allowed: {urlsplit(url).hostname}")
    try:
        with client().stream("GET", url, headers=_auth(token), timeout=_timeout()) as response:
            if response.status_code >= 300:
                response.read()
                error = _error_from_response(response)
                if response.status_code in (403, 404, 410):  # an expired URL: ask for a fresh one
                    error.kind = "retryable"
                raise error
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise GraphError("permanent", f"media larger than {max_bytes} bytes", http_status=response.status_code,
                                 title="too_large")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise GraphError("permanent", f"media larger than {max_bytes} bytes", title="too_large")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "").split(";")[0].strip()
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise GraphError("retryable", f"{type(exc).__name__} while downloading") from None
