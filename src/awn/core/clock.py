"""The one place Awn reads the wall clock.

Everything that needs "now" calls :func:`now`, so that a rehearsal clock (``AWN_NOW``) and tests
(``time_machine``) move every part of Awn at once. The policy engine never calls this: it takes
``now`` as an argument.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _rehearsal() -> tuple[datetime | None, timedelta]:
    """Parse ``AWN_NOW``: a fixed ISO instant, or an offset such as ``+36h`` / ``-2d``."""
    raw = os.environ.get("AWN_NOW", "").strip()
    if not raw:
        return None, timedelta(0)
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("AWN_NOW (a rehearsal clock) is refused when AWN_PRODUCTION=1")
    if raw[0] in "+-" and raw[-1] in "smhd":
        units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
        try:
            amount = float(raw[1:-1])
        except ValueError as exc:
            raise ImproperlyConfigured(f"AWN_NOW: cannot read offset {raw!r}") from exc
        sign = -1 if raw[0] == "-" else 1
        return None, sign * timedelta(**{units[raw[-1]]: amount})
    try:
        fixed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"AWN_NOW: not an ISO 8601 instant: {raw!r}") from exc
    if fixed.tzinfo is None:
        raise ImproperlyConfigured(f"AWN_NOW must carry a UTC offset, e.g. 2026-04-02T12:00:00+03:00 (got {raw!r})")
    return fixed.astimezone(UTC), timedelta(0)


def now() -> datetime:
    """Current instant, timezone-aware UTC, honouring the rehearsal clock when one is set."""
    fixed, offset = _rehearsal()
    if fixed is not None:
        return fixed
    return datetime.now(UTC) + offset
