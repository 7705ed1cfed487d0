"""Fetching a buyer's photo or document before the conversation sees the message.

Meta: ``GET /{version}/{media_id}`` gives a URL valid for 5 minutes plus ``sha256`` and
``file_size``; the URL is fetched at once, with the same token. Every hash Meta gave (the webhook's is
base64, the media endpoint's hex) must match the bytes; the size is capped before and while
downloading. A failure is retried with backoff (the media id lives 7 days; a fresh URL is asked for
each time); when it keeps failing the message goes on without the file, saying why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F, Q

from awn.channels.whatsapp import transport
from awn.channels.whatsapp.models import InboundMessage, InboundState, media_limit

log = logging.getLogger("awn.whatsapp")

DOWNLOAD_KINDS = ("image", "document")


def download_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "AWN_WHATSAPP_DOWNLOAD_KINDS", DOWNLOAD_KINDS))


def as_hex(digest: str) -> str | None:
    """A sha256 given as hex or base64 → lowercase hex; None when it is neither (unverifiable)."""
    value = digest.strip()
    if len(value) == 64:
        try:
            bytes.fromhex(value)
            return value.lower()
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


class MediaError(Exception):
    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def fetch(row: InboundMessage) -> tuple[bytes, str, str, bool]:
    """Download the media of ``row``: (content, content type, sha256 hex, hash verified)."""
    account = row.number.account
    media = row.content.get("media", {})
    cap = media_limit()
    try:
        token = account.access_token()
        info = transport.media_info(account.graph_url, token, str(media.get("media_id", "")), row.number.phone_number_id)
        declared = str(info.get("file_size", ""))
        if declared.isdigit() and int(declared) > cap:
            raise MediaError(f"too_large: {declared} bytes > {cap}", retryable=False)
        url = str(info.get("url", ""))
        if not url:
            raise MediaError("no_url", retryable=True)
        content, content_type = transport.download(url, token, account.graph_url, max_bytes=cap)
    except transport.GraphError as error:
        raise MediaError(f"{error.code or error.title or error.kind}: {error.message}",
                         retryable=error.kind in ("retryable", "uncertain")) from None
    digest = hashlib.sha256(content).hexdigest()
    expected = {h for h in (as_hex(str(media.get("sha256", ""))), as_hex(str(info.get("sha256", "")))) if h}
    if expected and expected != {digest}:
        raise MediaError("sha256_mismatch", retryable=True)
    return content, content_type or str(info.get("mime_type") or media.get("mime_type") or ""), digest, bool(expected)


def download_due(now: datetime, *, limit: int = 10) -> int:
    """Claim media rows (a lease via conditional UPDATE: no transaction is open while downloading)."""
    lease = timedelta(seconds=float(getattr(settings, "AWN_WHATSAPP_MEDIA_LEASE_SECONDS", 120)))
    max_attempts = int(getattr(settings, "AWN_WHATSAPP_MAX_MEDIA_ATTEMPTS", 5))
    due = Q(state=InboundState.MEDIA, next_attempt_at__lte=now) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    handled = 0
    for pk in list(InboundMessage.objects.filter(due).order_by("id").values_list("pk", flat=True)[:limit]):
        if not InboundMessage.objects.filter(due, pk=pk).update(lease_until=now + lease, attempts=F("attempts") + 1):
            continue  # another worker has it
        row = InboundMessage.objects.select_related("number__account").get(pk=pk)
        handled += 1
        try:
            content, content_type, digest, verified = fetch(row)
        except MediaError as error:
            media = dict(row.content.get("media", {}))
            if error.retryable and row.attempts < max_attempts:
                delay = timedelta(seconds=float(getattr(settings, "AWN_WHATSAPP_MEDIA_RETRY_SECONDS", 5)) * 2 ** (row.attempts - 1))
                InboundMessage.objects.filter(pk=pk, state=InboundState.MEDIA).update(
                    next_attempt_at=now + delay, lease_until=None, error=error.reason[:1000])
                continue
            log.warning("whatsapp: media of %s not fetched: %s", row.wamid, error.reason)
            media["error"] = error.reason[:300]
            InboundMessage.objects.filter(pk=pk, state=InboundState.MEDIA).update(
                state=InboundState.PENDING, next_attempt_at=now, lease_until=None, error=error.reason[:1000],
                content={**row.content, "media": media}, attempts=0)
            continue
        ext = (content_type.split("/")[-1] or "bin").replace("jpeg", "jpg")[:8]
        row.media_file.save(f"{digest}.{ext}", ContentFile(content), save=False)
        media = {**row.content.get("media", {}), "sha256_verified": verified}
        InboundMessage.objects.filter(pk=pk, state=InboundState.MEDIA).update(
            state=InboundState.PENDING, next_attempt_at=now, lease_until=None, media_file=row.media_file.name,
            media_sha256=digest, media_size=len(content), media_content_type=content_type, error="",
            content={**row.content, "media": media}, attempts=0)
    return handled
