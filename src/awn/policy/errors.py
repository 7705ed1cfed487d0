"""Errors raised by the buyer-protection policy package."""

from __future__ import annotations

from enum import StrEnum


class PolicyError(ValueError):
    """A policy file or a policy lookup is invalid.

    ``key`` is the dotted key at fault (``"refund.processing_window.max_business_days"``,
    ``"market.weekend"``, or ``"market"`` for an unknown market); ``file`` is the policy file's
    path when the error comes from one. The message always starts with the file name (if any)
    and the key, so it can be shown to an operator as is.
    """

    def __init__(self, message: str, *, key: str, file: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.file = file


class RefundBreakdownErrorCode(StrEnum):
    """Why an itemised refund (rule ``refund.partial_reasons``) was rejected."""

    NEGATIVE_AMOUNT = "negative_amount"  # a line (or the total) is below zero
    UNKNOWN_KIND = "unknown_kind"  # a line kind that is not an allowed refund reason
    TOO_MANY_DECIMALS = "too_many_decimals"  # more than 2 decimal places (minor units)
    INVALID_AMOUNT = "invalid_amount"  # not a finite Decimal (float, NaN, infinity, ...)
    SUM_MISMATCH = "sum_mismatch"  # the lines do not add up to the stated total
    EXCEEDS_PAID = "exceeds_paid"  # more would be refunded than the buyer paid


class RefundBreakdownError(ValueError):
    """An itemised refund breakdown is inconsistent; ``code`` says why."""

    def __init__(self, code: RefundBreakdownErrorCode, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index  # the offending line, when one line is at fault
