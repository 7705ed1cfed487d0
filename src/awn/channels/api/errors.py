"""One error shape for the whole API: ``{"code", "message", "details"}``.

``code`` is stable and documented (``docs/api.md``); ``message`` is English for the developer
reading logs; ``details`` is an object (field paths for validation errors, the action's parameters
for refusals). Every refusal the domain can produce maps to exactly one HTTP status here.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from awn.cases.errors import ErrorCode

# How each refusal of an action (awn.cases.errors.ErrorCode) reads over HTTP: 404 for what a caller
# may not learn about, 409 for "the record is not in a state that allows this", 422 for "this input
# can never work".
ACTION_STATUS: dict[str, int] = {
    ErrorCode.ORDER_NOT_FOUND: 404,
    ErrorCode.ORDER_ALREADY_SHIPPED: 409,
    ErrorCode.ORDER_NOT_CANCELLABLE: 409,
    ErrorCode.ORDER_NOT_MODIFIABLE: 409,
    ErrorCode.ORDER_NOT_SHIPPED: 409,
    ErrorCode.NOTHING_PAID: 409,
    ErrorCode.CASE_ALREADY_OPEN: 409,
    ErrorCode.TRANSITION_NOT_ALLOWED: 409,
    ErrorCode.WRONG_CASE_KIND: 422,
    ErrorCode.INVALID_REASON: 422,
    ErrorCode.EVIDENCE_INVALID: 422,
    ErrorCode.ITEM_NOT_IN_ORDER: 422,
    ErrorCode.REFUND_BREAKDOWN_INVALID: 422,
    ErrorCode.REFUND_EXCEEDS_PAID: 409,
    ErrorCode.ACTOR_NOT_ALLOWED: 403,
}

# awn.helpdesk.services.MessageRejected codes.
MESSAGE_STATUS: dict[str, int] = {
    "empty_message": 422,
    "text_too_long": 422,
    "invalid_choice": 422,
    "invalid_language": 422,
    "conversation_closed": 409,
}


class ApiError(Exception):
    """Raised by views and the API's service code; rendered as the one error shape."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class BodyError(ValueError):
    """The request body cannot be read at all (not UTF-8, not JSON): 400 with ``code``."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


def not_found(what: str, **details: Any) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"no such {what.replace('_', ' ')}", **details)
