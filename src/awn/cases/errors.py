"""Every reason an action can refuse, as a stable code the API, the assistant and the tests share."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    ORDER_NOT_FOUND = "order_not_found"  # unknown, or not this buyer's (never tell which)
    ORDER_ALREADY_SHIPPED = "order_already_shipped"  # order.wrong_address: too late to cancel
    ORDER_NOT_CANCELLABLE = "order_not_cancellable"  # already cancelled, closed or delivered
    ORDER_NOT_MODIFIABLE = "order_not_modifiable"  # order.no_modification
    ORDER_NOT_SHIPPED = "order_not_shipped"  # a non-delivery dispute needs a shipped order
    NOTHING_PAID = "nothing_paid"  # no verified payment to refund
    CASE_ALREADY_OPEN = "case_already_open"  # one open case of a kind per order
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"  # not in transitions.TRANSITIONS
    WRONG_CASE_KIND = "wrong_case_kind"  # e.g. evidence for a refund
    INVALID_REASON = "invalid_reason"  # unknown dispute reason
    EVIDENCE_INVALID = "evidence_invalid"  # a piece of evidence failed validation (see params.field)
    ITEM_NOT_IN_ORDER = "item_not_in_order"  # product number not among the order's items
    REFUND_BREAKDOWN_INVALID = "refund_breakdown_invalid"  # lines negative, unknown, or not summing
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"  # all refunds together would exceed what was paid
    ACTOR_NOT_ALLOWED = "actor_not_allowed"  # this actor may not do this


class ActionError(Exception):
    """An action refused. ``code`` is stable; ``message`` is for logs and operators (English)."""

    def __init__(self, code: ErrorCode, message: str, **params: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "params": self.params}
