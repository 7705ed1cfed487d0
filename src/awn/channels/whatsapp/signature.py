"""``X-Hub-Signature-256``: HMAC-SHA256 of the exact raw body with the Meta app secret.

Checked before anything parses the body. The header is handled as bytes end to end:
``hmac.compare_digest`` on ``str`` raises ``TypeError`` for non-ASCII input, which would turn a
forged request into a 500 (pywa 4.5.0 does exactly that).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

_HEADER = re.compile(rb"\Asha256=([0-9a-fA-F]{64})\Z")


class SignatureError(Exception):
    """``status`` is the HTTP answer: 401 when the header is missing or malformed, 403 when it does not match."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def header_bytes(value: str | bytes | None) -> bytes | None:
    """A header as received: WSGI hands headers over as latin-1 ``str``; never raise on odd input."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogateescape")


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | bytes | None, secrets: Sequence[bytes]) -> int:
    """Return the index of the secret that signed ``body``; raise :class:`SignatureError` otherwise.

    Every configured secret is tried (rotation, several Meta apps); all are computed and compared so
    the time taken does not depend on which one matched.
    """
    raw = header_bytes(header)
    if raw is None or not raw.strip():
        raise SignatureError(401, "missing X-Hub-Signature-256")
    match = _HEADER.match(raw.strip())
    if match is None:
        raise SignatureError(401, "malformed X-Hub-Signature-256")
    given = match.group(1).lower()
    found = -1
    for index, secret in enumerate(secrets):
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if hmac.compare_digest(expected, given) and found < 0:
            found = index
    if found < 0:
        raise SignatureError(403, "signature does not match")
    return found
