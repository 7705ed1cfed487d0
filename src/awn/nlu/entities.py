"""Details a buyer gives in a message: order and product numbers, phones, amounts, durations, emails.

Every entity carries its span in the ORIGINAL text (see :mod:`awn.nlu.aligned`). Patterns run on
a normalised view, so Arabic-Indic and Persian digits, tatweel, diacritics and elongation do not
get in the way.

Which digit string is what (the order matters, first claim wins):

1. emails, then product numbers (they have an explicit prefix: "P-12345", "SKU 12345",
   "رقم المنتج 12345"), then amounts (a number next to a currency);
2. phone numbers written internationally ("+966…", "00966…") are always phones;
3. a digit string right after an order word ("طلب", "order", "commande", "#") is an order number;
4. a string that ``phonenumbers`` accepts as a valid national number of one of the configured
   regions and that starts with the trunk prefix 0 ("0501234567") is a phone; so is any valid
   number right after a phone word ("جوال", "whatsapp");
5. any other run of digits that matches the order-number format is an order number;
6. durations ("من يومين", "since 3 days") last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import phonenumbers

from awn.nlu.aligned import AlignedText, align

EntityType = Literal["order_number", "product_number", "phone", "amount", "duration", "email"]


@dataclass(frozen=True, slots=True)
class Entity:
    """One detail found in a message.

    ``value`` is a ``str`` for ids (digits only), phones (E.164) and emails; for an amount
    ``{"amount": "199.50", "currency": "SAR"}`` (a Decimal written as a string); for a duration
    ``{"hours": 48}``. ``start``/``end`` index the original text and ``text`` is that slice.
    """

    type: EntityType
    value: Any
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the command line: type, value, start, end."""
        return {"type": self.type, "value": self.value, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class EntityConfig:
    """Formats an operator can change.

    ``order_number_regex`` must match the whole digit string of an order number once spaces,
    dashes and a leading ``#`` are removed. ``product_prefixes`` are the Latin codes written
    before a product number ("P-12345", "SKU 12345"); the Arabic "رقم المنتج" is always
    understood. ``phone_regions`` are ISO regions tried for numbers written without "+".
    Plain "درهم"/"dirham" is ``dirham_currency`` (AED or MAD, by market).
    """

    order_number_regex: str = r"\d{8,12}"
    product_prefixes: tuple[str, ...] = ("P", "SKU")
    product_digits: tuple[int, int] = (3, 12)
    phone_regions: tuple[str, ...] = ("SA", "EG", "AE", "MA")
    dirham_currency: str = "AED"
    riyal_currency: str = "SAR"
    _order_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_order_re", re.compile(self.order_number_regex))

    def is_order_number(self, digits: str) -> bool:
        return self._order_re.fullmatch(digits) is not None


DEFAULT_CONFIG = EntityConfig()

# ---------------------------------------------------------------------------------------------
# Patterns. The view is lower-cased ASCII, ASCII digits, and أإآ->ا, ة->ه, ى->ي.
_B = r"(?<![0-9a-z])"  # left boundary against Latin letters/digits (Arabic letters may touch)
_E = r"(?![0-9a-z])"
_BL = r"(?<![a-z])"  # currency codes may touch the number: "50sar", "SAR50"
_EL = r"(?![a-z])"

_EMAIL = re.compile(r"(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![\w])")

# Runs of digits with single spaces or dashes between groups, optional leading '#'.
_DIGIT_RUN = re.compile(r"(?<![0-9a-z+])(\+|00)?(#\s?)?\d(?:[ \-]?\d)*(?![0-9a-z])")

# Words that say what the next number is; the nearest one before the number wins.
_ORDER_WORD = re.compile(
    r"طلب|اوردر|اردر|اوردار|كوموند|order|ordr|odrer|commande|ordre|cmd|talab|tlab|طلبيه"
)
_PHONE_WORD = re.compile(
    r"جوال|موبايل|هاتف|تلفون|تليفون|واتس|اتصل|اتصال|نمره|نمرت|"
    r"phone|mobile|whatsapp|whats|tel|call|cell|portable|tilifon|telefon"
)
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}")

_PRODUCT_ARABIC = re.compile(
    r"(?:رقم\s?(?:ال)?منتج|(?:ال)?منتج\s?رقم|كود\s?(?:ال)?منتج|رمز\s?(?:ال)?منتج|"
    r"رقم\s?(?:ال)?صنف|product\s?(?:number|no\.?|#|id|code)?|item\s?(?:number|no\.?|#|code))"
    r"\s?[:#]?\s?(\d(?:[ \-]?\d)*)"
)

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# (pattern, currency); longer spellings first. "dirham" is resolved by the config.
_CURRENCIES: list[tuple[str, str]] = [
    (r"ريال(?:ات)?\s?سعودي(?:ه)?", "SAR"),
    (r"جنيه(?:ات)?\s?مصري(?:ه)?", "EGP"),
    (r"درهم\s?اماراتي|دراهم\s?اماراتيه", "AED"),
    (r"درهم\s?مغربي|دراهم\s?مغربيه", "MAD"),
    (r"دولار(?:ات)?\s?امريكي", "USD"),
    (r"ر\.\s?س\.?|ر\s?س(?![\u0621-\u064a])", "SAR"),
    (r"ج\.\s?م\.?|ج\s?م(?![\u0621-\u064a])", "EGP"),
    (r"د\.\s?ا\.?", "AED"),
    (r"د\.\s?م\.?", "MAD"),
    (r"ريال(?:ات)?|ريالا", "RIYAL"),
    (r"جنيه(?:ات)?|جنيها|جنيهات|جنيح", "EGP"),
    (r"درهم|دراهم", "DIRHAM"),
    (r"دولار(?:ات)?|دولارا", "USD"),
    (r"us\$|\$", "USD"),
    (_BL + r"(?:sar|s\.?r|riyals?|rials?|ryals?)" + _EL, "RIYAL"),
    (_BL + r"(?:egp|l\.?e|pounds?|gneh|geneh|guineh|ginih|gnih|gnieh)" + _EL, "EGP"),
    (_BL + r"aed" + _EL, "AED"),
    (_BL + r"mad" + _EL, "MAD"),
    (_BL + r"(?:dhs?|dirhams?|drham|dhm)" + _EL, "DIRHAM"),
    (_BL + r"(?:usd|dollars?|dolar)" + _EL, "USD"),
]
_CUR_ALT = "|".join(f"(?:{p})" for p, _ in _CURRENCIES)
_CUR_ONE = [(re.compile(p), c) for p, c in _CURRENCIES]
_AMOUNT = re.compile(
    rf"(?:(?P<cur1>{_CUR_ALT})\s?(?P<num1>{_NUM})(?!\d))|(?:(?<![\d.,])(?P<num2>{_NUM})\s?(?P<cur2>{_CUR_ALT}))"
)

# --- durations ---------------------------------------------------------------------------------
_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 720.0, "year": 8760.0}
_UNITS: list[tuple[str, str, bool]] = [
    # (pattern, unit, is_dual)
    (r"ساعتين|ساعتان|sa3tein|sa3ten|sa3tin", "hour", True),
    (r"يومين|يومان|yomein|yomen|yomin|youmein|youmin|youmen|yumin", "day", True),
    (r"اسبوعين|اسبوعان|جمعتين|osbo3ein|esbo3en|esbo3ein|usbu3ein", "week", True),
    (r"شهرين|شهران|shahrein|shahren", "month", True),
    (r"سنتين|عامين|sanatein|santen", "year", True),
    (r"دقيقه|دقايق|دقائق|دقيقتين|mins?|minutes?|d2i2a|da2i2a|d2aye2", "minute", False),
    (r"ساعه|ساعات|سوايع|hours?|hrs?|h|sa3a|sa3at", "hour", False),
    (r"يوم|ايام|تيام|days?|d|yom|youm|yoom|ayam|iyam|iyyam|ayyam|jours?", "day", False),
    (r"اسبوع|اسابيع|جمعه|weeks?|wks?|osbo3|esbo3|usbu3|osbou3|semaines?", "week", False),
    (r"شهر|شهور|اشهر|months?|shahr|shhar|shour|mois", "month", False),
    (r"سنه|سنين|سنوات|عام|years?|sana|snin", "year", False),
]
_NUMBER_WORDS = {
    "واحد": 1, "واحده": 1, "one": 1, "a": 1, "an": 1, "wa7ed": 1,
    "اثنين": 2, "اتنين": 2, "تنين": 2, "اثنان": 2, "two": 2, "couple of": 2, "a couple of": 2,
    "ثلاث": 3, "ثلاثه": 3, "تلات": 3, "تلاته": 3, "تلت": 3, "three": 3, "tlata": 3, "talata": 3, "tlat": 3,
    "اربع": 4, "اربعه": 4, "اربعة": 4, "four": 4, "arba3": 4, "arba3a": 4,
    "خمس": 5, "خمسه": 5, "five": 5, "khamsa": 5, "5amsa": 5, "5ams": 5,
    "ست": 6, "سته": 6, "six": 6, "sitta": 6, "setta": 6,
    "سبع": 7, "سبعه": 7, "seven": 7, "sab3a": 7, "sab3": 7,
    "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تمن": 8, "تمان": 8, "تمانيه": 8, "تمنيه": 8, "eight": 8,
    "تسع": 9, "تسعه": 9, "nine": 9, "tes3a": 9, "tis3a": 9,
    "عشر": 10, "عشره": 10, "ten": 10, "3ashra": 10, "3achra": 10,
    "نص": 0.5, "نصف": 0.5, "half": 0.5, "half an": 0.5, "half a": 0.5, "nos": 0.5, "nus": 0.5,
}
_NUMWORD_ALT = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_TRIGGER = (
    r"منذ|من|بقالي|بقاله|بقالها|بقالنا|بقالك|بقالو|بقالهم|صارلي|صار\s?لي|صارلنا|صرلي|صارله|"
    r"الي|ليا|لي|عندي|مر|مرت|مضى|مضت|فات|فاتت|خلال|حوالي|تقريبا|اكثر\s?من|"
    r"since|for|from|over|in|within|about|almost|more\s?than|"
    r"mn|men|min|mnd|mondo|b2ali|ba2ali|ba2alo|b2alo|baqali|sarli|sar\s?li|3andi|depuis|hadi|had"
)
_UNIT_ALT = "|".join(f"(?:{p})" for p, _, _ in _UNITS)
_UNIT_ONE = [(re.compile(rf"(?:{p})"), u, dual) for p, u, dual in _UNITS]
_AR_END = r"(?![\u0621-\u064aa-z])"
_AR_START = r"(?<![\u0621-\u064aa-z])"
_DURATION = re.compile(
    rf"{_AR_START}(?:(?P<trig>{_TRIGGER})\s?)?"
    rf"(?:(?P<num>\d+(?:[.,]\d+)?|(?:{_NUMWORD_ALT}))\s?(?:(?:و)?\s?(?P<half>نص|ونص|and a half|and half))?\s?)?"
    rf"(?P<unit>{_UNIT_ALT}){_AR_END}(?!\s?(?:ما|اللي|الي)(?![\u0621-\u064a]))(?:\s?(?P<ago>ago|فاتت|مضت|فاتو|فاتوا))?"
)
_YESTERDAY = re.compile(
    rf"{_AR_START}(?P<trig>منذ|من|since|from|mn|men|depuis)\s?(?:امبارح|امس|الامس|البارح|البارحه|yesterday|embare7|mbare7|lbare7|lbar7)"
    rf"{_AR_END}"
)


def _number(token: str) -> float | None:
    token = token.strip()
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token])
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def _hours(value: float) -> int | float:
    value = round(value, 2)
    return int(value) if value == int(value) else value


class _Claims:
    """Spans of the view already taken by a higher-priority entity."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self._spans)

    def take(self, start: int, end: int) -> None:
        self._spans.append((start, end))


def _add(out: list[Entity], view: AlignedText, kind: EntityType, value: Any, start: int, end: int) -> None:
    o_start, o_end = view.span(start, end)
    out.append(Entity(kind, value, o_start, o_end, view.original[o_start:o_end]))


def _amount_value(num: str, cur_text: str, config: EntityConfig) -> dict[str, str] | None:
    currency = "USD"
    for pattern, code in _CUR_ONE:
        if pattern.fullmatch(cur_text.strip()):
            currency = code
            break
    if currency == "RIYAL":
        currency = config.riyal_currency
    elif currency == "DIRHAM":
        currency = config.dirham_currency
    if re.fullmatch(r"\d+,\d{1,2}", num):
        num = num.replace(",", ".")  # "199,50": decimal comma
    num = num.replace(",", "")
    try:
        amount = Decimal(num)
    except InvalidOperation:
        return None
    return {"amount": str(amount), "currency": currency}


def _phone(raw: str, config: EntityConfig) -> str | None:
    """E.164 form of ``raw`` if it is a valid phone number (international, or in a region)."""
    candidate = raw.replace(" ", "").replace("-", "")
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    regions = (None,) if candidate.startswith("+") else config.phone_regions
    for region in regions:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def extract_entities(text: str, config: EntityConfig = DEFAULT_CONFIG) -> list[Entity]:
    """All entities in ``text``, sorted by position. Never raises on any ``str`` input."""
    if not text:
        return []
    view = align(text)
    s = view.text
    out: list[Entity] = []
    claims = _Claims()

    for m in _EMAIL.finditer(s):
        local, _, domain = m.group(0).partition("@")
        raw_start, raw_end = view.span(m.start(), m.end())
        typed = text[raw_start:raw_end]
        typed_local = typed.partition("@")[0]
        value = f"{typed_local if typed_local.lower() == local else local}@{domain}"
        _add(out, view, "email", value, m.start(), m.end())
        claims.take(m.start(), m.end())

    _products(view, config, out, claims)

    for m in _AMOUNT.finditer(s):
        if not claims.free(m.start(), m.end()):
            continue
        num = m.group("num1") or m.group("num2")
        cur = m.group("cur1") or m.group("cur2")
        amount = _amount_value(num, cur, config)
        if amount is not None:
            _add(out, view, "amount", amount, m.start(), m.end())
            claims.take(m.start(), m.end())

    _numbers(view, config, out, claims)
    _durations(view, out, claims)
    out.sort(key=lambda e: (e.start, e.end))
    return out


def _products(view: AlignedText, config: EntityConfig, out: list[Entity], claims: _Claims) -> None:
    s = view.text
    lo, hi = config.product_digits
    if config.product_prefixes:
        alt = "|".join(re.escape(p.lower()) for p in sorted(config.product_prefixes, key=len, reverse=True))
        latin = re.compile(rf"{_B}(?P<prefix>{alt})\s?(?:[-#:]|no\.?)?\s?(?P<id>\d(?:[ \-]?\d)*){_E}")
        for m in latin.finditer(s):
            digits = re.sub(r"\D", "", m.group("id"))
            if lo <= len(digits) <= hi and claims.free(m.start(), m.end()):
                _add(out, view, "product_number", f"{m.group('prefix').upper()}-{digits}", m.start(), m.end())
                claims.take(m.start(), m.end())
    for m in _PRODUCT_ARABIC.finditer(s):
        digits = re.sub(r"\D", "", m.group(1))
        if lo <= len(digits) <= hi and claims.free(m.start(1), m.end(1)):
            _add(out, view, "product_number", digits, m.start(1), m.end(1))
            claims.take(m.start(), m.end())


def _last(pattern: re.Pattern[str], before: str) -> int:
    """End offset of the last match of ``pattern`` in ``before`` (-1 if none)."""
    last = -1
    for m in pattern.finditer(before):
        last = m.end()
    return last


def _candidates(s: str, m: re.Match[str], config: EntityConfig) -> list[tuple[int, int]]:
    """A digit run as one id ("8123 4567"), or its parts when a part is an id on its own
    ("12345678 48 ساعة")."""
    raw = m.group(0)
    parts = [(m.start() + p.start(), m.start() + p.end()) for p in re.finditer(r"[^ ]+", raw)]
    if len(parts) > 1:
        for p_start, p_end in parts:
            digits = re.sub(r"\D", "", s[p_start:p_end])
            if config.is_order_number(digits) or (len(digits) >= 8 and _phone(s[p_start:p_end], config)):
                return parts
    return [(m.start(), m.end())]


def _numbers(view: AlignedText, config: EntityConfig, out: list[Entity], claims: _Claims) -> None:
    s = view.text
    for m in _DIGIT_RUN.finditer(s):
        for start, end in _candidates(s, m, config):
            if not claims.free(start, end):
                continue
            raw = s[start:end]
            if _DATE_LIKE.fullmatch(raw.lstrip("#")):
                continue
            before = s[max(0, start - 30) : start]
            order_at, phone_at = _last(_ORDER_WORD, before), _last(_PHONE_WORD, before)
            order_ctx = raw.startswith("#") or order_at > phone_at
            phone_ctx = phone_at > order_at
            international = raw.startswith(("+", "00"))
            phone = None if raw.startswith("#") else _phone(raw, config)
            if phone and (international or phone_ctx or (raw.startswith("0") and not order_ctx)):
                _add(out, view, "phone", phone, start, end)
                claims.take(start, end)
                continue
            digits = re.sub(r"\D", "", raw)
            if config.is_order_number(digits):
                _add(out, view, "order_number", digits, start, end)
                claims.take(start, end)


def _durations(view: AlignedText, out: list[Entity], claims: _Claims) -> None:
    s = view.text
    for m in _YESTERDAY.finditer(s):
        if claims.free(m.start(), m.end()):
            _add(out, view, "duration", {"hours": 24}, m.start(), m.end())
            claims.take(m.start(), m.end())
    for m in _DURATION.finditer(s):
        unit_text = m.group("unit")
        unit, dual = next((u, d) for p, u, d in _UNIT_ONE if p.fullmatch(unit_text))
        num_text, trig = m.group("num"), m.group("trig")
        if num_text:
            count = _number(num_text)
            if count is None:
                continue
        elif dual:
            count = 2.0
        elif trig or m.group("ago"):
            # "منذ أسبوع", "since a week": a bare unit after a trigger is one unit. Bare
            # one-letter units ("h", "d") need a number.
            if len(unit_text) <= 1:
                continue
            count = 1.0
        else:
            continue
        if m.group("half"):
            count += 0.5
        if num_text and len(unit_text) <= 1 and not re.search(r"\d", num_text):
            continue  # "a d", "one h": not a duration
        start = m.start()
        if not claims.free(start, m.end()):
            # the number may already be an order number or an amount
            continue
        _add(out, view, "duration", {"hours": _hours(count * _UNIT_HOURS[unit])}, start, m.end())
        claims.take(start, m.end())
