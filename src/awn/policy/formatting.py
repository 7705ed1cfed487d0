"""Dates, money and counted durations for buyer-facing text, in Arabic (MSA) and English.

Digits are Western (0-9) in both languages, which is what Gulf, Egyptian and Maghrebi
marketplace apps show. Arabic counted nouns follow MSA agreement: 1 and 2 have their own
forms, 3-10 take the plural, 11 and above the singular (accusative يومًا for days).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from awn.policy._time import utc
from awn.policy.decision import Text, base_language

EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
AR_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AR_WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")

CURRENCY_NAMES_AR = {
    "SAR": "ريال سعودي",
    "EGP": "جنيه مصري",
    "AED": "درهم إماراتي",
    "MAD": "درهم مغربي",
}


def _local(dt: datetime, tz: str) -> datetime:
    return utc(dt).astimezone(ZoneInfo(tz))


def format_date(dt: datetime, tz: str, lang: str) -> str:
    """The local date of ``dt`` in ``tz``: "2 December" / "2 ديسمبر"."""
    local = _local(dt, tz)
    months = AR_MONTHS if base_language(lang) == "ar" else EN_MONTHS
    return f"{local.day} {months[local.month - 1]}"


def format_day(dt: datetime, tz: str, lang: str) -> str:
    """Weekday and date: "Sunday 22 March" / "يوم الأحد 22 مارس".

    The Arabic form starts with يوم so that it reads naturally after بحلول، حتى، بين and alone.
    """
    local = _local(dt, tz)
    if base_language(lang) == "ar":
        return f"يوم {AR_WEEKDAYS[local.weekday()]} {format_date(local, tz, lang)}"
    return f"{EN_WEEKDAYS[local.weekday()]} {format_date(local, tz, lang)}"


def format_datetime(dt: datetime, tz: str, lang: str) -> str:
    """Weekday, date and 24-hour local time: "Sunday 22 March at 13:00" / "يوم الأحد 22 مارس الساعة 13:00"."""
    local = _local(dt, tz)
    joiner = "الساعة" if base_language(lang) == "ar" else "at"
    return f"{format_day(local, tz, lang)} {joiner} {local:%H:%M}"


def format_money(amount: Decimal, currency: str, lang: str) -> str:
    """ "SAR 1,234.50" / "1,234.50 ريال سعودي" (two decimals, half-up)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount: expected a Decimal, got {type(amount).__name__}")
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    number = f"{value:,.2f}"
    if base_language(lang) == "ar":
        return f"{number} {CURRENCY_NAMES_AR.get(currency, currency)}"
    return f"{currency} {number}"


# Arabic forms per unit: (one, two genitive/accusative, two nominative, 3-10 plural, 11+ singular)
_AR_FORMS: dict[str, tuple[str, str, str, str, str]] = {
    "hour": ("ساعة واحدة", "ساعتين", "ساعتان", "ساعات", "ساعة"),
    "business_hour": ("ساعة عمل واحدة", "ساعتي عمل", "ساعتا عمل", "ساعات عمل", "ساعة عمل"),
    "day": ("يوم واحد", "يومين", "يومان", "أيام", "يومًا"),
    "business_day": ("يوم عمل واحد", "يومي عمل", "يوما عمل", "أيام عمل", "يوم عمل"),
}
_EN_FORMS: dict[str, tuple[str, str]] = {
    "hour": ("hour", "hours"),
    "business_hour": ("business hour", "business hours"),
    "day": ("day", "days"),
    "business_day": ("business day", "business days"),
}


def _ar_count(n: int, unit: str, *, nominative: bool = False) -> str:
    one, two_gen, two_nom, plural, singular = _AR_FORMS[unit]
    if n == 1:
        return one
    if n == 2:
        return two_nom if nominative else two_gen
    if 3 <= n % 100 <= 10:
        return f"{n} {plural}"
    return f"{n} {singular}"


def count(n: int, unit: str, *, nominative: bool = False) -> Text:
    """A counted duration: count(3, "hour") -> "3 ساعات" / "3 hours".

    Arabic duals are genitive/accusative by default (after خلال، منذ، بعد، قبل); pass
    ``nominative=True`` where the phrase is a subject.
    """
    if unit not in _AR_FORMS:
        raise ValueError(f"unit: expected one of {', '.join(_AR_FORMS)}, got {unit!r}")
    singular, plural = _EN_FORMS[unit]
    return Text(ar=_ar_count(n, unit, nominative=nominative), en=f"{n} {singular if n == 1 else plural}")


def count_range(low: int, high: int, unit: str) -> Text:
    """A range of durations: (1, 10, business_day) -> "من يوم عمل واحد إلى 10 أيام عمل" / "1 to 10 business days"."""
    if low == high:
        return count(low, unit)
    _, plural = _EN_FORMS[unit]
    return Text(ar=f"من {_ar_count(low, unit)} إلى {_ar_count(high, unit)}", en=f"{low} to {high} {plural}")


def elapsed(duration: timedelta, unit: str = "hour") -> Text:
    """Elapsed time in whole hours, rounded down: "5 ساعات" / "5 hours"; under an hour "أقل من ساعة"."""
    hours = int(duration / timedelta(hours=1)) if duration > timedelta(0) else 0
    if hours < 1:
        if unit == "business_hour":
            return Text(ar="أقل من ساعة عمل", en="less than a business hour")
        return Text(ar="أقل من ساعة", en="less than an hour")
    return count(hours, unit)
