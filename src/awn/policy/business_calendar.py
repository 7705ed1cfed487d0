"""Business days and business hours of a market (see docs/adr/0002-business-time.md).

A business day is a local date that is neither on the market's weekend nor a public holiday
(from the ``holidays`` package, adjusted by the market's ``extra_holidays`` and
``removed_holidays``). Business hours are the local ``business_hours`` of business days.
All instants in and out are UTC; local time is only used to find days and opening hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from awn.policy._time import utc
from awn.policy.config import MarketPolicy
from awn.policy.decision import base_language

_ONE_DAY = timedelta(days=1)
_MICROSECONDS_PER_HOUR = 3_600_000_000
# With at most 6 weekend days a week, only a misconfigured holiday list can make a year pass
# without a business day; stop there instead of looping forever.
_MAX_CLOSED_DAYS = 400


@lru_cache(maxsize=16)
def _holiday_language(country: str, lang: str) -> str | None:
    """The ``holidays`` locale for ``lang`` ("ar" -> "ar" or "ar_EG"; anything else -> "en_US")."""
    available = holidays.list_localized_countries().get(country, [])
    wanted = "ar" if base_language(lang) == "ar" else "en"
    for locale in available:
        if locale == wanted or locale.startswith(f"{wanted}_"):
            return locale
    return None


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int, lang: str) -> Mapping[date, str]:
    """Public holidays of one country and year, as an immutable date -> name mapping."""
    table = holidays.country_holidays(country, years=year, language=_holiday_language(country, lang))
    return MappingProxyType({day: name for day, name in table.items() if day.year == year})


def hours_to_timedelta(hours: float | int | Decimal) -> timedelta:
    """A non-negative number of hours as a timedelta, rounded to the microsecond."""
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"hours: expected a number, got {type(hours).__name__}")
    value = hours if isinstance(hours, Decimal) else Decimal(hours)
    if not value.is_finite() or value < 0:
        raise ValueError(f"hours: expected a finite number >= 0, got {hours!r}")
    micros = (value * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
    return timedelta(microseconds=int(micros))


class BusinessCalendar:
    """Business-day and business-hour arithmetic for one market policy. Stateless apart from caches."""

    def __init__(self, policy: MarketPolicy) -> None:
        self.policy = policy
        self.zone = ZoneInfo(policy.timezone)
        self.opening, self.closing = policy.business_hours
        self._extra = {holiday.day: holiday.name for holiday in policy.extra_holidays}
        self._removed = policy.removed_holidays
        self._nth: dict[tuple[date, int], date] = {}  # (local date, n) -> n-th business day after it
        self._open: dict[date, bool] = {}  # local date -> is a business day

    @classmethod
    def of(cls, policy: MarketPolicy) -> BusinessCalendar:
        """A shared calendar for ``policy`` (its day caches then serve every rule call)."""
        return _calendar_of(policy)

    # --- days ---------------------------------------------------------------------------

    def local(self, dt: datetime) -> datetime:
        """``dt`` in the market's timezone."""
        return utc(dt).astimezone(self.zone)

    def is_weekend(self, d: date) -> bool:
        return d.weekday() in self.policy.weekend

    def holiday_name(self, d: date, lang: str = "en") -> str | None:
        """The public holiday on ``d`` in ``lang`` (the package may add "(estimated)"), else None."""
        if d in self._extra:
            return self._extra[d].get(lang)
        if d in self._removed:
            return None
        return _public_holidays(self.policy.market, d.year, lang).get(d)

    def is_holiday(self, d: date) -> bool:
        if d in self._extra:
            return True
        if d in self._removed:
            return False
        return d in _public_holidays(self.policy.market, d.year, "en")

    def is_business_day(self, d: date) -> bool:
        known = self._open.get(d)
        if known is None:
            known = not self.is_weekend(d) and not self.is_holiday(d)
            if len(self._open) < 100_000:
                self._open[d] = known
        return known

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        for _ in range(_MAX_CLOSED_DAYS):
            d += _ONE_DAY
            if self.is_business_day(d):
                return d
        raise ValueError(f"{self.policy.market}: no business day within {_MAX_CLOSED_DAYS} days after {d}")

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local wall-clock time on the ``days``-th business day after start's local date.

        ``days == 0`` returns ``start`` itself. Start may fall on a non-business day.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days: expected an int, got {type(days).__name__}")
        if days < 0:
            raise ValueError(f"days: expected >= 0, got {days}")
        local = self.local(start)
        if days == 0:
            return local.astimezone(UTC)
        key = (local.date(), days)
        target = self._nth.get(key)
        if target is None:
            target = local.date()
            for _ in range(days):
                target = self.next_business_day(target)
            if len(self._nth) < 100_000:  # bounded: a long-running worker sees only so many dates
                self._nth[key] = target
        return datetime.combine(target, local.time(), tzinfo=self.zone).astimezone(UTC)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """How many whole business days have passed: the largest n with add_business_days(start, n) <= end."""
        first, last = self.local(start), self.local(end)
        if last <= first:
            return 0
        count = 0
        day = first.date() + _ONE_DAY
        while day <= last.date():
            if self.is_business_day(day):
                count += 1
            day += _ONE_DAY
        if count and self.add_business_days(start, count) > utc(end, "end"):
            count -= 1
        return count

    # --- hours --------------------------------------------------------------------------

    def opening_window(self, d: date) -> tuple[datetime, datetime] | None:
        """Opening and closing instants (UTC) of local date ``d``, or None on a non-business day."""
        if not self.is_business_day(d):
            return None
        opens = datetime.combine(d, self.opening, tzinfo=self.zone).astimezone(UTC)
        closes = datetime.combine(d, self.closing, tzinfo=self.zone).astimezone(UTC)
        return (opens, closes)

    def add_business_hours(self, start: datetime, hours: float | int | Decimal) -> datetime:
        """The UTC instant at which ``hours`` of business time have passed since ``start``.

        Only time inside business_hours on business days counts. When the count ends exactly at
        closing time, the closing instant is returned (not the next opening). ``hours == 0``
        returns ``start``.
        """
        cursor = utc(start, "start")
        remaining = hours_to_timedelta(hours)
        if not remaining:
            return cursor
        day = self.local(cursor).date()
        closed_days = 0
        while True:
            window = self.opening_window(day)
            if window is None:
                closed_days += 1
                if closed_days > _MAX_CLOSED_DAYS:
                    raise ValueError(f"{self.policy.market}: no business day within {_MAX_CLOSED_DAYS} days")
            else:
                closed_days = 0
                segment_start = max(cursor, window[0])
                if segment_start < window[1]:
                    available = window[1] - segment_start
                    if remaining <= available:
                        return segment_start + remaining
                    remaining -= available
            day += _ONE_DAY

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end`` (zero if end <= start), exact to the microsecond."""
        first, last = utc(start, "start"), utc(end, "end")
        total = timedelta(0)
        if last <= first:
            return total
        day, last_day = self.local(first).date(), self.local(last).date()
        while day <= last_day:
            window = self.opening_window(day)
            if window is not None:
                overlap = min(last, window[1]) - max(first, window[0])
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        """Business hours from ``start`` to ``end`` (0.0 if end <= start): the inverse of add_business_hours."""
        return self.business_time_between(start, end) / timedelta(hours=1)


@lru_cache(maxsize=64)
def _calendar_of(policy: MarketPolicy) -> BusinessCalendar:
    return BusinessCalendar(policy)
