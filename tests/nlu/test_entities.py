from decimal import Decimal

import pytest

from awn.nlu import Entity, EntityConfig, extract_entities


def only(text: str, kind: str, config: EntityConfig | None = None) -> list[Entity]:
    found = extract_entities(text, config) if config else extract_entities(text)
    for e in found:
        assert text[e.start : e.end] == e.text, "span must index the original text"
    return [e for e in found if e.type == kind]


# --- order numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "typed"),
    [
        ("وين طلبي ٨١٢٣٤٥٦٧؟", "81234567", "٨١٢٣٤٥٦٧"),
        ("رقم الطلب: ۸۱۲۳۴۵۶۷۹۰", "8123456790", "۸۱۲۳۴۵۶۷۹۰"),
        ("order #8123-4567 please", "81234567", "#8123-4567"),
        ("الطلب 8123 4567 ما وصل", "81234567", "8123 4567"),
        ("fein el order 81234567 bta3i", "81234567", "81234567"),
        ("الطلب١٢٣٤٥٦٧٨٩", "123456789", "١٢٣٤٥٦٧٨٩"),
        ("\u200fرقم الطلب\u200e ٨١٢٣٤٥٦٧", "81234567", "٨١٢٣٤٥٦٧"),
    ],
)
def test_order_numbers(text: str, value: str, typed: str) -> None:
    [entity] = only(text, "order_number")
    assert (entity.value, entity.text) == (value, typed)


def test_order_number_length_bounds_and_dates() -> None:
    assert only("عندي 1234567 قطعة", "order_number") == []  # 7 digits
    assert only("1234567890123", "order_number") == []  # 13 digits
    assert only("طلبت يوم 2024-01-15", "order_number") == []


def test_two_orders_and_a_duration_in_one_run() -> None:
    found = extract_entities("orders 12345678 87654321 since 48 hours")
    assert [(e.type, e.value) for e in found] == [
        ("order_number", "12345678"),
        ("order_number", "87654321"),
        ("duration", {"hours": 48}),
    ]


def test_order_number_format_is_configurable() -> None:
    config = EntityConfig(order_number_regex=r"AWN\d{6}|\d{6}")
    [entity] = only("الطلب ١٢٣٤٥٦", "order_number", config)
    assert entity.value == "123456"
    assert only("الطلب 81234567", "order_number", config) == []


# --- phones ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("رقم جوالي 0501234567", "+966501234567"),
        ("واتساب +966 50 123 4567 هل هو رسمي؟", "+966501234567"),
        ("كلمني على ٠١٠١٢٣٤٥٦٧٨", "+201012345678"),
        ("call me 00971501234567", "+971501234567"),
        ("ra9mi 0612345678", "+212612345678"),
    ],
)
def test_phones(text: str, e164: str) -> None:
    [entity] = only(text, "phone")
    assert entity.value == e164


def test_order_word_wins_over_phone_shape() -> None:
    # A 10-digit number after "order" is the order, even though it looks like a Saudi mobile.
    assert only("order 0501234567", "phone") == []
    assert only("order 0501234567", "order_number")[0].value == "0501234567"
    # ...and a phone word after the order word wins back.
    found = extract_entities("طلبي 81234567 ورقم جوالي 0501234567")
    assert [(e.type, e.value) for e in found] == [("order_number", "81234567"), ("phone", "+966501234567")]


def test_order_number_is_not_reported_as_phone() -> None:
    for text in ["وين طلبي 81234567", "الطلب 612345678", "#501234567"]:
        assert only(text, "phone") == [], text


# --- product numbers -------------------------------------------------------------------------------
def test_product_numbers() -> None:
    found = extract_entities("رقم المنتج ١٢٣٤٥ و P-98765 و SKU 555123")
    assert [(e.type, e.value, e.text) for e in found] == [
        ("product_number", "12345", "١٢٣٤٥"),
        ("product_number", "P-98765", "P-98765"),
        ("product_number", "SKU-555123", "SKU 555123"),
    ]


def test_product_number_is_not_an_order_number() -> None:
    assert only("SKU 12345678", "order_number") == []


# --- amounts ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("رجعولي ١٩٩٫٥٠ ريال بس", "199.50", "SAR"),
        ("150 ر.س", "150", "SAR"),
        ("SAR 1,299.50 charged", "1299.50", "SAR"),
        ("دفعت 200 جنيه", "200", "EGP"),
        ("خصموا ٥٠ ج.م", "50", "EGP"),
        ("40 د.إ", "40", "AED"),
        ("30 درهم", "30", "AED"),
        ("100 MAD", "100", "MAD"),
        ("refund of 75 EGP", "75", "EGP"),
        ("AED 99", "99", "AED"),
        ("$25", "25", "USD"),
        ("paid 12.5 usd", "12.5", "USD"),
        ("120,50 درهم مغربي", "120.50", "MAD"),
    ],
)
def test_amounts(text: str, amount: str, currency: str) -> None:
    [entity] = only(text, "amount")
    assert entity.value == {"amount": amount, "currency": currency}
    Decimal(entity.value["amount"])  # a valid Decimal


def test_dirham_market_is_configurable() -> None:
    [entity] = only("30 درهم", "amount", EntityConfig(dirham_currency="MAD"))
    assert entity.value["currency"] == "MAD"


# --- durations -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "hours", "typed"),
    [
        ("ما وصل من يومين", 48, "من يومين"),
        ("بقالي أسبوع مستني", 168, "بقالي أسبوع"),
        ("since 3 days", 72, "since 3 days"),
        ("منذ ٤٨ ساعة", 48, "منذ ٤٨ ساعة"),
        ("صارلي شهرين", 1440, "صارلي شهرين"),
        ("3 days ago", 72, "3 days ago"),
        ("from yesterday", 24, "from yesterday"),
        ("b2ali 3 ayam", 72, "b2ali 3 ayam"),
        ("mn yomein", 48, "mn yomein"),
        ("نص ساعة", 0.5, "نص ساعة"),
        ("بقالي تلات ايام", 72, "بقالي تلات ايام"),
        ("a week ago", 168, "a week ago"),
        ("من يوميييين", 48, "من يوميييين"),
    ],
)
def test_durations(text: str, hours: float, typed: str) -> None:
    [entity] = only(text, "duration")
    assert entity.value == {"hours": hours}
    assert entity.text == typed


def test_not_a_duration() -> None:
    assert only("من يوم ما طلبت", "duration") == []
    assert only("كل يوم", "duration") == []


# --- emails ----------------------------------------------------------------------------------------
def test_email() -> None:
    [entity] = only("ايميلي Ahmed.Ali@Example.COM لو سمحت", "email")
    assert entity.value == "Ahmed.Ali@example.com"


# --- mixed and robustness --------------------------------------------------------------------------
def test_mixed_scripts_message() -> None:
    text = "order ٨١٢٣٤٥٦٧ ما وصل since ٣ days، رجعولي 150 SAR بدل ٢٠٠ ريال 😡"
    found = extract_entities(text)
    assert [(e.type, e.value) for e in found] == [
        ("order_number", "81234567"),
        ("duration", {"hours": 72}),
        ("amount", {"amount": "150", "currency": "SAR"}),
        ("amount", {"amount": "200", "currency": "SAR"}),
    ]
    for e in found:
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "٠٠٠٠", "#", "+", "ر.س", "\ud800", "x" * 100_000])
def test_never_raises(text: str) -> None:
    extract_entities(text)
