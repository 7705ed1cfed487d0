"""seller.reply_window, seller.silent_options, issue.* at named instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from awn.policy import (
    Decision,
    MarketPolicy,
    issue_review,
    load_policy,
    missing_evidence,
    seller_response_deadline,
    seller_silence,
)
from tests.policy.helpers import SECOND, cairo, riyadh

ASKED = riyadh(2026, 3, 1, 10)  # the buyer's last message, Sunday 10:00 Riyadh
SILENCE_DEADLINE = riyadh(2026, 3, 3, 10)  # + 48 plain hours
PROCESSING_OPEN = riyadh(2026, 3, 10)
PROCESSING_CLOSED = riyadh(2026, 3, 2, 12)


def silence(policy: MarketPolicy, now: datetime, **kwargs: Any) -> Decision:
    """seller_silence for the buyer in Riyadh, unshipped, processing window open, unless overridden."""
    arguments: dict[str, Any] = {
        "last_buyer_message_at": ASKED,
        "last_seller_reply_at": None,
        "now": now,
        "shipped": False,
        "processing_deadline": PROCESSING_OPEN,
    }
    arguments.update(kwargs)
    return seller_silence(policy, **arguments)


class TestSellerSilence:
    @pytest.mark.parametrize(
        ("now", "state", "escalate"),
        [
            (SILENCE_DEADLINE - SECOND, "awaiting_seller", False),
            (SILENCE_DEADLINE, "seller_silent", True),
            (SILENCE_DEADLINE + SECOND, "seller_silent", True),
        ],
    )
    def test_both_sides_of_48_hours(
        self, sa: MarketPolicy, now: datetime, state: str, escalate: bool
    ) -> None:
        decision = seller_silence(
            sa,
            last_buyer_message_at=ASKED,
            last_seller_reply_at=None,
            now=now,
            shipped=False,
            processing_deadline=PROCESSING_OPEN,
        )
        assert (decision.state, decision.escalate, decision.next_at) == (state, escalate, SILENCE_DEADLINE)
        assert decision.rule_id == "seller.reply_window"

    def test_travelled_clock(self, sa: MarketPolicy) -> None:
        with time_machine.travel(SILENCE_DEADLINE, tick=False):
            decision = seller_silence(
                sa,
                last_buyer_message_at=ASKED,
                last_seller_reply_at=riyadh(2026, 2, 28),
                now=datetime.now(UTC),
                shipped=True,
                processing_deadline=None,
            )
        assert decision.escalate and decision.escalation_topic == "seller_silent"

    def test_twelve_hours_unshipped_window_open(self, sa: MarketPolicy) -> None:
        decision = silence(sa, ASKED + timedelta(hours=12))
        assert decision.state == "awaiting_seller" and not decision.escalate
        assert decision.options == ("find_another_seller",)
        assert "for 12 hours" in decision.now.en
        assert "منذ 12 ساعة" in decision.now.ar
        assert "by Tuesday 3 March at 10:00" in decision.now.en

    def test_sixty_hours_unshipped_window_closed(self, sa: MarketPolicy) -> None:
        decision = silence(sa, ASKED + timedelta(hours=60), processing_deadline=PROCESSING_CLOSED)
        assert decision.state == "seller_silent" and decision.escalate
        assert decision.options == ("find_another_seller", "cancel_order")
        assert decision.escalation_reason is not None
        assert decision.escalation_reason.en == (
            "The seller has not replied to the buyer's message for 60 hours; the reply window is 48 hours."
        )

    def test_cancellation_opens_exactly_at_the_processing_deadline(self, sa: MarketPolicy) -> None:
        before = silence(sa, PROCESSING_CLOSED - SECOND, processing_deadline=PROCESSING_CLOSED)
        at = silence(sa, PROCESSING_CLOSED, processing_deadline=PROCESSING_CLOSED)
        assert "cancel_order" not in before.options
        assert "cancel_order" in at.options

    def test_shipped_offers_a_dispute_only(self, sa: MarketPolicy) -> None:
        decision = silence(sa, ASKED + timedelta(hours=60), shipped=True, processing_deadline=None)
        assert decision.options == ("open_dispute",)

    def test_a_reply_after_the_buyers_message_ends_the_silence(self, sa: MarketPolicy) -> None:
        replied = silence(sa, ASKED + timedelta(hours=60), last_seller_reply_at=ASKED + timedelta(hours=5))
        assert (replied.state, replied.escalate, replied.options) == ("seller_replied", False, ())
        older = silence(sa, ASKED + timedelta(hours=60), last_seller_reply_at=ASKED - timedelta(hours=5))
        assert older.state == "seller_silent"
        future = silence(sa, ASKED + timedelta(hours=60), last_seller_reply_at=ASKED + timedelta(hours=61))
        assert future.state == "seller_silent"

    def test_market_may_withdraw_an_option(self, tmp_path: Path) -> None:
        (tmp_path / "SA.toml").write_text('[seller.silent_options]\noptions = ["open_dispute"]\n')
        policy = load_policy("SA", tmp_path)
        decision = silence(policy, ASKED + timedelta(hours=60), processing_deadline=PROCESSING_CLOSED)
        assert decision.options == ()


REPORTED = cairo(2026, 4, 6, 12)  # Monday noon, buyer in Cairo
REVIEW_AT = cairo(2026, 4, 8, 12)


class TestIssueReview:
    def test_deadline_is_48_plain_hours(self, eg: MarketPolicy) -> None:
        assert seller_response_deadline(eg, REPORTED) == REVIEW_AT

    @pytest.mark.parametrize(
        ("now", "state"),
        [
            (REVIEW_AT - SECOND, "awaiting_seller"),
            (REVIEW_AT, "platform_review"),
            (REVIEW_AT + SECOND, "platform_review"),
        ],
    )
    def test_both_sides_of_the_seller_window(self, eg: MarketPolicy, now: datetime, state: str) -> None:
        decision = issue_review(eg, reported_at=REPORTED, now=now)
        assert decision.state == state
        assert decision.next_step == "platform_review"
        assert decision.escalate is (state == "platform_review")

    def test_awaiting_text_states_the_window(self, eg: MarketPolicy) -> None:
        decision = issue_review(eg, reported_at=REPORTED, now=REPORTED + timedelta(hours=1))
        assert decision.rule_id == "issue.seller_response_window"
        assert "The seller has 48 hours to respond, until Wednesday 8 April at 12:00" in decision.now.en
        assert "أمام البائع مهلة 48 ساعة للرد تنتهي يوم الأربعاء 8 أبريل الساعة 12:00" in decision.now.ar

    def test_answer_in_time_lets_the_buyer_decide(self, eg: MarketPolicy) -> None:
        decision = issue_review(
            eg,
            reported_at=REPORTED,
            now=REVIEW_AT + timedelta(hours=5),
            seller_responded_at=REVIEW_AT - SECOND,
        )
        assert decision.state == "seller_responded" and not decision.escalate
        assert decision.options == ("accept_answer", "reject_answer")

    def test_buyer_rejects_the_answer(self, eg: MarketPolicy) -> None:
        now = REPORTED + timedelta(hours=20)
        decision = issue_review(
            eg,
            reported_at=REPORTED,
            now=now,
            seller_responded_at=REPORTED + SECOND,
            buyer_rejected_answer=True,
        )
        assert (decision.rule_id, decision.state, decision.escalate) == (
            "issue.platform_review",
            "platform_review",
            True,
        )
        assert decision.next_at == now
        assert decision.escalation_reason is not None
        assert decision.escalation_reason.en == "The buyer rejected the seller's solution."

    def test_an_answer_at_the_deadline_is_too_late(self, eg: MarketPolicy) -> None:
        decision = issue_review(eg, reported_at=REPORTED, now=REVIEW_AT, seller_responded_at=REVIEW_AT)
        assert decision.state == "platform_review"
        assert decision.facts["seller_responded_late"] is True


class TestEvidence:
    def test_all_missing_in_asking_order(self) -> None:
        assert missing_evidence([]) == ("order_number", "product_number", "photo", "description")

    def test_some_provided(self) -> None:
        assert missing_evidence({"photo", "order_number", "video"}) == ("product_number", "description")
        assert missing_evidence(["order_number", "product_number", "photo", "description"]) == ()

    def test_market_may_require_fewer(self, tmp_path: Path) -> None:
        (tmp_path / "SA.toml").write_text('[issue.required_evidence]\nitems = ["photo", "order_number"]\n')
        assert missing_evidence([], load_policy("SA", tmp_path)) == ("order_number", "photo")
