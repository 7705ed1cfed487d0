"""The audit log: one append-only row for every change Awn makes to a record it owns."""

from __future__ import annotations

from django.db import models


class Actor(models.TextChoices):
    """Who caused a change."""

    BUYER = "buyer"  # the customer, through any channel
    SELLER = "seller"  # the seller, through the operator's order system
    AGENT = "agent"  # a human support agent
    ASSISTANT = "assistant"  # Awn's automated assistant acting on a buyer's confirmed request
    TIMER = "timer"  # the deadline worker
    OPERATOR = "operator"  # the marketplace's own systems (REST API, imports)
    SYSTEM = "system"  # Awn itself (migrations, demo data)


class AuditEvent(models.Model):
    """An append-only record of one change: what, old → new, who, under which rule, why, when.

    Rows are never updated or deleted; the case timeline, SLA reports and audits read them.
    """

    subject_type = models.CharField(max_length=32)  # "case", "order", "payment", "escalation", ...
    subject_id = models.BigIntegerField()
    action = models.CharField(max_length=64)  # e.g. "transition", "evidence_added", "escalated"
    old_value = models.CharField(max_length=64, blank=True, default="")
    new_value = models.CharField(max_length=64, blank=True, default="")
    actor = models.CharField(max_length=16, choices=Actor.choices)
    actor_ref = models.CharField(max_length=128, blank=True, default="")  # agent username, worker id, ...
    rule_id = models.CharField(max_length=64, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"], name="audit_subject_idx")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.action} {self.old_value}→{self.new_value} by {self.actor}"
