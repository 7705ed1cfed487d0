"""Operator API keys: ``awn_<prefix>_<secret>``, shown once, stored as a SHA-256 hash.

The prefix (8 hex characters) finds the row; the hash of the whole key is compared in constant time.
A revoked key is refused with its own code so an operator knows to rotate rather than to debug.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from awn.channels.api.models import ApiKey
from awn.core import clock

KEY_RE = re.compile(r"^awn_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used_at at most this often per key


class KeyRefused(Exception):
    """``code`` is ``invalid_api_key`` (unknown or malformed) or ``api_key_revoked``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str  # show once; never stored


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_key(name: str, *, now: datetime | None = None) -> NewKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a key needs a name of 1 to 100 characters")
    at = now or clock.now()
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"awn_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, prefix=prefix, hashed_secret=hash_key(plaintext), created_at=at)
    return NewKey(key=key, plaintext=plaintext)


def authenticate_key(plaintext: str, *, now: datetime | None = None) -> ApiKey:
    """The active key for ``plaintext``, or :class:`KeyRefused`."""
    match = KEY_RE.match(plaintext or "")
    if match is None:
        raise KeyRefused("invalid_api_key", "the API key is missing or malformed")
    key = ApiKey.objects.filter(prefix=match.group(1)).first()
    if key is None or not hmac.compare_digest(key.hashed_secret, hash_key(plaintext)):
        raise KeyRefused("invalid_api_key", "the API key is not valid")
    if key.revoked_at is not None:
        raise KeyRefused("api_key_revoked", "this API key was revoked; create a new one")
    at = now or clock.now()
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: concurrent requests write it once, and reads never wait on it.
        ApiKey.objects.filter(pk=key.pk, last_used_at=key.last_used_at).update(last_used_at=at)
        key.last_used_at = at
    return key


def revoke_key(prefix: str, *, now: datetime | None = None) -> ApiKey:
    key = ApiKey.objects.get(prefix=prefix)
    if key.revoked_at is None:
        key.revoked_at = now or clock.now()
        key.save(update_fields=["revoked_at"])
    return key
