"""The NinjaAPI instance: versioned routers, authentication, and every error in one JSON shape.

``/api/v1/...`` is the operator's API (API keys) and ``/api/v1/buyer/...`` the buyer's (chat
tokens); the OpenAPI schema is at ``/api/openapi.json`` and the interactive docs at ``/api/docs``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from awn.cases.errors import ActionError
from awn.channels.api.errors import ACTION_STATUS, MESSAGE_STATUS, ApiError, BodyError
from awn.channels.api.keys import KeyRefused, authenticate_key
from awn.channels.api.models import ApiKey
from awn.channels.api.tokens import ChatTokenAuth, TokenRefused, bearer_token
from awn.helpdesk.services import MessageRejected
from awn.marketplace.access import OrderAccessError

log = logging.getLogger("awn.api")

JSON_BODY_LIMIT = 1024 * 1024  # bytes: the largest order with its items is far below this
MULTIPART_BODY_LIMIT = 10 * 1024 * 1024 + 256 * 1024  # a 10 MB photo and its form fields


# --------------------------------------------------------------------------- parsing


def _check_strings(value: Any, path: str = "") -> None:
    """PostgreSQL stores neither lone surrogates (``"\\ud800"`` is valid JSON) nor NUL characters:
    refuse them at the door rather than fail half-way with a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BodyError("invalid_characters", f"{path or 'a string'} contains a NUL character", field=path)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BodyError("invalid_utf8", f"{path or 'a string'} contains a lone surrogate", field=path) from exc
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k, path)
            _check_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_strings(v, f"{path}.{i}" if path else str(i))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class StrictJsonParser(Parser):
    """JSON bodies must be UTF-8 JSON: no NaN/Infinity, no lone surrogates, no NUL characters."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyError("invalid_utf8", f"the body is not UTF-8 (byte {exc.start})", position=exc.start) from exc
        try:
            data = json.loads(text, parse_constant=_no_constants)
        except json.JSONDecodeError as exc:
            raise BodyError("malformed_json", f"line {exc.lineno}, column {exc.colno}: {exc.msg}",
                            line=exc.lineno, column=exc.colno) from exc
        except ValueError as exc:
            raise BodyError("malformed_json", str(exc)) from exc
        _check_strings(data)
        return data


class Utf8JsonRenderer(JSONRenderer):
    """Arabic stays readable in responses (UTF-8, not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


# --------------------------------------------------------------------------- authentication


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer awn_<prefix>_<secret>``: the operator's systems."""

    def __call__(self, request: HttpRequest) -> ApiKey:
        return self.authenticate(request, bearer_token(request))

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        return authenticate_key(token)




# --------------------------------------------------------------------------- the API and its errors

api = NinjaAPI(
    title="Awn API",
    version="1",
    description=(
        "The operator's API (API keys: records, events, chat tokens, conversations, handoffs, cases) and the "
        "buyer's API (chat tokens: conversations and messages). Every error is "
        '`{"code", "message", "details"}`; see docs/api.md.'
    ),
    parser=StrictJsonParser(),
    renderer=Utf8JsonRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="awn-api",
)


def error(request: HttpRequest, status: int, code: str, message: str, **details: Any) -> HttpResponse:
    response = api.create_response(request, {"code": code, "message": message, "details": details}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="awn"'
    return response


def _limit_body(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body from its Content-Length, before reading it or authenticating."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = MULTIPART_BODY_LIMIT if request.content_type == "multipart/form-data" else JSON_BODY_LIMIT
        if length > limit:
            return error(request, 413, "payload_too_large", f"the body is larger than {limit} bytes", max=limit)
        return run(request, *args, **kwargs)

    return wrapper


api.add_decorator(_limit_body, mode="view")


def _fields(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = list(e.get("loc", ()))
        source = str(loc.pop(0)) if loc else ""
        if source in ("body", "form", "file") and loc and loc[0] == "body":
            loc.pop(0)
        out.append({"field": ".".join(str(p) for p in loc), "location": source, "type": e.get("type", ""),
                    "message": e.get("msg", "")})
    return out


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = _fields(exc.errors)
    where = ", ".join(f["field"] or f["location"] for f in fields[:5])
    return error(request, 422, "validation_error", f"invalid input: {where}", fields=fields)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, **exc.details)


@api.exception_handler(BodyError)
def _body_error(request: HttpRequest, exc: BodyError) -> HttpResponse:
    return error(request, 400, exc.code, exc.message, **exc.details)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyError):  # ninja wraps every parser failure in HttpError(400)
        return _body_error(request, cause)
    if isinstance(exc, AuthenticationError):
        return error(request, 401, "unauthenticated", "authentication required")
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(KeyRefused)
def _key_refused(request: HttpRequest, exc: KeyRefused) -> HttpResponse:
    return error(request, 401, exc.code, exc.message)


@api.exception_handler(TokenRefused)
def _token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    return error(request, 401, exc.code, exc.message)


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    params = {k: v if isinstance(v, (str, int, float, bool, list, type(None))) else str(v) for k, v in exc.params.items()}
    return error(request, ACTION_STATUS.get(exc.code, 409), str(exc.code), exc.message, **params)


@api.exception_handler(MessageRejected)
def _message_rejected(request: HttpRequest, exc: MessageRejected) -> HttpResponse:
    return error(request, MESSAGE_STATUS.get(exc.code, 422), exc.code, str(exc), **exc.params)


@api.exception_handler(OrderAccessError)
def _order_access(request: HttpRequest, exc: OrderAccessError) -> HttpResponse:
    # Unknown and someone else's look the same (awn.marketplace.access).
    return error(request, 404, "order_not_found", "no such order")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error(request, 413, "payload_too_large", "the body is too large")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "not found")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled error in %s %s", request.method, request.path)
    if settings.DEBUG and getattr(settings, "AWN_API_RAISE", False):
        raise exc
    return error(request, 500, "internal_error", "something went wrong on our side; it has been logged")


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown URLs under /api/ answer in the API's error shape, not Django's HTML page."""
    return error(request, 404, "not_found", f"no endpoint {request.path}")


from awn.channels.api import buyer, operator  # noqa: E402  (routers register on the api above)

api.add_router("/v1/buyer", buyer.router, auth=ChatTokenAuth(), tags=["buyer"])
api.add_router("/v1", operator.router, auth=ApiKeyAuth(), tags=["operator"])
