"""Records the operator API owns: API keys, and the operator's own ids for records that have none.

Only a key's SHA-256 is stored. Keys carry 256 bits of randomness, so a fast hash is as strong as a
slow one here (slow hashers protect low-entropy passwords) and costs microseconds per request; see
``docs/adr/0006-operator-api.md``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ApiKey(models.Model):
    """One key of the marketplace's order system (or of a script). Revoked keys stay, for the audit log."""

    name = models.CharField(max_length=100)  # who holds it, e.g. "orders-sync"; appears as actor_ref in audits
    prefix = models.CharField(max_length=16, unique=True)  # the public part, shown in listings and logs
    hashed_secret = models.CharField(max_length=64)  # sha256 hex of the whole key
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)  # refreshed at most once a minute
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["revoked_at"], name="apikey_active_idx", condition=Q(revoked_at__isnull=True))]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.name} ({self.prefix}…, {state})"


class RefKind(models.TextChoices):
    """Records whose Awn model has no field for the operator's id (so the API keeps the mapping)."""

    PAYMENT = "payment"  # → marketplace.Payment
    RETURN = "return"  # → cases.Case (kind return)
    REFUND = "refund"  # → cases.Case (kind refund)


class OperatorRef(models.Model):
    """The operator's id for a payment, return or refund, so that sending the same record twice is one
    record (idempotent upserts). Unique per kind and reference."""

    kind = models.CharField(max_length=16, choices=RefKind.choices)
    external_ref = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_ref"], name="operator_ref_unique"),
            models.UniqueConstraint(fields=["kind", "object_id"], name="operator_ref_object_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_ref} → {self.object_id}"
