"""refund.partial_reasons: which itemised refunds are consistent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awn.policy import (
    REFUND_LINE_KINDS,
    RefundBreakdownError,
    RefundBreakdownErrorCode,
    validate_refund_breakdown,
)

Code = RefundBreakdownErrorCode


def test_a_valid_partial_refund() -> None:
    lines = [("item", Decimal("120.00")), ("shipping", Decimal("15")), ("customs", Decimal("0.50"))]
    validate_refund_breakdown(lines, total=Decimal("135.50"), paid=Decimal("150.00"))


def test_empty_refund_of_zero() -> None:
    validate_refund_breakdown([], total=Decimal("0"), paid=Decimal("10"))


@pytest.mark.parametrize(
    ("lines", "total", "paid", "code", "index"),
    [
        ([("item", Decimal("-1"))], Decimal("-1"), Decimal("10"), Code.NEGATIVE_AMOUNT, 0),
        ([("item", Decimal("1")), ("tip", Decimal("1"))], Decimal("2"), Decimal("10"), Code.UNKNOWN_KIND, 1),
        ([("item", Decimal("5"))], Decimal("6"), Decimal("10"), Code.SUM_MISMATCH, None),
        ([("item", Decimal("11"))], Decimal("11"), Decimal("10"), Code.EXCEEDS_PAID, None),
        ([("item", Decimal("1.005"))], Decimal("1.005"), Decimal("10"), Code.TOO_MANY_DECIMALS, 0),
        ([("item", Decimal("1"))], Decimal("1"), Decimal("10.001"), Code.TOO_MANY_DECIMALS, None),
        ([("item", 1.5)], Decimal("1.5"), Decimal("10"), Code.INVALID_AMOUNT, 0),
        ([("item", Decimal("NaN"))], Decimal("1"), Decimal("10"), Code.INVALID_AMOUNT, 0),
        ([("item", Decimal("1"))], Decimal("-1"), Decimal("10"), Code.NEGATIVE_AMOUNT, None),
    ],
)
def test_rejections(
    lines: list[tuple[str, Decimal]],
    total: Decimal,
    paid: Decimal,
    code: RefundBreakdownErrorCode,
    index: int | None,
) -> None:
    with pytest.raises(RefundBreakdownError) as caught:
        validate_refund_breakdown(lines, total=total, paid=paid)
    assert (caught.value.code, caught.value.index) == (code, index)
    assert str(caught.value) == caught.value.message


def test_trailing_zeros_are_not_extra_decimals() -> None:
    validate_refund_breakdown([("item", Decimal("1.500"))], total=Decimal("1.5"), paid=Decimal("1.50"))


def test_a_market_may_allow_fewer_kinds() -> None:
    with pytest.raises(RefundBreakdownError) as caught:
        validate_refund_breakdown(
            [("customs", Decimal("1"))], total=Decimal("1"), paid=Decimal("1"), allowed_kinds=("item",)
        )
    assert caught.value.code is Code.UNKNOWN_KIND


cents = st.integers(min_value=0, max_value=10**9)


def money(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(st.sampled_from(REFUND_LINE_KINDS), cents), max_size=8),
    total_delta=st.integers(min_value=-3, max_value=3),
    paid_delta=st.integers(min_value=-300, max_value=300),
)
def test_accepts_exactly_the_breakdowns_that_add_up_within_what_was_paid(
    lines: list[tuple[str, int]], total_delta: int, paid_delta: int
) -> None:
    line_sum = sum(amount for _, amount in lines)
    total = max(line_sum + total_delta, 0)
    paid = max(total + paid_delta, 0)
    breakdown = [(kind, money(amount)) for kind, amount in lines]
    consistent = total == line_sum and total <= paid
    try:
        validate_refund_breakdown(breakdown, total=money(total), paid=money(paid))
    except RefundBreakdownError as error:
        assert not consistent
        assert error.code in (Code.SUM_MISMATCH, Code.EXCEEDS_PAID)
    else:
        assert consistent
