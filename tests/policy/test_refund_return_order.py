"""refund.*, return.*, order.* at named instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from awn.policy import (
    MarketPolicy,
    address_change,
    auto_closed_order,
    missing_order_advice,
    order_processing,
    refund_expected_window,
    refund_mismatch,
    refund_status,
    refund_window_for_display,
    return_auto_refund_deadline,
    return_parcel,
)
from tests.policy.helpers import CAIRO, SECOND, cairo, in_tz, riyadh


class TestRefundWindow:
    def test_across_saudi_eid(self, sa: MarketPolicy) -> None:
        assert refund_expected_window(sa, riyadh(2026, 3, 18, 10)) == (
            riyadh(2026, 3, 25, 10),
            riyadh(2026, 4, 7, 10),
        )

    def test_across_egyptian_eid(self, eg: MarketPolicy) -> None:
        # Monday 25 May: Eid al-Adha Tue 26 - Fri 29, Saturday weekend.
        start, end = refund_expected_window(eg, cairo(2026, 5, 25, 9))
        assert start == cairo(2026, 5, 31, 9)
        assert end == cairo(2026, 6, 11, 9)

    def test_display(self, sa: MarketPolicy) -> None:
        approved = riyadh(2026, 3, 18, 10)
        assert refund_window_for_display(sa, approved, "en") == "Wednesday 25 March – Tuesday 7 April"
        assert refund_window_for_display(sa, approved, "ar") == "يوم الأربعاء 25 مارس – يوم الثلاثاء 7 أبريل"


APPROVED = riyadh(2026, 4, 5, 10)  # Sunday
WINDOW_START = riyadh(2026, 4, 6, 10)
WINDOW_END = riyadh(2026, 4, 19, 10)  # the 10th business day


class TestRefundStatus:
    @pytest.mark.parametrize(
        ("now", "state", "escalate"),
        [
            (APPROVED, "processing", False),
            (WINDOW_START - SECOND, "processing", False),
            (WINDOW_START, "within_window", False),
            (WINDOW_END - SECOND, "within_window", False),
            (WINDOW_END, "overdue", True),  # overdue at the end instant, like every other deadline
            (WINDOW_END + SECOND, "overdue", True),
        ],
    )
    def test_both_sides_of_the_window(
        self, sa: MarketPolicy, now: datetime, state: str, escalate: bool
    ) -> None:
        decision = refund_status(sa, approved_at=APPROVED, now=now)
        assert (decision.state, decision.escalate) == (state, escalate)
        assert decision.window == (WINDOW_START, WINDOW_END)
        assert decision.next_at == WINDOW_END

    def test_two_business_days_ago(self, sa: MarketPolicy) -> None:
        with time_machine.travel(riyadh(2026, 4, 7, 12), tick=False):
            decision = refund_status(sa, approved_at=APPROVED, now=datetime.now(UTC))
        assert decision.state == "within_window"
        assert decision.facts["business_days_elapsed"] == 2
        assert "approved on Sunday 5 April, 2 business days ago" in decision.now.en
        assert "قبل يومي عمل" in decision.now.ar
        assert "by Sunday 19 April" in decision.now.en
        assert "بحلول يوم الأحد 19 أبريل" in decision.now.ar
        assert "1 to 10 business days" in decision.reason.en
        assert "من يوم عمل واحد إلى 10 أيام عمل" in decision.reason.ar

    def test_twelve_business_days_ago(self, sa: MarketPolicy) -> None:
        decision = refund_status(sa, approved_at=APPROVED, now=riyadh(2026, 4, 21, 12))
        assert decision.state == "overdue" and decision.escalate
        assert decision.escalation_topic == "refund_late"
        assert decision.facts["business_days_elapsed"] == 12
        assert "قبل 12 يوم عمل" in decision.now.ar

    def test_refunded(self, sa: MarketPolicy) -> None:
        decision = refund_status(
            sa, approved_at=APPROVED, now=riyadh(2026, 4, 21), refunded_at=riyadh(2026, 4, 9)
        )
        assert (decision.state, decision.escalate, decision.next_step) == ("refunded", False, "wait")


class TestRefundMismatch:
    def test_short_refund_offers_a_dispute(self, sa: MarketPolicy) -> None:
        decision = refund_mismatch(sa, expected=Decimal("150.00"), refunded=Decimal("137.50"))
        assert decision.state == "short" and decision.options == ("open_dispute",)
        assert "(SAR 137.50) is SAR 12.50 less than expected (SAR 150.00)" in decision.now.en
        assert (
            "المبلغ المسترد (137.50 ريال سعودي) أقل من المبلغ المتوقع (150.00 ريال سعودي)" in decision.now.ar
        )

    def test_matching_refund(self, sa: MarketPolicy) -> None:
        decision = refund_mismatch(sa, expected=Decimal("150"), refunded=Decimal("150.00"))
        assert decision.state == "matches" and decision.options == ()


SHIPPED_BACK = riyadh(2026, 3, 1, 10)
AUTO_REFUND_AT = riyadh(2026, 3, 18, 10)  # + 17 calendar days


class TestReturnParcel:
    def test_deadline(self, sa: MarketPolicy) -> None:
        assert return_auto_refund_deadline(sa, SHIPPED_BACK) == AUTO_REFUND_AT

    def test_calendar_days_keep_wall_clock_across_dst(self, eg: MarketPolicy) -> None:
        deadline = return_auto_refund_deadline(eg, cairo(2026, 4, 20, 10))
        assert in_tz(deadline, CAIRO).isoformat() == "2026-05-07T10:00:00+03:00"

    @pytest.mark.parametrize(
        ("now", "state"),
        [
            (AUTO_REFUND_AT - SECOND, "in_transit"),
            (AUTO_REFUND_AT, "auto_refund_started"),
            (AUTO_REFUND_AT + SECOND, "auto_refund_started"),
        ],
    )
    def test_both_sides_of_17_days(self, sa: MarketPolicy, now: datetime, state: str) -> None:
        decision = return_parcel(sa, shipped_back_at=SHIPPED_BACK, now=now)
        assert (decision.state, decision.next_step, decision.next_at) == (
            state,
            "auto_refund",
            AUTO_REFUND_AT,
        )
        assert not decision.escalate

    def test_day_5(self, sa: MarketPolicy) -> None:
        decision = return_parcel(sa, shipped_back_at=SHIPPED_BACK, now=SHIPPED_BACK + timedelta(days=5))
        assert decision.facts["days_since_shipped"] == 5
        assert "by Wednesday 18 March at 10:00 (17 days after sending)" in decision.now.en
        assert "بحلول يوم الأربعاء 18 مارس الساعة 10:00 (17 يومًا من الإرسال)" in decision.now.ar
        assert "free return" not in decision.now.en

    def test_day_18_refund_already_started(self, sa: MarketPolicy) -> None:
        decision = return_parcel(sa, shipped_back_at=SHIPPED_BACK, now=SHIPPED_BACK + timedelta(days=18))
        assert decision.window == (riyadh(2026, 3, 25, 10), riyadh(2026, 4, 7, 10))  # Eid 19-24 March skipped
        assert "started processing automatically on Wednesday 18 March" in decision.now.en
        assert "between Wednesday 25 March and Tuesday 7 April" in decision.now.en
        assert "بين يوم الأربعاء 25 مارس ويوم الثلاثاء 7 أبريل" in decision.now.ar

    def test_free_return_mentions_carrier_lag(self, sa: MarketPolicy) -> None:
        decision = return_parcel(
            sa, shipped_back_at=SHIPPED_BACK, now=SHIPPED_BACK + timedelta(days=1), free_return=True
        )
        assert "the carrier may need an extra 1 to 2 days" in decision.now.en
        assert "من يوم واحد إلى يومين" in decision.now.ar
        assert decision.facts["carrier_lag_days"] == [1, 2]

    def test_delivered(self, sa: MarketPolicy) -> None:
        now = SHIPPED_BACK + timedelta(days=20)
        delivered = return_parcel(
            sa, shipped_back_at=SHIPPED_BACK, now=now, delivered_at=SHIPPED_BACK + timedelta(days=6)
        )
        assert delivered.state == "delivered" and delivered.next_step is None
        late = return_parcel(sa, shipped_back_at=SHIPPED_BACK, now=now, delivered_at=AUTO_REFUND_AT)
        assert late.state == "auto_refund_started"


PROCESSING_DEADLINE = cairo(2026, 4, 9, 23, 59)


class TestOrders:
    @pytest.mark.parametrize(
        ("now", "state"),
        [
            (PROCESSING_DEADLINE - SECOND, "awaiting_shipment"),
            (PROCESSING_DEADLINE, "auto_closed"),
            (PROCESSING_DEADLINE + SECOND, "auto_closed"),
        ],
    )
    def test_unshipped_order_closes_at_the_processing_deadline(
        self, eg: MarketPolicy, now: datetime, state: str
    ) -> None:
        decision = order_processing(eg, processing_deadline=PROCESSING_DEADLINE, now=now, shipped=False)
        assert (decision.rule_id, decision.state) == ("order.auto_closed", state)
        assert (decision.next_step, decision.next_at) == ("close_and_refund", PROCESSING_DEADLINE)
        assert (decision.window is not None) is (state == "auto_closed")

    def test_shipped_order(self, eg: MarketPolicy) -> None:
        decision = order_processing(
            eg, processing_deadline=PROCESSING_DEADLINE, now=PROCESSING_DEADLINE, shipped=True
        )
        assert (decision.state, decision.next_step) == ("shipped", None)

    def test_auto_closed_order_says_why(self, eg: MarketPolicy) -> None:
        decision = auto_closed_order(eg, closed_at=cairo(2026, 4, 9, 12), cause="out_of_stock")
        assert "because of the item being out of stock" in decision.now.en
        assert "بسبب نفاد المخزون" in decision.now.ar
        assert decision.window == refund_expected_window(eg, cairo(2026, 4, 9, 12))
        with pytest.raises(ValueError, match="cause"):
            auto_closed_order(eg, closed_at=cairo(2026, 4, 9, 12), cause="bad_luck")

    def test_address_change_before_and_after_shipment(self, sa: MarketPolicy) -> None:
        before = address_change(sa, shipped=False)
        assert (before.state, before.options, before.next_step) == (
            "can_cancel",
            ("cancel_order",),
            "cancel_and_reorder",
        )
        after = address_change(sa, shipped=True)
        assert (after.state, after.options) == ("cannot_cancel", ())
        assert "can no longer be cancelled" in after.now.en

    def test_missing_order_reveals_no_account(self, sa: MarketPolicy) -> None:
        decision = missing_order_advice(sa)
        assert decision.options == ("search_my_orders", "check_other_login", "check_archived")
        assert "@" not in decision.now.en and "@" not in decision.now.ar
        assert "«طلباتي»" in decision.now.ar
