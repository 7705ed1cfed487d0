"""Named instants for the policy tests: wall-clock times in a market, as UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

RIYADH = "Asia/Riyadh"
CAIRO = "Africa/Cairo"
DUBAI = "Asia/Dubai"
CASABLANCA = "Africa/Casablanca"
SECOND = timedelta(seconds=1)


def local(
    tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A wall-clock time in ``tz``, returned as the UTC instant the rules take."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def riyadh(*args: int) -> datetime:
    return local(RIYADH, *args)


def cairo(*args: int) -> datetime:
    return local(CAIRO, *args)


def dubai(*args: int) -> datetime:
    return local(DUBAI, *args)


def in_tz(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))
