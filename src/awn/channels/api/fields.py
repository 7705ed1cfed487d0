"""Input types of the API, each normalising what people and systems really send.

Identifiers (customer and seller refs, order and product numbers) are normalised: Arabic-Indic
digits become ASCII, invisible and bidi control characters are removed, then the result must match
a strict pattern. Names and titles keep what was written except the bidi *embedding, override and
isolate* controls, which could reorder what an agent sees (a "Trojan Source" style spoof); marks
and joiners that Arabic typography uses (LRM, RLM, ALM, ZWNJ, ZWJ) stay. A buyer's own message text
is never touched here: it is stored exactly as written and shown as text.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from awn.core.digits import to_ascii_digits

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u00ad]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_REF = REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$")
_ORDER = re.compile(r"^[0-9]{4,16}$")
_PRODUCT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MARKETS = ("SA", "EG", "AE", "MA")


def clean_identifier(value: str) -> str:
    """NFKC, ASCII digits, no invisible characters, no surrounding space."""
    return INVISIBLE.sub("", to_ascii_digits(unicodedata.normalize("NFKC", value))).strip()


def _identifier(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{what} must be a string")
        clean = clean_identifier(value)
        if not pattern.match(clean):
            raise ValueError(f"not a valid {what}: {value!r}")
        return clean

    return BeforeValidator(check)


def normalize_order_number(value: str) -> str:
    """What a buyer or operator typed as an order number, as stored: '#٨١٠٠٠٠٠١' → '81000001'."""
    clean = clean_identifier(value).lstrip("#").replace(" ", "").replace("-", "")
    if not _ORDER.match(clean):
        raise ValueError(f"not a valid order number: {value!r}")
    return clean


def _order_number(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("order number must be a string of digits")
    return normalize_order_number(value)


def clean_name(value: str) -> str:
    return BIDI_CONTROLS.sub("", value).strip()


def _name(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


def parse_amount(value: Any) -> Decimal:
    """An amount as a JSON number or a string, Arabic-Indic digits and separators accepted:
    '١٬٢٥٠٫٥٠' → Decimal('1250.50'). At most two decimal places, never negative."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("an amount is a number or a string such as \"120.50\"")
    text = to_ascii_digits(str(value)).strip().replace("\u066b", ".").replace("\u066c", "").replace("_", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError("an amount must be finite")
    if amount < 0:
        raise ValueError("an amount cannot be negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("an amount has at most two decimal places")
    if amount >= Decimal("1e12"):
        raise ValueError("amount too large")
    return amount.quantize(Decimal("0.01"))


def _market(value: Any) -> Any:
    if isinstance(value, str) and value.strip().upper() in MARKETS:
        return value.strip().upper()
    raise ValueError(f"market must be one of {', '.join(MARKETS)}")


def _currency(value: Any) -> Any:
    if isinstance(value, str) and _CURRENCY.match(value.strip().upper()):
        return value.strip().upper()
    raise ValueError("currency is an ISO 4217 code such as SAR")


def _timezone(value: str) -> str:
    if value == "":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


def _country(value: Any) -> Any:
    if isinstance(value, str) and re.match(r"^[A-Za-z]{2}$", value.strip()):
        return value.strip().upper()
    raise ValueError("country is an ISO 3166-1 alpha-2 code such as CN")


Ref = Annotated[str, _identifier(_REF, "reference (letters, digits, . _ : @ -; at most 64)"),
                Field(json_schema_extra={"pattern": _REF.pattern, "example": "cust-1042"})]
OrderNumber = Annotated[str, BeforeValidator(_order_number),
                        Field(json_schema_extra={"pattern": _ORDER.pattern, "example": "81000001"})]
ProductNumber = Annotated[str, _identifier(_PRODUCT, "product number"),
                          Field(json_schema_extra={"pattern": _PRODUCT.pattern, "example": "P-100001"})]
Amount = Annotated[Decimal, BeforeValidator(parse_amount), PlainSerializer(lambda d: f"{d:.2f}", return_type=str),
                   Field(json_schema_extra={"example": "120.50"})]
Market = Annotated[str, BeforeValidator(_market), Field(json_schema_extra={"enum": list(MARKETS)})]
Currency = Annotated[str, BeforeValidator(_currency), Field(json_schema_extra={"example": "SAR"})]
Country = Annotated[str, BeforeValidator(_country)]
Timezone = Annotated[str, AfterValidator(_timezone), Field(max_length=64)]


def name(max_length: int) -> Any:
    return Annotated[str, BeforeValidator(_name), Field(min_length=1, max_length=max_length)]


def text(max_length: int) -> Any:
    return Annotated[str, BeforeValidator(_name), Field(max_length=max_length)]
