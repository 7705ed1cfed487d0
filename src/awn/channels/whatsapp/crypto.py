"""Channel secrets at rest (app secret, verify token, access token): encrypt-then-MAC, stdlib only.

The key stream is HMAC-SHA256 used as a PRF in counter mode over a random 128-bit nonce, and the
tag is HMAC-SHA256 over version, nonce and ciphertext (compared in constant time). Keys derive from
``AWN_WHATSAPP_SECRET_KEY`` when set, else from ``SECRET_KEY``: rotating that key makes stored
channel secrets unreadable (they must be entered again), which fails loudly, never silently.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from django.conf import settings

_VERSION = b"v1"
_NONCE = 16
_TAG = 32


class SecretUnreadable(ValueError):
    """A stored secret was written with another key or has been altered."""


def _keys() -> tuple[bytes, bytes]:
    base = (getattr(settings, "AWN_WHATSAPP_SECRET_KEY", "") or settings.SECRET_KEY).encode()
    return (hmac.new(base, b"awn.whatsapp.secrets.enc", hashlib.sha256).digest(),
            hmac.new(base, b"awn.whatsapp.secrets.mac", hashlib.sha256).digest())


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + i.to_bytes(8, "big"), hashlib.sha256).digest() for i in range((length + 31) // 32))
    return b"".join(blocks)[:length]


def encrypt(plaintext: str) -> str:
    """Return an opaque ASCII token for ``plaintext`` ("" stays "": nothing configured)."""
    if not plaintext:
        return ""
    enc, mac = _keys()
    nonce = os.urandom(_NONCE)
    data = plaintext.encode()
    cipher = bytes(a ^ b for a, b in zip(data, _stream(enc, nonce, len(data)), strict=True))
    tag = hmac.new(mac, _VERSION + nonce + cipher, hashlib.sha256).digest()
    return _VERSION.decode() + ":" + base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _, payload = token.partition(":")
    if version.encode() != _VERSION:
        raise SecretUnreadable("unknown secret format")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except (ValueError, TypeError) as exc:
        raise SecretUnreadable("secret is not valid base64") from exc
    if len(raw) < _NONCE + _TAG:
        raise SecretUnreadable("secret is truncated")
    nonce, cipher, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    enc, mac = _keys()
    if not hmac.compare_digest(tag, hmac.new(mac, _VERSION + nonce + cipher, hashlib.sha256).digest()):
        raise SecretUnreadable("secret was encrypted with another key or altered")
    return bytes(a ^ b for a, b in zip(cipher, _stream(enc, nonce, len(cipher)), strict=True)).decode()
