"""The webhook: ``GET`` answers Meta's subscription handshake; ``POST`` verifies, stores raw, answers 200.

Nothing else happens in the request (Meta wants a median under 250 ms and redelivers on anything
but 200): no parsing, no Graph API call, no assistant. The signature is checked over the exact raw
bytes before anything reads them; a missing or malformed header is 401, a wrong one 403, a body over
the cap 413, and no header content can make it a 500. A storage failure answers 503 so Meta
delivers again.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from awn.channels.whatsapp import crypto
from awn.channels.whatsapp.models import Account, Delivery
from awn.channels.whatsapp.signature import SignatureError, header_bytes, verify
from awn.core import clock

log = logging.getLogger("awn.whatsapp")

DEFAULT_MAX_BODY = 4 * 1024 * 1024  # Meta's payloads are at most 3 MB
_CHALLENGE = re.compile(r"\A[0-9A-Za-z_\-]{1,128}\Z")


class _Keys:
    """App secrets and verify tokens of active accounts, decrypted once and kept a few seconds per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self.secrets: list[tuple[bytes, int | None]] = []
        self.tokens: list[bytes] = []

    def load(self) -> _Keys:
        ttl = float(getattr(settings, "AWN_WHATSAPP_KEYS_TTL_SECONDS", 10))
        with self._lock:
            if time.monotonic() - self._loaded_at > ttl:
                secrets: list[tuple[bytes, int | None]] = [
                    (s.encode(), None) for s in getattr(settings, "AWN_WHATSAPP_APP_SECRETS", ()) if s]
                tokens = [t.encode() for t in getattr(settings, "AWN_WHATSAPP_VERIFY_TOKENS", ()) if t]
                for account in Account.objects.filter(active=True):
                    try:
                        secrets += [(s, account.pk) for s in account.app_secrets()]
                        if account.verify_token_enc:
                            tokens.append(account.verify_token().encode())
                    except crypto.SecretUnreadable:
                        log.error("whatsapp: account %s secrets unreadable (AWN_WHATSAPP_SECRET_KEY changed?)", account.pk)
                self.secrets, self.tokens, self._loaded_at = secrets, tokens, time.monotonic()
            return self

    def clear(self) -> None:
        with self._lock:
            self._loaded_at = -1e9


keys = _Keys()


def _handshake(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = header_bytes(request.GET.get("hub.verify_token", "")) or b""
    challenge = request.GET.get("hub.challenge", "")
    matched = False
    for candidate in keys.load().tokens:
        matched |= hmac.compare_digest(candidate, token)
    if mode != "subscribe" or not matched or not _CHALLENGE.match(challenge):
        return HttpResponse("forbidden", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(challenge, content_type="text/plain; charset=utf-8")


def _read_body(request: HttpRequest, cap: int) -> bytes | None:
    """The raw body, or None when it exceeds ``cap`` (read from the stream: Django's 2.5 MB form cap
    does not apply, and nothing beyond cap + 1 bytes is read)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > cap:
        return None
    body = request.read(cap + 1)
    return None if len(body) > cap else body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    body = _read_body(request, int(getattr(settings, "AWN_WHATSAPP_MAX_BODY_BYTES", DEFAULT_MAX_BODY)))
    if body is None:
        return HttpResponse("payload too large", status=413, content_type="text/plain")
    header = request.META.get("HTTP_X_HUB_SIGNATURE_256")
    loaded = keys.load()
    try:
        index = verify(body, header, [secret for secret, _ in loaded.secrets])
    except SignatureError as exc:
        log.info("whatsapp: webhook refused (%s): %s", exc.status, exc.reason)
        return HttpResponse(exc.reason, status=exc.status, content_type="text/plain")
    try:
        Delivery.objects.create(received_at=clock.now(), body=body, signature=str(header)[:80],
                                account_id=loaded.secrets[index][1])
    except DatabaseError:
        log.exception("whatsapp: could not store a signed delivery; Meta will deliver it again")
        return HttpResponse("try again", status=503, content_type="text/plain")
    return HttpResponse("", status=200, content_type="text/plain")
