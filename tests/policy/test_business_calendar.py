"""Business days and hours per market: weekends, Eid, opening hours, DST, naive datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from awn.policy import BusinessCalendar, MarketPolicy
from tests.policy.helpers import CAIRO, DUBAI, RIYADH, cairo, dubai, in_tz, local, riyadh


def test_weekends_differ_by_market(
    sa: MarketPolicy, eg: MarketPolicy, ae: MarketPolicy, ma: MarketPolicy
) -> None:
    friday, sunday = date(2026, 3, 13), date(2026, 3, 15)
    assert not BusinessCalendar(sa).is_business_day(friday)
    assert not BusinessCalendar(eg).is_business_day(friday)
    assert BusinessCalendar(ae).is_business_day(friday)
    assert BusinessCalendar(ma).is_business_day(friday)
    assert BusinessCalendar(sa).is_business_day(sunday)
    assert not BusinessCalendar(ae).is_business_day(sunday)


def test_saudi_eid_al_fitr_2026(sa: MarketPolicy) -> None:
    calendar = BusinessCalendar(sa)
    eid = [date(2026, 3, 19) + timedelta(days=n) for n in range(6)]  # 19..24 March, observed days included
    assert not any(calendar.is_business_day(d) for d in eid)
    assert calendar.is_business_day(date(2026, 3, 18))
    assert calendar.is_business_day(date(2026, 3, 25))
    assert calendar.holiday_name(date(2026, 3, 19)) == "Eid al-Fitr Holiday"
    assert calendar.holiday_name(date(2026, 3, 19), "ar") == "عطلة عيد الفطر"
    assert calendar.holiday_name(date(2026, 3, 25)) is None


def test_egyptian_eid_al_adha_2026_is_estimated(eg: MarketPolicy) -> None:
    calendar = BusinessCalendar(eg)
    for day in range(26, 30):
        assert not calendar.is_business_day(date(2026, 5, day))
    assert calendar.holiday_name(date(2026, 5, 27)) == "Eid al-Adha (estimated)"
    assert calendar.holiday_name(date(2026, 5, 27), "ar-EG") == "عيد الأضحى المبارك (تقديري)"
    assert calendar.next_business_day(date(2026, 5, 25)) == date(2026, 5, 31)


def test_local_converts_to_the_market_timezone(sa: MarketPolicy) -> None:
    calendar = BusinessCalendar(sa)
    assert calendar.local(datetime(2026, 3, 1, 21, 30, tzinfo=UTC)).isoformat() == "2026-03-02T00:30:00+03:00"


def test_naive_datetimes_are_refused(sa: MarketPolicy) -> None:
    calendar = BusinessCalendar(sa)
    naive = datetime(2026, 3, 1, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        calendar.add_business_hours(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        calendar.add_business_days(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        calendar.business_hours_between(naive, datetime(2026, 3, 2, tzinfo=UTC))


class TestAddBusinessHours:
    def test_within_one_day(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 8, 10), 3) == riyadh(2026, 3, 8, 13)

    def test_before_opening_starts_at_opening(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 8, 6), 1) == riyadh(2026, 3, 8, 10)

    def test_after_closing_starts_next_business_day(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 8, 20), 1) == riyadh(2026, 3, 9, 10)

    def test_ending_exactly_at_closing_returns_closing(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 8, 9), 9) == riyadh(2026, 3, 8, 18)

    def test_saudi_weekend(self, sa: MarketPolicy) -> None:
        # Thursday 16:00: 2 h Thu, Fri+Sat off, 9 h Sun, 9 h Mon, 4 h Tue -> Tuesday 13:00.
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 12, 16), 24) == riyadh(2026, 3, 17, 13)

    def test_same_instant_uae_vs_saudi(self, sa: MarketPolicy, ae: MarketPolicy) -> None:
        start = riyadh(2026, 3, 13, 10)  # Friday 10:00 in Riyadh = 11:00 in Dubai
        # SA: Fri+Sat off; 9 h Sun, 9 h Mon, 6 h Tue -> Tuesday 15:00 Riyadh.
        assert BusinessCalendar(sa).add_business_hours(start, 24) == riyadh(2026, 3, 17, 15)
        # AE: 7 h Fri, Sat+Sun off, 9 h Mon, 8 h Tue -> Tuesday 17:00 Dubai.
        assert BusinessCalendar(ae).add_business_hours(start, 24) == dubai(2026, 3, 17, 17)
        assert BusinessCalendar(sa).business_hours_between(start, riyadh(2026, 3, 15, 12)) == 3
        assert BusinessCalendar(ae).business_hours_between(start, riyadh(2026, 3, 15, 12)) == 7

    def test_across_saudi_eid(self, sa: MarketPolicy) -> None:
        # Wednesday 18 March 15:00: 3 h, Eid 19-24, 9 h Wed 25, 9 h Thu 26, weekend, 3 h Sun 29.
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_hours(riyadh(2026, 3, 18, 15), 24) == riyadh(2026, 3, 29, 12)

    def test_across_egyptian_eid_in_summer_time(self, eg: MarketPolicy) -> None:
        # Monday 25 May 14:00 Cairo (UTC+3): 4 h, Eid 26-29 + Sat 30, 9 h Sun 31, 9 h Mon, 2 h Tue 2 June.
        calendar = BusinessCalendar(eg)
        deadline = calendar.add_business_hours(cairo(2026, 5, 25, 14), 24)
        assert in_tz(deadline, CAIRO).isoformat() == "2026-06-02T11:00:00+03:00"

    def test_egypt_dst_change_counts_real_hours(self, eg: MarketPolicy) -> None:
        # Egypt moves to UTC+3 at midnight on Friday 24 April 2026 (a weekend day).
        calendar = BusinessCalendar(eg)
        start = cairo(2026, 4, 23, 17)
        end = calendar.add_business_hours(start, 2)
        assert in_tz(start, CAIRO).utcoffset() == timedelta(hours=2)
        assert in_tz(end, CAIRO).isoformat() == "2026-04-26T10:00:00+03:00"

    def test_fractional_and_decimal_hours(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        start = riyadh(2026, 3, 8, 9)
        assert calendar.add_business_hours(start, 1.5) == riyadh(2026, 3, 8, 10, 30)
        assert calendar.add_business_hours(start, Decimal("0.25")) == riyadh(2026, 3, 8, 9, 15)
        assert calendar.add_business_hours(start, 0) == start

    def test_negative_hours_are_refused(self, sa: MarketPolicy) -> None:
        with pytest.raises(ValueError):
            BusinessCalendar(sa).add_business_hours(riyadh(2026, 3, 8, 9), -1)


class TestBusinessHoursBetween:
    def test_zero_when_end_is_not_after_start(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.business_hours_between(riyadh(2026, 3, 8, 12), riyadh(2026, 3, 8, 12)) == 0
        assert calendar.business_hours_between(riyadh(2026, 3, 8, 12), riyadh(2026, 3, 8, 10)) == 0

    def test_counts_only_opening_hours_of_business_days(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        # Thursday 16:00 -> Sunday 12:00: 2 h Thursday + 3 h Sunday.
        assert calendar.business_hours_between(riyadh(2026, 3, 12, 16), riyadh(2026, 3, 15, 12)) == 5


class TestAddBusinessDays:
    def test_keeps_local_wall_clock_time(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        assert calendar.add_business_days(riyadh(2026, 3, 12, 23, 30), 1) == riyadh(2026, 3, 15, 23, 30)

    def test_across_eid(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        start = riyadh(2026, 3, 18, 10)
        assert calendar.add_business_days(start, 1) == riyadh(2026, 3, 25, 10)
        assert calendar.add_business_days(start, 10) == riyadh(2026, 4, 7, 10)

    def test_from_a_weekend_day(self, ae: MarketPolicy) -> None:
        calendar = BusinessCalendar(ae)
        assert calendar.add_business_days(dubai(2026, 3, 14, 8), 1) == dubai(2026, 3, 16, 8)

    def test_zero_and_negative(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        start = riyadh(2026, 3, 13, 8)
        assert calendar.add_business_days(start, 0) == start
        with pytest.raises(ValueError):
            calendar.add_business_days(start, -1)

    def test_business_days_between(self, sa: MarketPolicy) -> None:
        calendar = BusinessCalendar(sa)
        start = riyadh(2026, 4, 5, 10)  # Sunday
        assert calendar.business_days_between(start, riyadh(2026, 4, 7, 10)) == 2
        assert calendar.business_days_between(start, riyadh(2026, 4, 7, 9, 59)) == 1
        assert calendar.business_days_between(start, riyadh(2026, 4, 11, 23)) == 4  # Fri+Sat don't count
        assert calendar.business_days_between(start, start) == 0


def test_local_helper_round_trip() -> None:
    assert local(DUBAI, 2026, 3, 1, 12) == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert in_tz(riyadh(2026, 3, 1, 12), RIYADH).hour == 12
