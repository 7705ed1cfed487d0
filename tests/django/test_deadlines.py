"""The deadline worker, at named instants: a second before, at, and a second after each deadline.

The clock is moved with ``time_machine`` and the worker is run as ``awn worker --once`` would run it
(``call_command``), so nothing here passes ``now`` by hand to the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.cases import actions, deadlines
from awn.cases.actions import LineSpec
from awn.cases.models import Case, Escalation
from awn.core.models import Actor, AuditEvent
from awn.marketplace.models import Order, OrderStatus, Payment
from tests.django import factories as f

SECOND = timedelta(seconds=1)
OFFSETS = [(-SECOND, False), (timedelta(0), True), (SECOND, True)]


def run_worker_at(instant: datetime) -> str:
    out = StringIO()
    with time_machine.travel(instant, tick=False):
        call_command("worker", "--once", stdout=out)
    return out.getvalue()


def transitions_to(case: Case, status: str) -> int:
    return AuditEvent.objects.filter(subject_type="case", subject_id=case.pk, action="transition", new_value=status).count()


def complete_dispute(order: Order, at: datetime) -> Case:
    case = actions.open_dispute(order, reason="not_arrived", actor=Actor.BUYER,
                                description="لم يصل الطرد حتى الآن رغم مرور الموعد", now=at)
    assert case.status == "awaiting_seller"
    return case


@pytest.mark.parametrize(("offset", "fires"), OFFSETS)
def test_seller_window_lapses_into_platform_review(riyadh_buyer, shenzhen_seller, now, offset, fires):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=15))
    case = complete_dispute(order, now)
    deadline = now + timedelta(hours=48)
    assert case.deadline_at == deadline
    run_worker_at(deadline + offset)
    case.refresh_from_db()
    assert (case.status == "platform_review") is fires
    assert Escalation.objects.filter(case=case, rule_id="issue.platform_review").count() == int(fires)
    if fires:
        assert case.deadline_at is None
        row = AuditEvent.objects.get(subject_type="case", subject_id=case.pk, new_value="platform_review")
        assert (row.actor, row.rule_id, row.old_value) == ("timer", "issue.platform_review", "awaiting_seller")


@pytest.mark.parametrize(("offset", "fires"), OFFSETS)
def test_return_parcel_unconfirmed_after_17_days_starts_the_refund(cairo_buyer, shenzhen_seller, now, offset, fires):
    order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=30),
                    items=(("P-1", "400.00", 1),))
    case = actions.request_return(order, now=now - timedelta(days=2))
    actions.approve_return(case, now=now - timedelta(days=1))
    actions.ship_return(case, carrier="Test Post", now=now)
    run_worker_at(now + timedelta(days=17) + offset)
    case.refresh_from_db()
    assert (case.status == "auto_refunded") is fires
    refunds = Case.objects.filter(order=order, kind="refund")
    assert refunds.count() == int(fires)
    if fires:
        refund = refunds.get()
        assert refund.amount == Decimal("400.00") and refund.status == "approved" and refund.related_case == case
        assert [(line.kind, line.amount) for line in refund.refund_lines.all()] == [("item", Decimal("400.00"))]


@pytest.mark.parametrize(("offset", "fires"), OFFSETS)
def test_refund_past_its_window_across_eid_al_fitr_is_escalated(riyadh_buyer, shenzhen_seller, offset, fires):
    # Approved Thursday 12 March 2026, 10:00 in Riyadh. Ten business days skip two weekends (Fri–Sat)
    # and the Eid al-Fitr holidays of 19–24 March: the window closes Wednesday 1 April, 10:00 Riyadh.
    approved = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=approved - timedelta(days=9))
    refund = actions.approve_refund(order, lines=[LineSpec("item", Decimal("100.00"))], actor=Actor.SELLER, now=approved)
    window_end = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    assert refund.expected_to == window_end
    assert refund.expected_from == datetime(2026, 3, 15, 7, 0, tzinfo=UTC)  # Sunday: first business day after Thu
    run_worker_at(window_end + offset)
    refund.refresh_from_db()
    assert (refund.status == "overdue") is fires
    assert Escalation.objects.filter(case=refund, rule_id="escalate.when").count() == int(fires)


@pytest.mark.parametrize(("offset", "fires"), OFFSETS)
def test_payment_verification_past_24_business_hours_across_a_weekend(riyadh_buyer, shenzhen_seller, offset, fires):
    # Submitted Thursday 3 December 2026, 16:00 Riyadh. Business hours 09:00–18:00, Friday and Saturday
    # off: 2 h on Thursday + 9 h Sunday + 9 h Monday + 4 h Tuesday = 24 h → Tuesday 8 December, 13:00 Riyadh.
    submitted = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.PENDING_PAYMENT, placed_at=submitted, paid=False)
    payment = actions.submit_payment(order, method="bank_transfer", amount=order.total, submitted_at=submitted)
    deadline = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    assert payment.escalate_at == deadline
    run_worker_at(deadline + offset)
    payment.refresh_from_db()
    escalations = Escalation.objects.filter(payment=payment, rule_id="payment.verification_escalate")
    assert escalations.count() == int(fires)
    assert (payment.escalate_at is None) is fires
    if fires:
        assert escalations.get().priority == 2  # high


def test_payment_escalation_in_uae_differs_because_the_weekend_differs(dubai_buyer, shenzhen_seller):
    # The same Thursday 16:00 local in Dubai (Sat–Sun weekend): 2 h Thu + 9 h Fri + 9 h Mon + 4 h Tue.
    submitted = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    order = f.order(dubai_buyer, shenzhen_seller, status=OrderStatus.PENDING_PAYMENT, placed_at=submitted, paid=False)
    payment = actions.submit_payment(order, method="card", amount=order.total, submitted_at=submitted)
    # 2 and 3 December are the UAE's National Day holidays: Thu 3 Dec is itself a holiday, so the
    # clock starts Friday 4 Dec 09:00 → 9 h Fri + 9 h Mon + 6 h Tue → Tuesday 8 December 15:00 Dubai.
    assert payment.escalate_at == datetime(2026, 12, 8, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(("offset", "fires"), OFFSETS)
def test_order_not_shipped_by_the_processing_deadline_is_closed_and_refunded(cairo_buyer, shenzhen_seller, now, offset, fires):
    deadline = now + timedelta(days=2)
    order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.PROCESSING, placed_at=now - timedelta(days=1),
                    processing_deadline=deadline, items=(("P-1", "250.00", 2),), shipping="30.00")
    run_worker_at(deadline + offset)
    order.refresh_from_db()
    assert (order.status == OrderStatus.CLOSED) is fires
    refunds = Case.objects.filter(order=order, kind="refund")
    assert refunds.count() == int(fires)
    if fires:
        assert order.closed_reason == "seller_delay"
        refund = refunds.get()
        assert refund.amount == Decimal("530.00")
        assert sorted((line.kind, line.amount) for line in refund.refund_lines.all()) == [
            ("item", Decimal("500.00")), ("shipping", Decimal("30.00"))]
        assert order.status_history.last().actor == "timer"


def test_each_deadline_fires_once_however_often_the_worker_runs(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=15))
    case = complete_dispute(order, now)
    for minutes in (0, 1, 60, 60 * 24):
        run_worker_at(now + timedelta(hours=48, minutes=minutes))
    assert transitions_to(case, "platform_review") == 1
    assert Escalation.objects.filter(case=case).count() == 1


def test_a_worker_that_dies_mid_batch_changes_nothing_and_the_next_run_fires_once(
    riyadh_buyer, shenzhen_seller, now, monkeypatch
):
    orders = [f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=15))
              for _ in range(5)]
    cases = [complete_dispute(o, now) for o in orders]

    def die(self: object) -> None:
        raise SystemExit("worker killed mid-batch")

    with monkeypatch.context() as m:
        m.setattr(deadlines._Batch, "flush", die)
        with pytest.raises(SystemExit):
            run_worker_at(now + timedelta(hours=49))
    assert Case.objects.filter(pk__in=[c.pk for c in cases], status="awaiting_seller").count() == 5
    assert not Escalation.objects.exists()

    out = run_worker_at(now + timedelta(hours=49))
    assert "dispute_platform_review=5" in out
    for case in cases:
        assert transitions_to(case, "platform_review") == 1
    assert Escalation.objects.count() == 5


def test_a_policy_change_reschedules_instead_of_firing(riyadh_buyer, shenzhen_seller, now, settings, tmp_path):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=15))
    case = complete_dispute(order, now)
    (tmp_path / "SA.toml").write_text("[issue.seller_response_window]\nhours = 72\n", encoding="utf-8")
    settings.AWN_POLICY_DIR = str(tmp_path)
    from awn.cases.policies import clear_cache

    clear_cache()
    out = run_worker_at(now + timedelta(hours=49))
    case.refresh_from_db()
    assert case.status == "awaiting_seller" and case.deadline_at == now + timedelta(hours=72)
    assert "rescheduled 1" in out


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    due_hours=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=6),
    runs=st.lists(st.integers(min_value=0, max_value=240), min_size=1, max_size=6),
)
def test_property_each_deadline_fires_exactly_once_when_due(riyadh_buyer, shenzhen_seller, now, due_hours, runs):
    """Whatever the deadlines and however the worker runs are spread, a deadline fires once if some
    run happened at or after it, and never otherwise."""
    try:
        with transaction.atomic():
            cases = []
            for hours in due_hours:
                order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=20))
                case = complete_dispute(order, now - timedelta(hours=48) + timedelta(hours=hours))
                cases.append((case, now + timedelta(hours=hours)))
            for hour in sorted(runs):
                deadlines.fire_due(now + timedelta(hours=hour), batch_size=2)
            last = now + timedelta(hours=max(runs))
            for case, due in cases:
                assert transitions_to(case, "platform_review") == int(last >= due)
                assert Escalation.objects.filter(case=case).count() == int(last >= due)
            raise _Rollback
    except _Rollback:
        pass


def test_worker_once_reports_nothing_due(db):
    assert "nothing due" in run_worker_at(datetime(2026, 12, 1, tzinfo=UTC))


def test_worker_rejects_bad_arguments(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--batch-size"):
        call_command("worker", "--once", "--batch-size", "0")
    assert not Payment.objects.exists()
