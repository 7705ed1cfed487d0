"""Value objects returned by the rules: bilingual ``Text`` and the ``Decision`` itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from awn.policy._time import utc, utc_or_none

_EMPTY: Mapping[str, object] = MappingProxyType({})


def base_language(lang: str) -> str:
    """``"ar"`` for any Arabic tag (``ar``, ``ar-SA``, ``ar_EG``), ``"en"`` otherwise."""
    primary = lang.replace("_", "-").split("-", 1)[0].strip().lower()
    return "ar" if primary == "ar" else "en"


@dataclass(frozen=True)
class Text:
    """One user-facing message in Modern Standard Arabic and English."""

    ar: str
    en: str

    def get(self, lang: str) -> str:
        """The message in ``lang`` (any ``ar*`` tag gives Arabic); English for anything else."""
        return self.ar if base_language(lang) == "ar" else self.en


@dataclass(frozen=True)
class Decision:
    """What a rule concludes about a case at one instant.

    Every datetime is UTC. ``facts`` is JSON-serialisable (datetimes as ISO-8601 strings,
    hours as floats) so it can go straight into an audit row.
    """

    rule_id: str  # stable id from the buyer-protection table, e.g. "payment.verification_escalate"
    state: str  # short machine code, e.g. "within_typical", "overdue"
    now: Text  # what is true now, with dates in the market's timezone
    next_step: str | None  # machine code of what happens next ("escalate", "auto_refund", "wait", ...)
    next_at: datetime | None  # UTC instant at which next_step is due
    window: tuple[datetime, datetime] | None  # an expected window (UTC), e.g. for a refund
    escalate: bool  # hand over to a human agent now
    escalation_reason: Text | None
    reason: Text  # why: the rule and its figure
    options: tuple[str, ...] = ()  # what the buyer may do (see texts.OPTION_LABELS)
    facts: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    escalation_topic: str | None = None  # key of ESCALATION_TOPICS when escalate is True

    def __post_init__(self) -> None:
        object.__setattr__(self, "next_at", utc_or_none(self.next_at, "next_at"))
        if self.window is not None:
            start, end = (utc(self.window[0], "window[0]"), utc(self.window[1], "window[1]"))
            if end < start:
                raise ValueError("window: end is before start")
            object.__setattr__(self, "window", (start, end))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (for logs and audit rows)."""
        return {
            "rule_id": self.rule_id,
            "state": self.state,
            "now": {"ar": self.now.ar, "en": self.now.en},
            "next_step": self.next_step,
            "next_at": self.next_at.isoformat() if self.next_at else None,
            "window": [w.isoformat() for w in self.window] if self.window else None,
            "escalate": self.escalate,
            "escalation_reason": (
                {"ar": self.escalation_reason.ar, "en": self.escalation_reason.en}
                if self.escalation_reason
                else None
            ),
            "escalation_topic": self.escalation_topic,
            "reason": {"ar": self.reason.ar, "en": self.reason.en},
            "options": list(self.options),
            "facts": dict(self.facts),
        }
