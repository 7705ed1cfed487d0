"""Helpers to write audit rows; every action goes through these, never ``AuditEvent.objects.create``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from awn.core.models import AuditEvent


def audit_row(
    subject_type: str,
    subject_id: int,
    *,
    action: str,
    actor: str,
    at: datetime,
    old: str = "",
    new: str = "",
    rule_id: str = "",
    reason: str = "",
    actor_ref: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Build (not save) an audit row, so batch code can ``bulk_create`` many at once."""
    return AuditEvent(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        old_value=old,
        new_value=new,
        actor=actor,
        actor_ref=actor_ref,
        rule_id=rule_id,
        reason=reason,
        data=dict(data or {}),
        at=at,
    )


def record(subject_type: str, subject_id: int, **kwargs: Any) -> AuditEvent:
    """Write one audit row now (inside the caller's transaction)."""
    row = audit_row(subject_type, subject_id, **kwargs)
    row.save(force_insert=True)
    return row
