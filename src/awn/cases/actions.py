"""One function per use case. Web chat, WhatsApp, the REST API, the agent console and the worker all
call these; nothing else changes a case, an order's status or a payment's verification.

Each action runs in one transaction, locks the rows it changes (``select_for_update``: the order
first, then its cases, always in that order so two actions cannot deadlock), checks the transition
table, writes an audit row per change and raises :class:`ActionError` with a stable code on refusal.

The worker's batch code (``awn.cases.deadlines``) uses the same builders (``_transition``,
``build_refund``, ``build_escalation``) so a deadline fired in bulk has the same effects as one
fired alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum

from awn import policy as rules
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import (
    ITEM_PROBLEM_REASONS,
    Case,
    DisputeReason,
    Escalation,
    Evidence,
    EvidenceKind,
    Priority,
    RefundLine,
    RefundLineKind,
)
from awn.cases.policies import policy_for
from awn.cases.transitions import Kind, Status, TransitionNotAllowed, check, initial_statuses, is_terminal
from awn.core import clock
from awn.core.audit import audit_row, record
from awn.core.digits import clean_number
from awn.core.models import Actor, AuditEvent
from awn.marketplace.models import (
    UNSHIPPED_STATUSES,
    ClosedReason,
    Order,
    OrderStatus,
    OrderStatusChange,
    Payment,
    ReturnParcel,
    Shipment,
    VerificationStatus,
)

CENT = Decimal("0.01")
# Bidi controls and zero-width characters are stripped from free text before it is stored.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]")
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/webp": b"RIFF"}


# --------------------------------------------------------------------------- shared builders


def next_deadline(case: Case) -> datetime | None:
    """The case's next timer, recomputed from the rules. What fires depends on (kind, status)."""
    pol = policy_for(case.market)
    if case.kind == Kind.DISPUTE and case.status == Status.AWAITING_SELLER and case.seller_window_started_at:
        return rules.seller_response_deadline(pol, case.seller_window_started_at)
    if case.kind == Kind.RETURN and case.status == Status.IN_TRANSIT and case.return_parcel is not None:
        return rules.return_auto_refund_deadline(pol, case.return_parcel.shipped_back_at)
    if case.kind == Kind.REFUND and case.status == Status.APPROVED and case.approved_at:
        return rules.refund_expected_window(pol, case.approved_at)[1]
    return None


def _transition(
    case: Case,
    new: Status,
    *,
    actor: str,
    at: datetime,
    rule_id: str = "",
    reason: str = "",
    actor_ref: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Move ``case`` to ``new`` in memory (table-checked), reset its deadline, and return the audit
    row to save. The caller saves both, alone or in bulk."""
    try:
        check(case.kind, case.status, new)
    except TransitionNotAllowed as exc:
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, str(exc), kind=case.kind, old=case.status, new=str(new)) from exc
    old = case.status
    case.status = new
    case.updated_at = at
    case.deadline_at = next_deadline(case)
    return audit_row(
        "case", case.pk, action="transition", old=old, new=new, actor=actor, actor_ref=actor_ref,
        at=at, rule_id=rule_id, reason=reason, data=data,
    )


def _new_case(order: Order, kind: Kind, status: Status, *, actor: str, at: datetime, **fields: Any) -> Case:
    if status not in initial_statuses(kind):
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"a {kind} cannot start as {status}")
    case = Case(
        kind=kind, status=status, order=order, customer_id=order.customer_id, seller_id=order.seller_id,
        market=order.market, opened_by=actor, opened_at=at, updated_at=at, **fields,
    )
    case.deadline_at = next_deadline(case)
    return case


def _opened_row(case: Case, *, actor: str, at: datetime, rule_id: str = "", reason: str = "", actor_ref: str = "") -> AuditEvent:
    return audit_row(
        "case", case.pk, action="opened", old="", new=case.status, actor=actor, actor_ref=actor_ref,
        at=at, rule_id=rule_id, reason=reason, data={"kind": case.kind, "order": case.order.order_number},
    )


@dataclass(frozen=True)
class LineSpec:
    """One requested refund line: kind (RefundLineKind), amount, and a description for the buyer."""

    kind: str
    amount: Decimal
    description: str = ""


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(ErrorCode.REFUND_BREAKDOWN_INVALID, f"{field}: not an amount: {value!r}", field=field) from exc
    if not amount.is_finite():
        raise ActionError(ErrorCode.REFUND_BREAKDOWN_INVALID, f"{field}: not a finite amount", field=field)
    return amount


def build_refund(
    order: Order,
    lines: Sequence[LineSpec],
    *,
    paid: Decimal,
    already_refunded: Decimal,
    actor: str,
    at: datetime,
    related_case: Case | None = None,
) -> tuple[Case, list[RefundLine]]:
    """An approved refund case and its lines, unsaved. Refuses a breakdown that does not sum, has
    negative or unknown lines, or would take the order's refunds above what the buyer paid."""
    if not lines:
        raise ActionError(ErrorCode.REFUND_BREAKDOWN_INVALID, "a refund needs at least one line")
    specs = [(spec.kind, _money(spec.amount, f"lines[{i}].amount")) for i, spec in enumerate(lines)]
    total = sum((amount for _, amount in specs), Decimal("0.00"))
    if paid <= 0:
        raise ActionError(ErrorCode.NOTHING_PAID, f"order {order.order_number} has no verified payment")
    try:
        rules.validate_refund_breakdown(specs, total=total, paid=paid - already_refunded)
    except rules.RefundBreakdownError as exc:
        code = ErrorCode.REFUND_EXCEEDS_PAID if exc.code == "exceeds_paid" else ErrorCode.REFUND_BREAKDOWN_INVALID
        raise ActionError(code, str(exc), paid=str(paid), already_refunded=str(already_refunded), total=str(total)) from exc
    window = rules.refund_expected_window(policy_for(order.market), at)
    case = _new_case(
        order, Kind.REFUND, Status.APPROVED, actor=actor, at=at, currency=order.currency,
        amount=total.quantize(CENT), approved_at=at, expected_from=window[0], expected_to=window[1],
        related_case=related_case,
    )
    refund_lines = [
        RefundLine(case=case, kind=spec.kind, amount=amount.quantize(CENT), description=spec.description[:300])
        for spec, (_, amount) in zip(lines, specs, strict=True)
    ]
    return case, refund_lines


def build_escalation(
    rule_id: str,
    subject: str,
    *,
    order: Order,
    at: datetime,
    actor: str,
    reason: rules.Text,
    priority: int = Priority.NORMAL,
    case: Case | None = None,
    payment: Payment | None = None,
) -> Escalation:
    return Escalation(
        rule_id=rule_id, dedupe_key=f"{rule_id}:{subject}", customer_id=order.customer_id, order=order,
        case=case, payment=payment, priority=priority, reason_ar=reason.ar, reason_en=reason.en,
        created_by=actor, created_at=at,
    )


def paid_and_refunded(order_ids: Iterable[int]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Verified payments and non-rejected refunds per order, in two queries (batch-friendly)."""
    ids = list(order_ids)
    paid = {
        row["order_id"]: row["s"]
        for row in Payment.objects.filter(order_id__in=ids, verification_status=VerificationStatus.VERIFIED)
        .values("order_id").annotate(s=Sum("amount"))
    }
    refunded = {
        row["order_id"]: row["s"]
        for row in Case.objects.filter(order_id__in=ids, kind=Kind.REFUND).exclude(status=Status.REJECTED)
        .values("order_id").annotate(s=Sum("amount"))
    }
    return paid, refunded


def full_refund_lines(order: Order, refundable: Decimal, description: str) -> list[LineSpec]:
    """Item and shipping lines for refunding a whole order, never more than ``refundable``."""
    item = min(order.items_total, refundable)
    lines = [LineSpec(RefundLineKind.ITEM, item, description)]
    shipping = min(order.shipping_fee, refundable - item)
    if shipping > 0:
        lines.append(LineSpec(RefundLineKind.SHIPPING, shipping, description))
    return lines


def _save_refund(case: Case, lines: list[RefundLine], *, actor: str, at: datetime, rule_id: str, reason: str) -> Case:
    case.save(force_insert=True)
    for line in lines:
        line.case = case
    RefundLine.objects.bulk_create(lines)
    _opened_row(case, actor=actor, at=at, rule_id=rule_id, reason=reason).save(force_insert=True)
    return case


def _lock_order(order: Order | int) -> Order:
    pk = order if isinstance(order, int) else order.pk
    return Order.objects.select_for_update().get(pk=pk)


def _lock_case(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    base = Case.objects.select_related("return_parcel")
    # Lock the order first (the global lock order), then the case.
    order_id = base.values_list("order_id", flat=True).get(pk=pk)
    _lock_order(order_id)
    return base.select_for_update(of=("self",)).get(pk=pk)


def _set_order_status(order: Order, new: str, *, actor: str, at: datetime, rule_id: str = "", reason: str = "", note: str = "") -> None:
    old = order.status
    order.status = new
    order.save(update_fields=["status", "closed_reason", "updated_at"])
    OrderStatusChange.objects.create(order=order, old_status=old, new_status=new, at=at, actor=actor, note=note[:300])
    record("order", order.pk, action="status", old=old, new=new, actor=actor, at=at, rule_id=rule_id, reason=reason)


def _open_case_of(order: Order, kind: Kind) -> Case | None:
    for case in Case.objects.filter(order=order, kind=kind).order_by("-opened_at"):
        if not is_terminal(case.kind, case.status):
            return case
    return None


# --------------------------------------------------------------------------- orders and payments


@transaction.atomic
def submit_payment(
    order: Order, *, method: str, amount: Decimal, submitted_at: datetime, actor: str = Actor.OPERATOR
) -> Payment:
    """Record a payment under verification and schedule its escalation (payment.verification_escalate)."""
    order = _lock_order(order)
    pol = policy_for(order.market)
    payment = Payment.objects.create(
        order=order, method=method, amount=amount, currency=order.currency, submitted_at=submitted_at,
        verification_status=VerificationStatus.PENDING,
        escalate_at=rules.payment_escalation_deadline(pol, submitted_at),
    )
    record("payment", payment.pk, action="submitted", new=VerificationStatus.PENDING, actor=actor, at=submitted_at,
           rule_id="payment.verification_sla", data={"amount": str(amount), "method": method})
    return payment


@transaction.atomic
def settle_payment(
    payment: Payment, *, verified: bool, outcome: str = "", actor: str = Actor.OPERATOR,
    processing_deadline: datetime | None = None, now: datetime | None = None,
) -> Payment:
    """The bank's verdict: verified confirms the order; failed closes it (order.auto_closed)."""
    at = now or clock.now()
    order = _lock_order(payment.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.verification_status != VerificationStatus.PENDING:
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"payment already {payment.verification_status}")
    old = payment.verification_status
    payment.verification_status = VerificationStatus.VERIFIED if verified else VerificationStatus.FAILED
    payment.verified_at = at
    payment.outcome = outcome[:200]
    payment.escalate_at = None
    payment.save(update_fields=["verification_status", "verified_at", "outcome", "escalate_at"])
    record("payment", payment.pk, action="verification", old=old, new=payment.verification_status, actor=actor, at=at)
    if order.status == OrderStatus.PENDING_PAYMENT:
        if verified:
            order.confirmed_at = at
            order.processing_deadline = processing_deadline or order.processing_deadline
            order.save(update_fields=["confirmed_at", "processing_deadline", "updated_at"])
            _set_order_status(order, OrderStatus.CONFIRMED, actor=actor, at=at, rule_id="order.no_modification")
        else:
            order.closed_reason = ClosedReason.PAYMENT_FAILED
            _set_order_status(order, OrderStatus.CLOSED, actor=actor, at=at, rule_id="order.auto_closed",
                              reason="payment failed")
    return payment


@transaction.atomic
def ship_order(
    order: Order, *, carrier: str, tracking_number: str, expected_from: datetime, expected_to: datetime,
    actor: str = Actor.SELLER, now: datetime | None = None,
) -> Shipment:
    at = now or clock.now()
    order = _lock_order(order)
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING):
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"cannot ship an order that is {order.status}")
    shipment = Shipment.objects.create(order=order, carrier=carrier, tracking_number=tracking_number, shipped_at=at,
                                       expected_from=expected_from, expected_to=expected_to)
    _set_order_status(order, OrderStatus.SHIPPED, actor=actor, at=at)
    return shipment


@transaction.atomic
def cancel_order(order: Order, *, actor: str, reason: str = "", actor_ref: str = "", now: datetime | None = None) -> Case:
    """Cancel an unshipped order and refund what was paid. After shipment: ``order_already_shipped``
    (order.wrong_address); cancelled, closed or delivered orders: ``order_not_cancellable``."""
    at = now or clock.now()
    order = _lock_order(order)
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise ActionError(ErrorCode.ORDER_ALREADY_SHIPPED, f"order {order.order_number} has shipped",
                          order=order.order_number)
    if order.status not in UNSHIPPED_STATUSES:
        raise ActionError(ErrorCode.ORDER_NOT_CANCELLABLE, f"order {order.order_number} is {order.status}",
                          order=order.order_number, status=order.status)
    cancellation = _new_case(order, Kind.CANCELLATION, Status.COMPLETED, actor=actor, at=at,
                             description=_clean_text(reason)[:DESCRIPTION_MAX])
    cancellation.save(force_insert=True)
    _opened_row(cancellation, actor=actor, at=at, rule_id="order.wrong_address", reason=reason, actor_ref=actor_ref).save()
    _set_order_status(order, OrderStatus.CANCELLED, actor=actor, at=at, rule_id="order.wrong_address", reason=reason)
    Payment.objects.filter(order=order, escalate_at__isnull=False).update(escalate_at=None)
    _refund_whole_order(order, actor=actor, at=at, related_case=cancellation, rule_id="refund.processing_window",
                        description="cancelled order")
    return cancellation


def _refund_whole_order(order: Order, *, actor: str, at: datetime, related_case: Case | None, rule_id: str,
                        description: str) -> Case | None:
    paid, refunded = paid_and_refunded([order.pk])
    refundable = paid.get(order.pk, Decimal("0")) - refunded.get(order.pk, Decimal("0"))
    if refundable <= 0:
        return None
    case, lines = build_refund(
        order, full_refund_lines(order, refundable, description), paid=paid[order.pk],
        already_refunded=refunded.get(order.pk, Decimal("0")), actor=actor, at=at, related_case=related_case,
    )
    return _save_refund(case, lines, actor=actor, at=at, rule_id=rule_id, reason=description)


# --------------------------------------------------------------------------- disputes


def _clean_text(text: str) -> str:
    return _INVISIBLE.sub("", text or "").strip()


@transaction.atomic
def open_dispute(
    order: Order, *, reason: str, actor: str, description: str = "", actor_ref: str = "", now: datetime | None = None
) -> Case:
    """Open a dispute; it collects evidence until complete, then the seller's window starts."""
    at = now or clock.now()
    if reason not in DisputeReason.values:
        raise ActionError(ErrorCode.INVALID_REASON, f"unknown dispute reason {reason!r}", allowed=list(DisputeReason.values))
    order = _lock_order(order)
    if order.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT):
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"no dispute on an order that is {order.status}")
    if reason == DisputeReason.NOT_ARRIVED and not order.is_shipped:
        raise ActionError(ErrorCode.ORDER_NOT_SHIPPED, f"order {order.order_number} has not shipped yet")
    existing = _open_case_of(order, Kind.DISPUTE)
    if existing is not None:
        raise ActionError(ErrorCode.CASE_ALREADY_OPEN, f"dispute #{existing.pk} is already open", case_id=existing.pk)
    case = _new_case(order, Kind.DISPUTE, Status.COLLECTING_EVIDENCE, actor=actor, at=at, reason=reason)
    case.save(force_insert=True)
    _opened_row(case, actor=actor, at=at, rule_id="issue.required_evidence", actor_ref=actor_ref).save()
    # The order number is known from the order itself.
    _add_evidence(case, EvidenceKind.ORDER_NUMBER, order.order_number, actor=actor, at=at)
    if description:
        _add_evidence(case, EvidenceKind.DESCRIPTION, _valid_description(description), actor=actor, at=at)
    _start_seller_window_if_complete(case, actor=actor, at=at, actor_ref=actor_ref)
    return case


def required_evidence(case: Case) -> tuple[str, ...]:
    if case.reason in ITEM_PROBLEM_REASONS:
        return tuple(EvidenceKind.values)
    return (EvidenceKind.ORDER_NUMBER, EvidenceKind.DESCRIPTION)


def missing_evidence(case: Case) -> tuple[str, ...]:
    have = set(case.evidence.values_list("kind", flat=True))
    return tuple(kind for kind in required_evidence(case) if kind not in have)


def _valid_description(text: str) -> str:
    clean = _clean_text(text)
    if len(clean) < DESCRIPTION_MIN:
        raise ActionError(ErrorCode.EVIDENCE_INVALID, f"description too short (min {DESCRIPTION_MIN} characters)",
                          field="description", min=DESCRIPTION_MIN)
    if len(clean) > DESCRIPTION_MAX:
        raise ActionError(ErrorCode.EVIDENCE_INVALID, f"description too long (max {DESCRIPTION_MAX} characters)",
                          field="description", max=DESCRIPTION_MAX)
    return clean


def _add_evidence(case: Case, kind: str, value: str = "", *, actor: str, at: datetime, **file_fields: Any) -> Evidence:
    evidence = Evidence.objects.create(case=case, kind=kind, value=value, submitted_by=actor, submitted_at=at, **file_fields)
    record("case", case.pk, action="evidence_added", new=kind, actor=actor, at=at, rule_id="issue.required_evidence",
           data={"evidence_id": evidence.pk})
    return evidence


def _start_seller_window_if_complete(case: Case, *, actor: str, at: datetime, actor_ref: str = "") -> None:
    if case.status != Status.COLLECTING_EVIDENCE or missing_evidence(case):
        return
    case.seller_window_started_at = at
    row = _transition(case, Status.AWAITING_SELLER, actor=actor, at=at, actor_ref=actor_ref,
                      rule_id="issue.seller_response_window", reason="evidence complete; the seller has 48 h to respond")
    case.save()
    row.save()


@transaction.atomic
def submit_evidence(
    case: Case, *, kind: str, value: str = "", photo: bytes | None = None, content_type: str = "",
    actor: str, actor_ref: str = "", now: datetime | None = None,
) -> Evidence:
    """Add one piece of evidence (issue.required_evidence), validated; completes the set → seller window."""
    at = now or clock.now()
    case = _lock_case(case)
    if case.kind != Kind.DISPUTE:
        raise ActionError(ErrorCode.WRONG_CASE_KIND, "evidence belongs to disputes")
    if case.status not in (Status.COLLECTING_EVIDENCE, Status.AWAITING_SELLER, Status.SELLER_RESPONDED, Status.PLATFORM_REVIEW):
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"dispute #{case.pk} is {case.status}")
    order = case.order
    if kind == EvidenceKind.ORDER_NUMBER:
        if clean_number(value) != order.order_number:
            raise ActionError(ErrorCode.EVIDENCE_INVALID, "order number does not match the dispute's order", field="order_number")
        evidence = _add_evidence(case, kind, order.order_number, actor=actor, at=at)
    elif kind == EvidenceKind.PRODUCT_NUMBER:
        wanted = _clean_text(value).upper().replace(" ", "")
        numbers = {n.upper(): n for n in order.items.values_list("product_number", flat=True)}
        match = numbers.get(wanted) or numbers.get(clean_number(wanted)) if wanted else None
        if match is None:
            raise ActionError(ErrorCode.ITEM_NOT_IN_ORDER, f"product {value!r} is not in order {order.order_number}",
                              field="product_number", choices=sorted(numbers.values()))
        evidence = _add_evidence(case, kind, match, actor=actor, at=at)
    elif kind == EvidenceKind.DESCRIPTION:
        evidence = _add_evidence(case, kind, _valid_description(value), actor=actor, at=at)
    elif kind == EvidenceKind.PHOTO:
        evidence = _add_photo(case, photo, content_type, actor=actor, at=at)
    else:
        raise ActionError(ErrorCode.EVIDENCE_INVALID, f"unknown evidence kind {kind!r}", field="kind",
                          allowed=list(EvidenceKind.values))
    _start_seller_window_if_complete(case, actor=actor, at=at, actor_ref=actor_ref)
    return evidence


def _add_photo(case: Case, photo: bytes | None, content_type: str, *, actor: str, at: datetime) -> Evidence:
    limit = int(getattr(settings, "AWN_MAX_PHOTO_BYTES", 10 * 1024 * 1024))
    if not photo:
        raise ActionError(ErrorCode.EVIDENCE_INVALID, "the photo is empty", field="photo")
    if len(photo) > limit:
        raise ActionError(ErrorCode.EVIDENCE_INVALID, f"the photo is larger than {limit} bytes", field="photo", max=limit)
    magic = PHOTO_TYPES.get(content_type)
    if magic is None or not photo.startswith(magic) or (content_type == "image/webp" and photo[8:12] != b"WEBP"):
        raise ActionError(ErrorCode.EVIDENCE_INVALID, "not a JPEG, PNG or WebP image", field="photo",
                          allowed=sorted(PHOTO_TYPES))
    digest = hashlib.sha256(photo).hexdigest()
    ext = content_type.split("/")[1].replace("jpeg", "jpg")
    evidence = Evidence(case=case, kind=EvidenceKind.PHOTO, content_type=content_type, sha256=digest, size=len(photo),
                        submitted_by=actor, submitted_at=at)
    evidence.file.save(f"{digest}.{ext}", ContentFile(photo), save=False)
    evidence.save(force_insert=True)
    record("case", case.pk, action="evidence_added", new=EvidenceKind.PHOTO, actor=actor, at=at,
           rule_id="issue.required_evidence", data={"evidence_id": evidence.pk, "sha256": digest})
    return evidence


@transaction.atomic
def seller_respond(case: Case, *, answer: str, actor: str = Actor.SELLER, now: datetime | None = None) -> Case:
    at = now or clock.now()
    case = _lock_case(case)
    case.seller_answer = _clean_text(answer)[:DESCRIPTION_MAX]
    row = _transition(case, Status.SELLER_RESPONDED, actor=actor, at=at, rule_id="issue.seller_response_window")
    case.save()
    row.save()
    return case


@transaction.atomic
def reject_seller_answer(case: Case, *, actor: str = Actor.BUYER, reason: str = "", now: datetime | None = None) -> Case:
    """The buyer rejects the seller's answer: the platform reviews (issue.platform_review)."""
    at = now or clock.now()
    case = _lock_case(case)
    if case.status != Status.SELLER_RESPONDED:
        raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, "there is no seller answer to reject")
    return _to_platform_review(case, actor=actor, at=at, why=_clean_text(reason))


def _to_platform_review(case: Case, *, actor: str, at: datetime, why: str = "") -> Case:
    decision = rules.issue_review(
        policy_for(case.market), reported_at=case.seller_window_started_at or case.opened_at, now=at,
        buyer_rejected_answer=case.status == Status.SELLER_RESPONDED,
    )
    row = _transition(case, Status.PLATFORM_REVIEW, actor=actor, at=at, rule_id="issue.platform_review",
                      reason=why or decision.reason.en)
    case.save()
    row.save()
    _escalate(build_escalation("issue.platform_review", f"case:{case.pk}", order=case.order, case=case, at=at,
                               actor=actor, reason=decision.reason))
    return case


@transaction.atomic
def request_platform_review(case: Case, *, actor: str = Actor.BUYER, reason: str = "", now: datetime | None = None) -> Case:
    """Help opening a dispute / seller silent: the buyer asks the platform to step in now."""
    at = now or clock.now()
    return _to_platform_review(_lock_case(case), actor=actor, at=at, why=_clean_text(reason))


def _escalate(escalation: Escalation) -> Escalation:
    """Save an escalation once: a second attempt for the same rule and subject returns the first."""
    try:
        with transaction.atomic():
            escalation.save(force_insert=True)
    except IntegrityError:
        return Escalation.objects.get(dedupe_key=escalation.dedupe_key)
    record("escalation", escalation.pk, action="opened", new="open", actor=escalation.created_by,
           at=escalation.created_at, rule_id=escalation.rule_id, reason=escalation.reason_en)
    return escalation


@transaction.atomic
def resolve_dispute(
    case: Case, *, in_favour_of: str, actor: str = Actor.AGENT, actor_ref: str = "", note: str = "",
    refund_lines: Sequence[LineSpec] = (), now: datetime | None = None,
) -> Case:
    """An agent's (or agreed) decision. In the buyer's favour it may approve a refund at once."""
    at = now or clock.now()
    if actor not in (Actor.AGENT, Actor.SELLER, Actor.BUYER):
        raise ActionError(ErrorCode.ACTOR_NOT_ALLOWED, f"{actor} cannot resolve a dispute")
    case = _lock_case(case)
    new = Status.RESOLVED if in_favour_of == "buyer" else Status.REJECTED
    row = _transition(case, new, actor=actor, actor_ref=actor_ref, at=at, rule_id="issue.platform_review",
                      reason=_clean_text(note), data={"in_favour_of": in_favour_of})
    case.save()
    row.save()
    if refund_lines:
        _approve_refund_locked(case.order, refund_lines, actor=actor, at=at, related_case=case)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, actor: str = Actor.BUYER, now: datetime | None = None) -> Case:
    at = now or clock.now()
    case = _lock_case(case)
    row = _transition(case, Status.WITHDRAWN, actor=actor, at=at)
    case.save()
    row.save()
    return case


# --------------------------------------------------------------------------- returns


@transaction.atomic
def request_return(order: Order, *, amount: Decimal | None = None, description: str = "", actor: str = Actor.BUYER,
                   now: datetime | None = None) -> Case:
    at = now or clock.now()
    order = _lock_order(order)
    if not order.is_shipped:
        raise ActionError(ErrorCode.ORDER_NOT_SHIPPED, f"order {order.order_number} has not been delivered")
    existing = _open_case_of(order, Kind.RETURN)
    if existing is not None:
        raise ActionError(ErrorCode.CASE_ALREADY_OPEN, f"return #{existing.pk} is already open", case_id=existing.pk)
    value = order.items_total if amount is None else _money(amount, "amount")
    if value <= 0 or value > order.items_total:
        raise ActionError(ErrorCode.REFUND_EXCEEDS_PAID, "return value must be positive and at most the items' total")
    case = _new_case(order, Kind.RETURN, Status.REQUESTED, actor=actor, at=at, amount=value, currency=order.currency,
                     description=_clean_text(description)[:DESCRIPTION_MAX])
    case.save(force_insert=True)
    _opened_row(case, actor=actor, at=at).save()
    return case


def _simple_transition(case: Case, new: Status, *, actor: str, now: datetime | None, rule_id: str = "") -> Case:
    at = now or clock.now()
    case = _lock_case(case)
    row = _transition(case, new, actor=actor, at=at, rule_id=rule_id)
    case.save()
    row.save()
    return case


@transaction.atomic
def approve_return(case: Case, *, actor: str = Actor.SELLER, now: datetime | None = None) -> Case:
    return _simple_transition(case, Status.APPROVED, actor=actor, now=now)


@transaction.atomic
def ship_return(case: Case, *, carrier: str, tracking_number: str = "", free_return: bool = False,
                actor: str = Actor.BUYER, now: datetime | None = None) -> Case:
    """The buyer hands the parcel back: the 17-day automatic refund clock starts (return.auto_refund)."""
    at = now or clock.now()
    case = _lock_case(case)
    parcel = ReturnParcel.objects.create(order=case.order, carrier=carrier, tracking_number=tracking_number,
                                         free_return=free_return, shipped_back_at=at)
    case.return_parcel = parcel
    row = _transition(case, Status.IN_TRANSIT, actor=actor, at=at, rule_id="return.auto_refund")
    case.save()
    row.save()
    return case


@transaction.atomic
def confirm_return_received(case: Case, *, actor: str = Actor.SELLER, now: datetime | None = None) -> Case:
    at = now or clock.now()
    case = _lock_case(case)
    row = _transition(case, Status.RECEIVED, actor=actor, at=at, rule_id="return.auto_refund")
    if case.return_parcel is not None:
        case.return_parcel.delivered_at = at
        case.return_parcel.save(update_fields=["delivered_at"])
    case.save()
    row.save()
    return case


# --------------------------------------------------------------------------- refunds


@transaction.atomic
def approve_refund(order: Order, *, lines: Sequence[LineSpec], actor: str, related_case: Case | None = None,
                   now: datetime | None = None) -> Case:
    """Approve an itemised refund; the expected window is 1–10 business days (refund.processing_window)."""
    at = now or clock.now()
    order = _lock_order(order)
    return _approve_refund_locked(order, lines, actor=actor, at=at, related_case=related_case)


def _approve_refund_locked(order: Order, lines: Sequence[LineSpec], *, actor: str, at: datetime,
                           related_case: Case | None) -> Case:
    paid, refunded = paid_and_refunded([order.pk])
    case, refund_lines = build_refund(order, lines, paid=paid.get(order.pk, Decimal("0")),
                                      already_refunded=refunded.get(order.pk, Decimal("0")), actor=actor, at=at,
                                      related_case=related_case)
    return _save_refund(case, refund_lines, actor=actor, at=at, rule_id="refund.processing_window", reason="approved")


@transaction.atomic
def mark_refund_paid(case: Case, *, actor: str = Actor.OPERATOR, now: datetime | None = None) -> Case:
    at = now or clock.now()
    case = _lock_case(case)
    case.refunded_at = at
    row = _transition(case, Status.COMPLETED, actor=actor, at=at, rule_id="refund.processing_window")
    case.save()
    row.save()
    return case
