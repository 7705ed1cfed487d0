"""The deadline worker: claims due timers in batches and fires each exactly once.

Three kinds of rows carry a timer in an indexed column:

* ``Case.deadline_at``: dispute seller window → platform review; returned parcel unconfirmed →
  automatic refund; refund past its expected window → overdue and escalated.
* ``Payment.escalate_at``: verification past 24 business hours → escalation.
* ``Order.processing_deadline`` (unshipped orders): not shipped in time → closed and refunded.

Each batch runs in one transaction: claim rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
parallel workers take disjoint rows; SQLite serialises writers instead), recompute the deadline from
the current rules (a policy change may have moved it: then the row is rescheduled, not fired), apply
the effect with the same builders the actions use, clear or move the timer, and write audit rows.
If the worker dies mid-batch, the transaction rolls back and the rows are fired by the next run;
``Escalation.dedupe_key`` is a second guard against a double escalation.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Model

from awn import policy as rules
from awn.cases.actions import (
    LineSpec,
    _transition,
    build_escalation,
    build_refund,
    full_refund_lines,
    next_deadline,
    paid_and_refunded,
)
from awn.cases.errors import ActionError
from awn.cases.models import Case, Escalation, Priority, RefundLine, RefundLineKind
from awn.cases.policies import policy_for
from awn.cases.transitions import Kind, Status
from awn.core.audit import audit_row
from awn.core.bulk import append_rows
from awn.core.models import Actor, AuditEvent
from awn.marketplace.models import (
    ClosedReason,
    Order,
    OrderStatus,
    OrderStatusChange,
    Payment,
    VerificationStatus,
)

log = logging.getLogger("awn.worker")


@dataclass
class FireResult:
    fired: Counter[str] = field(default_factory=Counter)  # effect name → count
    rescheduled: int = 0
    failed: int = 0
    batch_seconds: list[float] = field(default_factory=list)  # wall time of each batch that claimed rows

    @property
    def total(self) -> int:
        return sum(self.fired.values())

    def add(self, other: FireResult) -> None:
        self.fired.update(other.fired)
        self.rescheduled += other.rescheduled
        self.failed += other.failed
        self.batch_seconds.extend(other.batch_seconds)


def _grouped_update(model: type[Model], rows: list[Model], fields: tuple[str, ...]) -> None:
    """Write changed columns with one ``UPDATE … WHERE id IN (…)`` per distinct set of values.

    Most of a batch moves to the same values (same new status, timer cleared), so this is a couple
    of statements per batch, where ``bulk_update`` would build one ``CASE WHEN`` per row and field.
    """
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for row in rows:
        groups[tuple(getattr(row, f) for f in fields)].append(row.pk)
    for values, ids in groups.items():
        model._default_manager.filter(pk__in=ids).update(**dict(zip(fields, values, strict=True)))


def _claim(qs, batch_size: int):  # type: ignore[no-untyped-def]
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


# What the worker reads of each claimed row (loading whole rows, JSON address included, costs more
# than the rest of the batch).
_ORDER_FIELDS = ("id", "order_number", "customer_id", "seller_id", "market", "status", "currency", "items_total",
                 "shipping_fee", "processing_deadline", "closed_reason", "updated_at")
_CASE_FIELDS = ("id", "kind", "status", "market", "customer_id", "seller_id", "order_id", "deadline_at", "updated_at",
                "opened_at", "seller_window_started_at", "approved_at", "amount", "currency",
                "return_parcel__id", "return_parcel__shipped_back_at", "return_parcel__free_return",
                *(f"order__{f}" for f in _ORDER_FIELDS))
_PAYMENT_FIELDS = ("id", "order_id", "submitted_at", "verification_status", "escalate_at")


class _Batch:
    """Effects collected while processing claimed rows, written with a handful of bulk queries."""

    def __init__(self, now: datetime, worker: str) -> None:
        self.now = now
        self.worker = worker
        self.audit: list[AuditEvent] = []
        self.escalations: list[Escalation] = []
        self.refunds: list[tuple[Case, list[RefundLine], str]] = []
        self.history: list[OrderStatusChange] = []
        self.result = FireResult()

    def escalate(self, esc: Escalation, cause: AuditEvent) -> None:
        cause.data["escalation"] = esc.dedupe_key
        self.escalations.append(esc)

    def flush(self) -> None:
        if self.refunds:
            append_rows([case for case, _, _ in self.refunds], assign_ids=True)
            lines = []
            for case, case_lines, rule_id in self.refunds:
                for line in case_lines:
                    line.case = case
                lines.extend(case_lines)
                self.audit.append(
                    audit_row("case", case.pk, action="opened", new=case.status, actor=Actor.TIMER, actor_ref=self.worker,
                              at=self.now, rule_id=rule_id, data={"kind": case.kind, "order": case.order.order_number})
                )
            append_rows(lines)
        if self.escalations:
            # ignore_conflicts: the unique dedupe_key turns a repeated escalation into a no-op. The
            # audit row of the change that caused it names it (data["escalation"]).
            Escalation.objects.bulk_create(self.escalations, ignore_conflicts=True)
        append_rows(self.audit)
        append_rows(self.history)


def _fire_cases(now: datetime, batch_size: int, worker: str) -> FireResult:
    with transaction.atomic():
        claimed = _claim(
            Case.objects.filter(deadline_at__lte=now).select_related("order", "return_parcel")
            .only(*_CASE_FIELDS).order_by("deadline_at", "id"),
            batch_size,
        )
        if not claimed:
            return FireResult()
        batch = _Batch(now, worker)
        refund_orders = [c.order_id for c in claimed if c.kind == Kind.RETURN and c.status == Status.IN_TRANSIT]
        paid, refunded = paid_and_refunded(refund_orders) if refund_orders else ({}, {})
        for case in claimed:
            due = next_deadline(case)
            if due is not None and due > now:
                case.deadline_at = due  # the rules moved it (e.g. a policy change): reschedule
                batch.result.rescheduled += 1
                continue
            try:
                _fire_case(case, batch, paid, refunded)
            except ActionError as exc:
                # A timer that cannot fire (for example a refund with nothing left to refund) is
                # recorded and cleared rather than retried forever.
                log.warning("case %s: deadline not fired: %s", case.pk, exc)
                case.deadline_at = None
                batch.audit.append(audit_row("case", case.pk, action="deadline_skipped", actor=Actor.TIMER,
                                             actor_ref=worker, at=now, reason=str(exc)))
                batch.result.failed += 1
        _grouped_update(Case, claimed, ("status", "deadline_at", "updated_at"))
        batch.flush()
        return batch.result


def _fire_case(case: Case, batch: _Batch, paid: dict[int, Decimal], refunded: dict[int, Decimal]) -> None:
    now, pol = batch.now, policy_for(case.market)
    order = case.order
    if case.kind == Kind.DISPUTE and case.status == Status.AWAITING_SELLER:
        decision = rules.issue_review(pol, reported_at=case.seller_window_started_at or case.opened_at, now=now)
        row = _transition(case, Status.PLATFORM_REVIEW, actor=Actor.TIMER, actor_ref=batch.worker, at=now,
                          rule_id="issue.platform_review", reason=decision.reason.en)
        batch.audit.append(row)
        batch.escalate(build_escalation("issue.platform_review", f"case:{case.pk}", order=order, case=case, at=now,
                                        actor=Actor.TIMER, reason=decision.reason), cause=row)
        batch.result.fired["dispute_platform_review"] += 1
    elif case.kind == Kind.RETURN and case.status == Status.IN_TRANSIT:
        assert case.return_parcel is not None
        decision = rules.return_parcel(pol, shipped_back_at=case.return_parcel.shipped_back_at, now=now,
                                       free_return=case.return_parcel.free_return)
        # Build the refund before moving the case, so a refusal leaves the case untouched.
        already = refunded.get(order.pk, Decimal("0"))
        amount = min(case.amount or Decimal("0"), paid.get(order.pk, Decimal("0")) - already)
        if amount > 0:
            refund, lines = build_refund(
                order, [LineSpec(RefundLineKind.ITEM, amount, "automatic refund: returned parcel not confirmed in time")],
                paid=paid.get(order.pk, Decimal("0")), already_refunded=already, actor=Actor.TIMER, at=now,
                related_case=case,
            )
            refunded[order.pk] = already + amount
            batch.refunds.append((refund, lines, "return.auto_refund"))
        batch.audit.append(_transition(case, Status.AUTO_REFUNDED, actor=Actor.TIMER, actor_ref=batch.worker, at=now,
                                       rule_id="return.auto_refund", reason=decision.reason.en,
                                       data={"refund_amount": str(max(amount, Decimal("0")))}))
        batch.result.fired["return_auto_refund"] += 1
    elif case.kind == Kind.REFUND and case.status == Status.APPROVED:
        decision = rules.refund_status(pol, approved_at=case.approved_at or case.opened_at, now=now)
        row = _transition(case, Status.OVERDUE, actor=Actor.TIMER, actor_ref=batch.worker, at=now,
                          rule_id="refund.processing_window", reason=decision.reason.en)
        batch.audit.append(row)
        batch.escalate(build_escalation("escalate.when", f"refund_late:{case.pk}", order=order, case=case, at=now,
                                        actor=Actor.TIMER, reason=decision.escalation_reason or decision.reason), cause=row)
        batch.result.fired["refund_overdue"] += 1
    else:
        case.deadline_at = None  # nothing to fire in this status (a stale timer)
        batch.result.fired["stale_cleared"] += 1


def _fire_payments(now: datetime, batch_size: int, worker: str) -> FireResult:
    with transaction.atomic():
        claimed = _claim(
            Payment.objects.filter(escalate_at__lte=now).select_related("order")
            .only(*_PAYMENT_FIELDS, *(f"order__{f}" for f in _ORDER_FIELDS)).order_by("escalate_at", "id"),
            batch_size,
        )
        if not claimed:
            return FireResult()
        batch = _Batch(now, worker)
        for payment in claimed:
            pol = policy_for(payment.order.market)
            if payment.verification_status != VerificationStatus.PENDING:
                payment.escalate_at = None
                batch.result.fired["stale_cleared"] += 1
                continue
            due = rules.payment_escalation_deadline(pol, payment.submitted_at)
            if due > now:
                payment.escalate_at = due
                batch.result.rescheduled += 1
                continue
            decision = rules.payment_verification(pol, submitted_at=payment.submitted_at, now=now)
            payment.escalate_at = None
            row = audit_row("payment", payment.pk, action="escalated", old=payment.verification_status,
                            new=payment.verification_status, actor=Actor.TIMER, actor_ref=worker, at=now,
                            rule_id="payment.verification_escalate", reason=decision.reason.en)
            batch.audit.append(row)
            batch.escalate(build_escalation("payment.verification_escalate", f"payment:{payment.pk}", order=payment.order,
                                            payment=payment, at=now, actor=Actor.TIMER, priority=Priority.HIGH,
                                            reason=decision.escalation_reason or decision.reason), cause=row)
            batch.result.fired["payment_escalated"] += 1
        _grouped_update(Payment, claimed, ("escalate_at",))
        batch.flush()
        return batch.result


def _fire_orders(now: datetime, batch_size: int, worker: str) -> FireResult:
    with transaction.atomic():
        claimed = _claim(
            Order.objects.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.PROCESSING], processing_deadline__lte=now)
            .only(*_ORDER_FIELDS).order_by("processing_deadline", "id"),
            batch_size,
        )
        if not claimed:
            return FireResult()
        batch = _Batch(now, worker)
        paid, refunded = paid_and_refunded([o.pk for o in claimed])
        for order in claimed:
            pol = policy_for(order.market)
            assert order.processing_deadline is not None
            decision = rules.order_processing(pol, processing_deadline=order.processing_deadline, now=now, shipped=False)
            old = order.status
            order.status = OrderStatus.CLOSED
            order.closed_reason = ClosedReason.SELLER_DELAY
            order.updated_at = now
            batch.history.append(OrderStatusChange(order=order, old_status=old, new_status=order.status, at=now,
                                             actor=Actor.TIMER, note="not shipped by the processing deadline"))
            batch.audit.append(audit_row("order", order.pk, action="status", old=old, new=order.status, actor=Actor.TIMER,
                                         actor_ref=worker, at=now, rule_id="order.auto_closed", reason=decision.reason.en))
            refundable = paid.get(order.pk, Decimal("0")) - refunded.get(order.pk, Decimal("0"))
            if refundable > 0:
                refund, lines = build_refund(
                    order, full_refund_lines(order, refundable, "order closed: not shipped in time"),
                    paid=paid[order.pk], already_refunded=refunded.get(order.pk, Decimal("0")),
                    actor=Actor.TIMER, at=now,
                )
                batch.refunds.append((refund, lines, "order.auto_closed"))
            batch.result.fired["order_closed_refunded"] += 1
        _grouped_update(Order, claimed, ("status", "closed_reason", "updated_at"))
        batch.flush()
        return batch.result


def fire_due(now: datetime, *, batch_size: int = 500, worker: str = "worker", max_batches: int | None = None) -> FireResult:
    """Fire every timer due at ``now``; returns what happened. Safe to run in parallel and to repeat."""
    total = FireResult()
    batches = 0
    for step in (_fire_cases, _fire_payments, _fire_orders):
        while max_batches is None or batches < max_batches:
            started = time.perf_counter()
            result = step(now, batch_size, worker)
            batches += 1
            if result.total or result.rescheduled or result.failed:
                result.batch_seconds.append(time.perf_counter() - started)
            total.add(result)
            if result.total + result.rescheduled + result.failed < batch_size:
                break
    return total
