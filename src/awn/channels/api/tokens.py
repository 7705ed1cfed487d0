"""Chat tokens: short-lived, signed proof that the marketplace signed a buyer in.

The operator's backend mints one (``POST /api/v1/chat-tokens``) for the buyer its own site has
authenticated and hands it to the web chat or its app; the buyer API accepts it as
``Authorization: Bearer <token>``. A token is Django's ``TimestampSigner`` over the customer's id
with a dedicated salt: no table of tokens, and it cannot be revoked before it expires (hence the
short default life). Most buyer endpoints read the buyer's row to serve the request; sending a
message reads it in the query that locks the conversation. See ``docs/adr/0006-operator-api.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.http import HttpRequest
from ninja.security import HttpBearer

from awn.marketplace.models import Customer

SALT = "awn.chat-token.v1"
DEFAULT_TTL = timedelta(minutes=30)
MAX_TTL = timedelta(hours=12)
MIN_TTL = timedelta(minutes=1)


class TokenRefused(Exception):
    """``code`` is ``invalid_token`` or ``token_expired``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ChatToken:
    token: str
    customer: Customer
    expires_at: datetime


def mint(customer: Customer, *, ttl: timedelta = DEFAULT_TTL) -> ChatToken:
    """A token for ``customer`` that expires after ``ttl`` (1 minute to 12 hours).

    The signer stamps the token with the wall clock, not :func:`awn.core.clock.now`: a rehearsal
    clock shifts what Awn tells buyers, never how long a credential lives.
    """
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise ValueError(f"ttl must be between {MIN_TTL} and {MAX_TTL}")
    # The lifetime travels inside the signed value, so each token can have its own.
    value = {"c": customer.pk, "t": int(ttl.total_seconds())}
    token = signing.TimestampSigner(salt=SALT).sign_object(value, compress=False)
    issued = datetime.fromtimestamp(signing.b62_decode(token.split(":")[-2]), tz=UTC)
    return ChatToken(token=token, customer=customer, expires_at=issued + ttl)


@dataclass(frozen=True)
class TokenHolder:
    """The buyer a verified chat token names, when the endpoint needs only their id (no row read)."""

    pk: int


def verify_holder(token: str) -> TokenHolder:
    """The id of the customer the token was minted for; :class:`TokenRefused` when bad or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign_object(token, max_age=MAX_TTL)
    except signing.SignatureExpired as exc:
        raise TokenRefused("token_expired", "the chat token has expired; ask the marketplace for a new one") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TokenRefused("invalid_token", "the chat token is not valid") from exc
    if not isinstance(value, dict) or not isinstance(value.get("c"), int) or not isinstance(value.get("t"), int):
        raise TokenRefused("invalid_token", "the chat token is not valid")
    try:
        signer.unsign(token, max_age=value["t"])
    except signing.SignatureExpired as exc:
        raise TokenRefused("token_expired", "the chat token has expired; ask the marketplace for a new one") from exc
    return TokenHolder(value["c"])


def verify(token: str) -> Customer:
    """The customer the token was minted for; :class:`TokenRefused` when bad, foreign or expired."""
    customer = Customer.objects.filter(pk=verify_holder(token).pk).first()
    if customer is None:
        raise TokenRefused("invalid_token", "the chat token is not valid")
    return customer


def bearer_token(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class ChatTokenAuth(HttpBearer):
    """``Authorization: Bearer <chat token>``: one signed-in buyer, minted by the operator.

    ``request.auth`` is the :class:`Customer`; with ``load_customer=False`` it is a
    :class:`TokenHolder` (the id only), for an endpoint whose own query reads the buyer's rows
    anyway (sending a message: the query that locks the conversation checks it is theirs)."""

    def __init__(self, *, load_customer: bool = True) -> None:
        super().__init__()
        self.load_customer = load_customer

    def __call__(self, request: HttpRequest) -> Customer | TokenHolder:
        return self.authenticate(request, bearer_token(request))

    def authenticate(self, request: HttpRequest, token: str) -> Customer | TokenHolder:
        if not token:
            raise TokenRefused("invalid_token", "send the chat token as Authorization: Bearer <token>")
        return verify(token) if self.load_customer else verify_holder(token)
