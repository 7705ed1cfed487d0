"""The transition table: only listed moves happen, whatever sequence of actions is attempted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.cases import actions
from awn.cases.actions import LineSpec
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import Case
from awn.cases.transitions import (
    TRANSITIONS,
    Kind,
    Status,
    TransitionNotAllowed,
    can_transition,
    check,
    is_terminal,
)
from awn.core.models import Actor, AuditEvent
from awn.marketplace.models import OrderStatus
from tests.django import factories as f


def test_every_status_in_the_table_is_reachable_from_where_its_kind_starts():
    for kind, table in TRANSITIONS.items():
        start = next(iter(table))
        seen, todo = {start}, [start]
        while todo:
            for nxt in table[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen == set(table), kind
        assert all(target in table for targets in table.values() for target in targets), kind


@given(st.sampled_from(list(Kind)), st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_check_agrees_with_the_table(kind, old, new):
    allowed = old in TRANSITIONS[kind] and new in TRANSITIONS[kind][old]
    assert can_transition(kind, old, new) is allowed
    if allowed:
        check(kind, old, new)
    else:
        with pytest.raises(TransitionNotAllowed):
            check(kind, old, new)


def test_terminal_statuses_have_no_way_out():
    assert is_terminal("refund", "completed") and not is_terminal("refund", "approved")
    assert not can_transition("dispute", "resolved", "platform_review")
    assert not can_transition("nonsense", "resolved", "platform_review")


class _Rollback(Exception):
    pass


DISPUTE_STEPS = ["evidence", "seller_respond", "reject", "review", "resolve_buyer", "resolve_seller", "withdraw"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(DISPUTE_STEPS), min_size=1, max_size=8))
def test_property_any_sequence_of_dispute_actions_only_makes_allowed_moves(riyadh_buyer, shenzhen_seller, now, steps):
    try:
        with transaction.atomic():
            order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=9))
            case = actions.open_dispute(order, reason="damaged", actor=Actor.BUYER, now=now)
            calls = {
                "evidence": lambda c: actions.submit_evidence(c, kind="description", value="الشاشة مكسورة تمامًا",
                                                              actor=Actor.BUYER, now=now),
                "seller_respond": lambda c: actions.seller_respond(c, answer="sorry", now=now),
                "reject": lambda c: actions.reject_seller_answer(c, now=now),
                "review": lambda c: actions.request_platform_review(c, now=now),
                "resolve_buyer": lambda c: actions.resolve_dispute(c, in_favour_of="buyer", now=now),
                "resolve_seller": lambda c: actions.resolve_dispute(c, in_favour_of="seller", now=now),
                "withdraw": lambda c: actions.withdraw_case(c, now=now),
            }
            for step in steps:
                before = Case.objects.get(pk=case.pk).status
                try:
                    calls[step](case)
                except ActionError as exc:
                    assert exc.code in (ErrorCode.TRANSITION_NOT_ALLOWED, ErrorCode.CASE_ALREADY_OPEN)
                    assert Case.objects.get(pk=case.pk).status == before  # a refusal changes nothing
            moves = AuditEvent.objects.filter(subject_type="case", subject_id=case.pk, action="transition")
            for old, new in moves.values_list("old_value", "new_value"):
                assert can_transition("dispute", old, new), (old, new)
            # The audit trail replays to the current status.
            status = "collecting_evidence"
            for old, new in moves.order_by("id").values_list("old_value", "new_value"):
                assert old == status
                status = new
            assert Case.objects.get(pk=case.pk).status == status
            raise _Rollback
    except _Rollback:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    paid_cents=st.integers(min_value=1, max_value=10_000_00),
    lines=st.lists(
        st.tuples(st.sampled_from(["item", "shipping", "negotiated_partial", "customs", "logistics_fee"]),
                  st.integers(min_value=0, max_value=6_000_00)),
        min_size=1, max_size=5,
    ),
)
def test_property_refund_breakdowns_always_sum_and_never_exceed_paid(cairo_buyer, shenzhen_seller, now, paid_cents, lines):
    try:
        with transaction.atomic():
            price = Decimal(paid_cents) / 100
            order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now,
                            items=(("P-1", str(price), 1),), shipping="0.00")
            specs = [LineSpec(kind, Decimal(cents) / 100) for kind, cents in lines]
            requested = sum((s.amount for s in specs), Decimal("0"))
            try:
                refund = actions.approve_refund(order, lines=specs, actor=Actor.AGENT, now=now)
            except ActionError as exc:
                assert requested > price and exc.code == ErrorCode.REFUND_EXCEEDS_PAID
                assert not Case.objects.filter(order=order).exists()
            else:
                assert requested <= price
                assert sum(line.amount for line in refund.refund_lines.all()) == refund.amount == requested
            raise _Rollback
    except _Rollback:
        pass
