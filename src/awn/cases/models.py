"""Cases: disputes, returns, refunds and cancellations, their evidence, refund lines and escalations.

Status changes happen only in ``awn.cases.actions`` (checked against ``transitions.TRANSITIONS``) and
each one appends an ``AuditEvent``. ``deadline_at`` is the case's next timer; the worker fires it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from awn.cases.transitions import Kind, Status
from awn.core.models import Actor
from awn.marketplace.models import MONEY, Customer, Order, Payment, ReturnParcel, Seller

KindChoices = models.TextChoices("KindChoices", [(k.name, k.value) for k in Kind])  # type: ignore[misc]
StatusChoices = models.TextChoices("StatusChoices", [(s.name, s.value) for s in Status])  # type: ignore[misc]


class DisputeReason(models.TextChoices):
    DAMAGED = "damaged"  # arrived broken
    DEFECTIVE = "defective"  # does not work
    WRONG_ITEM = "wrong_item"  # not what was ordered (model, colour, size, missing parts)
    NOT_ARRIVED = "not_arrived"  # not delivered within the expected window
    REFUND_MISMATCH = "refund_mismatch"  # refund.mismatch: the refund is not what was expected
    SELLER_UNRESPONSIVE = "seller_unresponsive"  # the seller has not answered
    OTHER = "other"


# Reasons about the item itself need all four pieces of evidence (issue.required_evidence).
ITEM_PROBLEM_REASONS = frozenset({DisputeReason.DAMAGED, DisputeReason.DEFECTIVE, DisputeReason.WRONG_ITEM})


class Case(models.Model):
    kind = models.CharField(max_length=16, choices=KindChoices.choices)
    status = models.CharField(max_length=24, choices=StatusChoices.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="cases")
    market = models.CharField(max_length=2)  # the order's market: whose policy and calendar apply
    reason = models.CharField(max_length=24, blank=True, default="")  # DisputeReason for disputes
    description = models.TextField(blank=True, default="")
    opened_by = models.CharField(max_length=16, choices=Actor.choices)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The next timer. The worker claims rows with deadline_at <= now; what fires depends on (kind, status).
    deadline_at = models.DateTimeField(null=True, blank=True)
    # dispute: when the seller's response window started (evidence complete)
    seller_window_started_at = models.DateTimeField(null=True, blank=True)
    seller_answer = models.TextField(blank=True, default="")
    # return: the parcel on its way back
    return_parcel = models.ForeignKey(ReturnParcel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # refund: the amount, when it was approved, the expected window, and when it was paid out
    currency = models.CharField(max_length=3, blank=True, default="")
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    expected_from = models.DateTimeField(null=True, blank=True)
    expected_to = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    related_case = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["deadline_at"], name="case_deadline_due_idx", condition=Q(deadline_at__isnull=False)),
            models.Index(fields=["order", "kind"], name="case_order_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="case_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class RefundLineKind(models.TextChoices):
    ITEM = "item"  # the price of the item(s) refunded
    SHIPPING = "shipping"  # shipping fees refunded
    NEGOTIATED_PARTIAL = "negotiated_partial"  # a partial amount agreed with the seller
    CUSTOMS = "customs"  # customs duties refunded
    LOGISTICS_FEE = "logistics_fee"  # third-party logistics fees refunded
    SEPARATE_SHIPPING = "separate_shipping"  # shipping paid separately
    PARTIAL_RETURN = "partial_return"  # only part of a return approved


class RefundLine(models.Model):
    """One line of a refund's itemised breakdown. The lines of a refund always sum to its amount."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="refund_lines")
    kind = models.CharField(max_length=24, choices=RefundLineKind.choices)
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="refund_line_non_negative")]


class EvidenceKind(models.TextChoices):
    ORDER_NUMBER = "order_number"
    PRODUCT_NUMBER = "product_number"
    PHOTO = "photo"
    DESCRIPTION = "description"


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    value = models.TextField(blank=True, default="")  # the number or the description
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=64, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    submitted_by = models.CharField(max_length=16, choices=Actor.choices)
    submitted_at = models.DateTimeField()


class Priority(models.IntegerChoices):
    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class EscalationStatus(models.TextChoices):
    OPEN = "open"  # waiting for a person
    ASSIGNED = "assigned"  # a person has it
    RESOLVED = "resolved"  # dealt with


class Escalation(models.Model):
    """A matter the rules say a person must look at (escalate.when), with why and by when.

    ``dedupe_key`` makes each escalation happen once: the same rule for the same subject is one row,
    however many workers or retries try to create it.
    """

    rule_id = models.CharField(max_length=64)
    dedupe_key = models.CharField(max_length=128, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="escalations")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    reason_ar = models.TextField()
    reason_en = models.TextField()
    created_by = models.CharField(max_length=16, choices=Actor.choices)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "priority", "created_at"], name="escalation_queue_idx")]
