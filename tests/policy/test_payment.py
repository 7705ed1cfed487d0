"""payment.verification_sla / payment.verification_escalate at named instants (buyer in Riyadh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from awn.policy import MarketPolicy, load_policy, payment_escalation_deadline, payment_verification
from tests.policy.helpers import SECOND, cairo, riyadh

SUBMITTED = riyadh(2026, 3, 8, 10)  # Sunday 10:00, a business day
TYPICAL_BY = riyadh(2026, 3, 8, 13)  # + 3 plain hours
DEADLINE = riyadh(2026, 3, 10, 16)  # + 24 business hours: 8 h Sun, 9 h Mon, 7 h Tue


def test_deadline(sa: MarketPolicy) -> None:
    assert payment_escalation_deadline(sa, SUBMITTED) == DEADLINE


@pytest.mark.parametrize(
    ("now", "state", "escalate"),
    [
        (SUBMITTED, "within_typical", False),
        (TYPICAL_BY - SECOND, "within_typical", False),
        (TYPICAL_BY, "within_sla", False),
        (TYPICAL_BY + SECOND, "within_sla", False),
        (DEADLINE - SECOND, "within_sla", False),
        (DEADLINE, "overdue", True),
        (DEADLINE + SECOND, "overdue", True),
    ],
)
def test_both_sides_of_each_deadline(sa: MarketPolicy, now: datetime, state: str, escalate: bool) -> None:
    decision = payment_verification(sa, submitted_at=SUBMITTED, now=now)
    assert (decision.state, decision.escalate) == (state, escalate)
    assert decision.next_step == "escalate"
    assert decision.next_at == DEADLINE


def test_the_clock_is_never_read(sa: MarketPolicy) -> None:
    with time_machine.travel(DEADLINE - SECOND, tick=False):
        assert payment_verification(sa, submitted_at=SUBMITTED, now=datetime.now(UTC)).state == "within_sla"
    with time_machine.travel(DEADLINE, tick=False):
        assert payment_verification(sa, submitted_at=SUBMITTED, now=datetime.now(UTC)).state == "overdue"
    # Years later, an explicit `now` still gives the answer of that instant.
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        assert (
            payment_verification(sa, submitted_at=SUBMITTED, now=TYPICAL_BY - SECOND).state
            == "within_typical"
        )


def test_scenario_one_hour(sa: MarketPolicy) -> None:
    decision = payment_verification(sa, submitted_at=SUBMITTED, now=SUBMITTED + timedelta(hours=1))
    assert decision.rule_id == "payment.verification_sla"
    assert decision.now.en.startswith("Your payment has been under verification for 1 hour.")
    assert "منذ ساعة واحدة" in decision.now.ar
    assert "بحلول يوم الأحد 8 مارس الساعة 13:00" in decision.now.ar
    assert "by Sunday 8 March at 13:00" in decision.now.en
    assert (
        "95%" in decision.reason.en
        and "3 hours" in decision.reason.en
        and "24 business hours" in decision.reason.en
    )


def test_scenario_ten_hours(sa: MarketPolicy) -> None:
    decision = payment_verification(sa, submitted_at=SUBMITTED, now=SUBMITTED + timedelta(hours=10))
    assert decision.state == "within_sla"
    assert "for 10 hours (8 of them within business hours), which is longer than usual" in decision.now.en
    assert "منذ 10 ساعات، منها 8 ساعات ضمن ساعات العمل، وهذا أطول من المعتاد" in decision.now.ar
    assert "by Tuesday 10 March at 16:00" in decision.now.en
    assert "بحلول يوم الثلاثاء 10 مارس الساعة 16:00" in decision.now.ar
    assert decision.facts["elapsed_business_hours"] == 8.0


def test_scenario_ten_hours_overnight(sa: MarketPolicy) -> None:
    submitted = riyadh(2026, 3, 8, 16)  # Sunday 16:00; ten hours later is Monday 02:00
    decision = payment_verification(sa, submitted_at=submitted, now=submitted + timedelta(hours=10))
    assert "منذ 10 ساعات، منها ساعتان ضمن ساعات العمل" in decision.now.ar
    assert "for 10 hours (2 of them within business hours)" in decision.now.en


def test_scenario_thirty_business_hours(sa: MarketPolicy) -> None:
    now = riyadh(2026, 3, 11, 13)  # 8 + 9 + 9 + 4 = 30 business hours
    decision = payment_verification(sa, submitted_at=SUBMITTED, now=now)
    assert decision.rule_id == "payment.verification_escalate"
    assert decision.state == "overdue"
    assert decision.escalate and decision.escalation_topic == "payment_verification_overdue"
    assert decision.facts["elapsed_business_hours"] == 30.0
    assert "30 business hours" in decision.now.en
    assert "منذ 30 ساعة عمل" in decision.now.ar
    assert decision.escalation_reason is not None
    assert decision.escalation_reason.en == "Payment verification has taken longer than 24 business hours."


def test_across_the_saudi_weekend(sa: MarketPolicy) -> None:
    submitted = riyadh(2026, 3, 12, 16)  # Thursday
    deadline = riyadh(2026, 3, 17, 13)  # Tuesday
    saturday_night = riyadh(2026, 3, 14, 23)  # 55 plain hours, 2 business hours
    decision = payment_verification(sa, submitted_at=submitted, now=saturday_night)
    assert decision.state == "within_sla" and not decision.escalate
    assert decision.facts["elapsed_business_hours"] == 2.0
    assert payment_verification(sa, submitted_at=submitted, now=deadline - SECOND).state == "within_sla"
    assert payment_verification(sa, submitted_at=submitted, now=deadline).state == "overdue"


def test_across_saudi_eid(sa: MarketPolicy) -> None:
    submitted = riyadh(2026, 3, 18, 15)
    deadline = riyadh(2026, 3, 29, 12)
    assert payment_escalation_deadline(sa, submitted) == deadline
    assert payment_verification(sa, submitted_at=submitted, now=riyadh(2026, 3, 24, 18)).state == "within_sla"
    assert payment_verification(sa, submitted_at=submitted, now=deadline).state == "overdue"


def test_across_egyptian_eid(eg: MarketPolicy) -> None:
    submitted = cairo(2026, 5, 25, 14)
    deadline = cairo(2026, 6, 2, 11)
    assert payment_escalation_deadline(eg, submitted) == deadline
    assert payment_verification(eg, submitted_at=submitted, now=deadline - SECOND).state == "within_sla"
    assert payment_verification(eg, submitted_at=submitted, now=deadline).escalate


def test_same_instant_uae_vs_saudi(sa: MarketPolicy, ae: MarketPolicy) -> None:
    submitted = riyadh(2026, 3, 13, 10)  # Friday: weekend in Riyadh, a working day in Dubai
    now = riyadh(2026, 3, 17, 15)  # Saudi deadline; the UAE one is an hour later
    assert payment_verification(sa, submitted_at=submitted, now=now).escalate
    assert not payment_verification(ae, submitted_at=submitted, now=now).escalate
    assert payment_verification(ae, submitted_at=submitted, now=now + timedelta(hours=1)).escalate


def test_verified_and_failed(sa: MarketPolicy) -> None:
    verified = payment_verification(sa, submitted_at=SUBMITTED, now=DEADLINE, verified_at=DEADLINE - SECOND)
    assert (verified.state, verified.escalate, verified.next_step) == ("verified", False, None)
    assert "Sunday" not in verified.now.en and "Tuesday 10 March at 15:59" in verified.now.en
    # A verification stamped after `now` has not happened yet at `now`.
    later = payment_verification(sa, submitted_at=SUBMITTED, now=DEADLINE, verified_at=DEADLINE + SECOND)
    assert later.state == "overdue"
    failed = payment_verification(sa, submitted_at=SUBMITTED, now=DEADLINE, failed=True)
    assert (failed.state, failed.escalate) == ("failed", False)


def test_escalation_can_be_switched_off_per_market(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "SA.toml").write_text('[escalate.when]\ntopics = ["seller_silent"]\n')
    policy = load_policy("SA", tmp_path)
    decision = payment_verification(policy, submitted_at=SUBMITTED, now=DEADLINE)
    assert decision.state == "overdue" and not decision.escalate and decision.escalation_reason is None


def test_naive_now_is_refused(sa: MarketPolicy) -> None:
    with pytest.raises(ValueError, match="now"):
        payment_verification(sa, submitted_at=SUBMITTED, now=datetime(2026, 3, 8, 12))  # noqa: DTZ001


def test_facts_are_json_ready(sa: MarketPolicy) -> None:
    import json

    decision = payment_verification(sa, submitted_at=SUBMITTED, now=DEADLINE)
    assert json.loads(json.dumps(decision.as_dict()))["facts"]["deadline"] == DEADLINE.isoformat()
