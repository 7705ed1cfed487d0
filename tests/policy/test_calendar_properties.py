"""Properties of the business calendar, for every market, over 2025-2027 (holidays included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from awn.policy import MARKETS, BusinessCalendar, load_policy

CALENDARS = {market: BusinessCalendar(load_policy(market)) for market in MARKETS}

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= makes values aware
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
markets = st.sampled_from(MARKETS)
TOLERANCE = 1e-6  # hours; the calendar rounds to the microsecond


@settings(max_examples=200, deadline=None)
@given(market=markets, start=instants, seconds=st.integers(min_value=0, max_value=200 * 3600))
def test_add_then_measure_gives_back_the_hours(market: str, start: datetime, seconds: int) -> None:
    calendar = CALENDARS[market]
    end = calendar.add_business_hours(start, seconds / 3600)
    assert end >= start
    assert abs(calendar.business_hours_between(start, end) - seconds / 3600) < TOLERANCE


@settings(max_examples=200, deadline=None)
@given(
    market=markets, start=instants, span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
)
def test_measure_then_add_reaches_the_end_or_the_last_business_instant_before_it(
    market: str, start: datetime, span: timedelta
) -> None:
    calendar = CALENDARS[market]
    end = start + span
    business = calendar.business_time_between(start, end)
    reached = calendar.add_business_hours(start, business / timedelta(hours=1))
    assert reached <= end
    assert calendar.business_time_between(reached, end) == timedelta(0)
    assert abs(calendar.business_hours_between(start, reached) - business / timedelta(hours=1)) < TOLERANCE


@settings(max_examples=200, deadline=None)
@given(market=markets, start=instants, days=st.integers(min_value=1, max_value=30))
def test_add_business_days_lands_on_a_business_day_at_the_same_local_time(
    market: str, start: datetime, days: int
) -> None:
    calendar = CALENDARS[market]
    end = calendar.add_business_days(start, days)
    local_start, local_end = calendar.local(start), calendar.local(end)
    assert calendar.is_business_day(local_end.date())
    assert local_end.date() > local_start.date()
    assert local_end.time() == local_start.time() or calendar.zone.key in (
        "Africa/Cairo",
        "Africa/Casablanca",
    )
    assert calendar.business_days_between(start, end) == days
    assert calendar.business_days_between(start, end - timedelta(microseconds=1)) == days - 1


@settings(max_examples=100, deadline=None)
@given(market=markets, start=instants, a=st.integers(0, 100 * 3600), b=st.integers(0, 100 * 3600))
def test_adding_hours_in_two_steps_is_adding_them_at_once(
    market: str, start: datetime, a: int, b: int
) -> None:
    calendar = CALENDARS[market]
    once = calendar.add_business_hours(start, (a + b) / 3600)
    twice = calendar.add_business_hours(calendar.add_business_hours(start, a / 3600), b / 3600)
    if a and b:  # a first step ending at closing time resumes at the next opening: same business instant
        assert calendar.business_time_between(once, twice) == timedelta(0)
        assert calendar.business_time_between(twice, once) == timedelta(0)
    else:
        assert once == twice
