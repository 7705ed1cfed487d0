"""Buyer-facing text: both languages complete and consistent; dates, money and counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from awn.policy import (
    AUTO_CLOSE_CAUSE_LABELS,
    AUTO_CLOSE_CAUSES,
    ESCALATION_TOPIC_KEYS,
    ESCALATION_TOPICS,
    EVIDENCE_KEYS,
    EVIDENCE_LABELS,
    OPTION_LABELS,
    REFUND_LINE_KINDS,
    REFUND_LINE_LABELS,
    RULES,
    SELLER_SILENT_OPTIONS,
    Text,
    format_date,
    format_datetime,
    format_money,
)
from awn.policy.formatting import count, count_range
from awn.policy.texts import TEMPLATES, fields, render
from tests.policy.helpers import RIYADH

LATIN = re.compile(r"[A-Za-z]")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def all_texts() -> list[tuple[str, Text]]:
    texts = list(TEMPLATES.items())
    for name, table in [
        ("option", OPTION_LABELS),
        ("evidence", EVIDENCE_LABELS),
        ("refund_line", REFUND_LINE_LABELS),
        ("cause", AUTO_CLOSE_CAUSE_LABELS),
        ("topic", ESCALATION_TOPICS),
    ]:
        texts += [(f"{name}.{key}", text) for key, text in table.items()]
    for rule_id, rule in RULES.items():
        texts += [(f"{rule_id}.title", rule.title), (f"{rule_id}.description", rule.description)]
    return texts


@pytest.mark.parametrize(("key", "text"), all_texts(), ids=[key for key, _ in all_texts()])
def test_arabic_and_english_are_both_written(key: str, text: Text) -> None:
    assert fields(text.ar) == fields(text.en), key
    arabic = re.sub(r"\{\w+\}", "", text.ar)
    assert ARABIC.search(arabic), key
    assert not LATIN.search(arabic), f"{key}: Latin letters in the Arabic text: {text.ar}"
    assert text.en.strip() and not ARABIC.search(text.en), key


def test_label_tables_cover_their_vocabularies() -> None:
    assert set(SELLER_SILENT_OPTIONS) <= set(OPTION_LABELS)
    assert tuple(EVIDENCE_LABELS) == EVIDENCE_KEYS
    assert tuple(REFUND_LINE_LABELS) == REFUND_LINE_KINDS
    assert tuple(AUTO_CLOSE_CAUSE_LABELS) == AUTO_CLOSE_CAUSES
    assert tuple(ESCALATION_TOPICS) == ESCALATION_TOPIC_KEYS


def test_render_fills_each_language() -> None:
    text = render("seller.silent.now", elapsed=count(2, "hour"), window=count(48, "hour"))
    assert text.ar == "لم يردّ البائع على رسالتك منذ ساعتين، وقد انقضت المهلة المعتادة للرد (48 ساعة)."
    assert (
        text.en
        == "The seller hasn't replied to your message for 2 hours; the usual reply window of 48 hours has passed."
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ar", "عربي"),
        ("ar-SA", "عربي"),
        ("ar_EG", "عربي"),
        ("en", "English"),
        ("fr", "English"),
        ("", "English"),
    ],
)
def test_text_get_falls_back_to_english(lang: str, expected: str) -> None:
    assert Text(ar="عربي", en="English").get(lang) == expected


def test_dates_are_local_to_the_market() -> None:
    late_evening_utc = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # already 2 December in Riyadh
    assert format_date(late_evening_utc, RIYADH, "en") == "2 December"
    assert format_date(late_evening_utc, RIYADH, "ar") == "2 ديسمبر"
    assert format_datetime(late_evening_utc, RIYADH, "en") == "Wednesday 2 December at 01:30"
    assert format_datetime(late_evening_utc, RIYADH, "ar") == "يوم الأربعاء 2 ديسمبر الساعة 01:30"


def test_every_arabic_month() -> None:
    months = [format_date(datetime(2026, m, 15, tzinfo=UTC), RIYADH, "ar").split()[1] for m in range(1, 13)]
    assert months == [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]


def test_naive_dates_are_refused() -> None:
    with pytest.raises(ValueError):
        format_date(datetime(2026, 1, 1), RIYADH, "en")  # noqa: DTZ001


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (Decimal("1234.5"), "SAR", "en", "SAR 1,234.50"),
        (Decimal("1234.5"), "SAR", "ar", "1,234.50 ريال سعودي"),
        (Decimal("99"), "EGP", "ar", "99.00 جنيه مصري"),
        (Decimal("0.005"), "AED", "en", "AED 0.01"),
        (Decimal("10"), "MAD", "ar", "10.00 درهم مغربي"),
        (Decimal("10"), "USD", "ar", "10.00 USD"),
    ],
)
def test_format_money(amount: Decimal, currency: str, lang: str, expected: str) -> None:
    assert format_money(amount, currency, lang) == expected


@pytest.mark.parametrize(
    ("n", "unit", "ar", "en"),
    [
        (1, "hour", "ساعة واحدة", "1 hour"),
        (2, "hour", "ساعتين", "2 hours"),
        (3, "hour", "3 ساعات", "3 hours"),
        (10, "hour", "10 ساعات", "10 hours"),
        (11, "hour", "11 ساعة", "11 hours"),
        (48, "hour", "48 ساعة", "48 hours"),
        (103, "hour", "103 ساعات", "103 hours"),
        (24, "business_hour", "24 ساعة عمل", "24 business hours"),
        (2, "business_hour", "ساعتي عمل", "2 business hours"),
        (17, "day", "17 يومًا", "17 days"),
        (2, "day", "يومين", "2 days"),
        (1, "business_day", "يوم عمل واحد", "1 business day"),
        (10, "business_day", "10 أيام عمل", "10 business days"),
        (12, "business_day", "12 يوم عمل", "12 business days"),
    ],
)
def test_counted_nouns(n: int, unit: str, ar: str, en: str) -> None:
    assert count(n, unit) == Text(ar=ar, en=en)


def test_nominative_dual_and_ranges() -> None:
    assert count(2, "hour", nominative=True).ar == "ساعتان"
    assert count_range(1, 10, "business_day") == Text(
        ar="من يوم عمل واحد إلى 10 أيام عمل", en="1 to 10 business days"
    )
    assert count_range(3, 3, "day") == count(3, "day")
