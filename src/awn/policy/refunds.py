"""Itemised refunds (rule ``refund.partial_reasons``): the checks a breakdown must pass."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

from awn.policy.errors import RefundBreakdownError, RefundBreakdownErrorCode
from awn.policy.vocab import REFUND_LINE_KINDS

Code = RefundBreakdownErrorCode


def decimal_places(amount: Decimal) -> int:
    """Significant decimal places: 1.50 -> 1, 1.005 -> 3, 10 -> 0."""
    _, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    index = len(digits) - 1
    while places and index >= 0 and digits[index] == 0:
        places -= 1
        index -= 1
    return places


def _check_amount(amount: object, what: str, index: int | None) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise RefundBreakdownError(
            Code.INVALID_AMOUNT, f"{what}: expected a finite Decimal, got {amount!r}", index=index
        )
    if decimal_places(amount) > 2:
        raise RefundBreakdownError(
            Code.TOO_MANY_DECIMALS, f"{what}: {amount} has more than 2 decimal places", index=index
        )
    if amount < 0:
        raise RefundBreakdownError(Code.NEGATIVE_AMOUNT, f"{what}: {amount} is negative", index=index)
    return amount


def validate_refund_breakdown(
    lines: Sequence[tuple[str, Decimal]],
    *,
    total: Decimal,
    paid: Decimal,
    allowed_kinds: Collection[str] = REFUND_LINE_KINDS,
) -> None:
    """Check an itemised refund ("refund details"); raise RefundBreakdownError on the first problem.

    ``lines`` are (kind, amount) pairs of what is refunded; kinds come from
    ``REFUND_LINE_KINDS`` (pass ``policy.refund_line_kinds`` to apply a market's list).
    Every amount is a non-negative Decimal with at most 2 decimal places; the lines add up to
    ``total`` exactly, and ``total`` does not exceed what the buyer ``paid``.
    """
    running = Decimal(0)
    for index, line in enumerate(lines):
        kind, amount = line
        if kind not in allowed_kinds:
            raise RefundBreakdownError(
                Code.UNKNOWN_KIND,
                f"lines[{index}]: unknown kind {kind!r} (allowed: {', '.join(allowed_kinds)})",
                index=index,
            )
        running += _check_amount(amount, f"lines[{index}] ({kind})", index)
    _check_amount(total, "total", None)
    _check_amount(paid, "paid", None)
    if running != total:
        raise RefundBreakdownError(
            Code.SUM_MISMATCH, f"the lines add up to {running}, not to the total {total}"
        )
    if total > paid:
        raise RefundBreakdownError(Code.EXCEEDS_PAID, f"total {total} is more than the {paid} paid")
