"""Market policies: load, layer and strictly validate the TOML policy files.

Layers, later wins: ``markets/defaults.toml`` (the brief's figures for every rule id),
``markets/<MARKET>.toml`` (timezone, currency, weekend, local overrides), then an operator's
``<overrides_dir>/<MARKET>.toml``. Tables merge key by key; a scalar or an array replaces.
Every problem raises :class:`PolicyError` naming the file and the dotted key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from awn.policy.decision import Text
from awn.policy.errors import PolicyError
from awn.policy.vocab import (
    ESCALATION_TOPIC_KEYS,
    EVIDENCE_KEYS,
    MARKETS,
    REFUND_LINE_KINDS,
    SELLER_SILENT_OPTIONS,
    WEEKDAY_NAMES,
)

MARKETS_DIR = Path(__file__).resolve().parent / "markets"
DEFAULTS_FILE = "defaults.toml"
LANGUAGES: tuple[str, ...] = ("ar", "en")

ParamValue = int | float | tuple[str, ...]


@dataclass(frozen=True)
class ExtraHoliday:
    """A day off that the ``holidays`` package does not know (configured per market)."""

    day: date
    name: Text


@dataclass(frozen=True)
class MarketPolicy:
    """Everything the rules need to know about one market. Immutable; build with ``load_policy``."""

    market: str  # ISO country code, e.g. "SA"
    timezone: str  # IANA name, e.g. "Asia/Riyadh"
    currency: str  # ISO 4217, e.g. "SAR"
    language: str  # default language of the market's buyers: "ar" or "en"
    weekend: frozenset[int]  # Python weekday numbers, 0 = Monday
    business_hours: tuple[time, time]  # local opening and closing time on business days
    extra_holidays: tuple[ExtraHoliday, ...] = ()
    removed_holidays: frozenset[date] = frozenset()
    params: Mapping[str, Mapping[str, ParamValue]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    sources: tuple[str, ...] = field(default=(), compare=False)  # the files it was built from

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def rule(self, rule_id: str) -> dict[str, ParamValue]:
        """The parameters of one rule (a fresh dict; ``{}`` for a rule without parameters)."""
        try:
            return dict(self.params[rule_id])
        except KeyError:
            raise PolicyError(f"{rule_id}: unknown rule id", key=rule_id) from None

    def _int(self, rule_id: str, key: str) -> int:
        value = self.params[rule_id][key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(f"{rule_id}.{key}: expected an integer, got {value!r}", key=f"{rule_id}.{key}")
        return value

    def _number(self, rule_id: str, key: str) -> float:
        value = self.params[rule_id][key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyError(f"{rule_id}.{key}: expected a number, got {value!r}", key=f"{rule_id}.{key}")
        return value

    def _names(self, rule_id: str, key: str) -> tuple[str, ...]:
        value = self.params[rule_id][key]
        if not isinstance(value, tuple):
            raise PolicyError(f"{rule_id}.{key}: expected a list, got {value!r}", key=f"{rule_id}.{key}")
        return value

    # Typed accessors, one per figure of the brief's table.
    @property
    def payment_typical_hours(self) -> int:
        return self._int("payment.verification_sla", "typical_hours")

    @property
    def payment_typical_share_percent(self) -> float:
        return self._number("payment.verification_sla", "typical_share_percent")

    @property
    def payment_sla_business_hours(self) -> int:
        return self._int("payment.verification_sla", "max_business_hours")

    @property
    def payment_sla_share_percent(self) -> float:
        return self._number("payment.verification_sla", "max_share_percent")

    @property
    def payment_escalate_business_hours(self) -> int:
        return self._int("payment.verification_escalate", "after_business_hours")

    @property
    def seller_reply_window_hours(self) -> int:
        return self._int("seller.reply_window", "hours")

    @property
    def seller_silent_options(self) -> tuple[str, ...]:
        return self._names("seller.silent_options", "options")

    @property
    def issue_seller_response_hours(self) -> int:
        return self._int("issue.seller_response_window", "hours")

    @property
    def required_evidence(self) -> tuple[str, ...]:
        return self._names("issue.required_evidence", "items")

    @property
    def refund_min_business_days(self) -> int:
        return self._int("refund.processing_window", "min_business_days")

    @property
    def refund_max_business_days(self) -> int:
        return self._int("refund.processing_window", "max_business_days")

    @property
    def refund_line_kinds(self) -> tuple[str, ...]:
        return self._names("refund.partial_reasons", "kinds")

    @property
    def return_auto_refund_days(self) -> int:
        return self._int("return.auto_refund", "days")

    @property
    def free_return_lag_days(self) -> tuple[int, int]:
        rule = "return.free_return_carrier_lag"
        return (self._int(rule, "min_days"), self._int(rule, "max_days"))

    @property
    def escalation_topics(self) -> tuple[str, ...]:
        return self._names("escalate.when", "topics")


# --- validation -------------------------------------------------------------------------


class _Invalid(Exception):
    """A value is wrong; ``subkey`` (e.g. ``"[2]"`` or ``".date"``) refines the key."""

    def __init__(self, problem: str, subkey: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.subkey = subkey


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Invalid(f"expected a positive integer, got {value!r}")
    return value


def _percent(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise _Invalid(f"expected a percentage above 0 and at most 100, got {value!r}")
    return value


def _choices(allowed: tuple[str, ...], *, nonempty: bool) -> Callable[[object], tuple[str, ...]]:
    def check(value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _Invalid(f"expected a list of names from {', '.join(allowed)}; got {value!r}")
        if nonempty and not value:
            raise _Invalid("expected at least one name, got an empty list")
        seen: list[str] = []
        for index, item in enumerate(value):
            if item not in allowed:
                raise _Invalid(f"unknown name {item!r} (allowed: {', '.join(allowed)})", f"[{index}]")
            if item in seen:
                raise _Invalid(f"{item!r} is listed twice", f"[{index}]")
            seen.append(item)
        return tuple(seen)

    return check


# Every rule id of the brief's table, with the parameters it accepts and their checks.
RULE_PARAMS: Mapping[str, Mapping[str, Callable[[object], ParamValue]]] = MappingProxyType(
    {
        "payment.verification_sla": {
            "typical_hours": _positive_int,
            "typical_share_percent": _percent,
            "max_business_hours": _positive_int,
            "max_share_percent": _percent,
        },
        "payment.verification_escalate": {"after_business_hours": _positive_int},
        "seller.reply_window": {"hours": _positive_int},
        "seller.silent_options": {"options": _choices(SELLER_SILENT_OPTIONS, nonempty=False)},
        "issue.seller_response_window": {"hours": _positive_int},
        "issue.required_evidence": {"items": _choices(EVIDENCE_KEYS, nonempty=True)},
        "issue.platform_review": {},
        "refund.processing_window": {"min_business_days": _positive_int, "max_business_days": _positive_int},
        "refund.partial_reasons": {"kinds": _choices(REFUND_LINE_KINDS, nonempty=True)},
        "refund.mismatch": {},
        "return.auto_refund": {"days": _positive_int},
        "return.free_return_carrier_lag": {"min_days": _positive_int, "max_days": _positive_int},
        "order.no_modification": {},
        "order.wrong_address": {},
        "order.auto_closed": {},
        "order.missing": {},
        "escalate.when": {"topics": _choices(ESCALATION_TOPIC_KEYS, nonempty=False)},
    }
)

# (rule id, lower key, upper key): lower must not exceed upper.
_RANGES: tuple[tuple[str, str, str], ...] = (
    ("refund.processing_window", "min_business_days", "max_business_days"),
    ("return.free_return_carrier_lag", "min_days", "max_days"),
)

_MARKET_KEYS: tuple[str, ...] = (
    "timezone",
    "currency",
    "language",
    "weekend",
    "business_hours",
    "extra_holidays",
    "removed_holidays",
)
_REQUIRED_MARKET_KEYS: tuple[str, ...] = ("timezone", "currency", "language", "weekend", "business_hours")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _timezone(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid(f'expected an IANA timezone name such as "Asia/Riyadh", got {value!r}')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid(f"unknown timezone {value!r}") from None
    return value


def _currency(value: object) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise _Invalid(f'expected a 3-letter ISO currency code such as "SAR", got {value!r}')
    return value


def _language(value: object) -> str:
    if value not in LANGUAGES:
        raise _Invalid(f"expected one of {', '.join(LANGUAGES)}, got {value!r}")
    assert isinstance(value, str)
    return value


def _weekend(value: object) -> frozenset[int]:
    if not isinstance(value, list):
        raise _Invalid(f'expected a list of weekday names such as ["friday", "saturday"], got {value!r}')
    days: set[int] = set()
    for index, name in enumerate(value):
        if not isinstance(name, str) or name.strip().lower() not in WEEKDAY_NAMES:
            raise _Invalid(
                f"bad weekday name {name!r} (expected one of {', '.join(WEEKDAY_NAMES)})", f"[{index}]"
            )
        day = WEEKDAY_NAMES.index(name.strip().lower())
        if day in days:
            raise _Invalid(f"{name!r} is listed twice", f"[{index}]")
        days.add(day)
    if len(days) >= 7:
        raise _Invalid("a weekend of all seven days leaves no business day")
    return frozenset(days)


def _time(value: object) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and (match := _HHMM.fullmatch(value)):
        return time(int(match.group(1)), int(match.group(2)))
    raise _Invalid(f'expected a local time such as "09:00", got {value!r}')


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f"expected a date such as 2026-09-24, got {value!r}")


def _business_hours(value: object) -> Mapping[str, time]:
    if not isinstance(value, dict):
        raise _Invalid(f'expected a table such as {{ open = "09:00", close = "18:00" }}, got {value!r}')
    result: dict[str, time] = {}
    for key, item in value.items():
        if key not in ("open", "close"):
            raise _Invalid("unknown key (allowed: open, close)", f".{key}")
        try:
            result[key] = _time(item)
        except _Invalid as exc:
            raise _Invalid(exc.problem, f".{key}") from None
    return MappingProxyType(result)


def _extra_holidays(value: object) -> tuple[ExtraHoliday, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of {{ date, en, ar }} tables, got {value!r}")
    result: list[ExtraHoliday] = []
    for index, entry in enumerate(value):
        where = f"[{index}]"
        if not isinstance(entry, dict):
            raise _Invalid(f"expected a table {{ date, en, ar }}, got {entry!r}", where)
        for key in entry:
            if key not in ("date", "en", "ar"):
                raise _Invalid("unknown key (allowed: date, en, ar)", f"{where}.{key}")
        for key in ("date", "en", "ar"):
            if key not in entry:
                raise _Invalid("missing", f"{where}.{key}")
        try:
            day = _date(entry["date"])
        except _Invalid as exc:
            raise _Invalid(exc.problem, f"{where}.date") from None
        for key in ("en", "ar"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise _Invalid(f"expected a non-empty holiday name, got {entry[key]!r}", f"{where}.{key}")
        result.append(ExtraHoliday(day=day, name=Text(ar=entry["ar"], en=entry["en"])))
    return tuple(result)


def _removed_holidays(value: object) -> frozenset[date]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of dates, got {value!r}")
    days: set[date] = set()
    for index, item in enumerate(value):
        try:
            days.add(_date(item))
        except _Invalid as exc:
            raise _Invalid(exc.problem, f"[{index}]") from None
    return frozenset(days)


_MARKET_CHECKS: Mapping[str, Callable[[object], object]] = MappingProxyType(
    {
        "timezone": _timezone,
        "currency": _currency,
        "language": _language,
        "weekend": _weekend,
        "business_hours": _business_hours,
        "extra_holidays": _extra_holidays,
        "removed_holidays": _removed_holidays,
    }
)


@dataclass(frozen=True)
class _Layer:
    """One policy file, parsed and type-checked. Values are immutable."""

    path: Path
    market: Mapping[str, object]
    rules: Mapping[str, Mapping[str, ParamValue]]

    @property
    def name(self) -> str:
        return self.path.name


def _error(path: Path, key: str, problem: str) -> PolicyError:
    return PolicyError(f"{path.name}: {key}: {problem}", key=key, file=str(path))


def _read_layer(path: Path) -> _Layer:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: invalid TOML: {exc}", key="", file=str(path)) from None
    except OSError as exc:
        raise PolicyError(f"{path.name}: cannot read: {exc.strerror}", key="", file=str(path)) from None

    market: dict[str, object] = {}
    rules: dict[str, Mapping[str, ParamValue]] = {}
    for top, value in data.items():
        if top == "market":
            if not isinstance(value, dict):
                raise _error(path, "market", f"expected a table, got {value!r}")
            for key, item in value.items():
                check = _MARKET_CHECKS.get(key)
                if check is None:
                    raise _error(path, f"market.{key}", f"unknown key (allowed: {', '.join(_MARKET_KEYS)})")
                try:
                    market[key] = check(item)
                except _Invalid as exc:
                    raise _error(path, f"market.{key}{exc.subkey}", exc.problem) from None
            continue
        if not isinstance(value, dict):
            raise _error(
                path, top, "unknown key; expected [market] or a rule table such as [refund.processing_window]"
            )
        for name, params in value.items():
            rule_id = f"{top}.{name}"
            spec = RULE_PARAMS.get(rule_id)
            if spec is None:
                raise _error(path, rule_id, "unknown rule id")
            if not isinstance(params, dict):
                raise _error(path, rule_id, f"expected a table of parameters, got {params!r}")
            checked: dict[str, ParamValue] = {}
            for key, item in params.items():
                param_check = spec.get(key)
                if param_check is None:
                    allowed = ", ".join(spec) or "none"
                    raise _error(path, f"{rule_id}.{key}", f"unknown key (allowed: {allowed})")
                try:
                    checked[key] = param_check(item)
                except _Invalid as exc:
                    raise _error(path, f"{rule_id}.{key}{exc.subkey}", exc.problem) from None
            rules[rule_id] = MappingProxyType(checked)
    return _Layer(path=path, market=MappingProxyType(market), rules=MappingProxyType(rules))


@lru_cache(maxsize=16)
def _bundled_layer(filename: str) -> _Layer:
    """Bundled files never change at run time; parse each once. The layer is immutable."""
    return _read_layer(MARKETS_DIR / filename)


def _apply(market: dict[str, object], rules: dict[str, dict[str, ParamValue]], layer: _Layer) -> None:
    """Merge ``layer`` into the working copies (which belong to one ``load_policy`` call)."""
    for key, value in layer.market.items():
        if key == "business_hours" and isinstance(value, Mapping):
            previous = market.get(key)
            merged = dict(previous) if isinstance(previous, Mapping) else {}
            merged.update(value)
            market[key] = MappingProxyType(merged)
        else:
            market[key] = value
    for rule_id, params in layer.rules.items():
        rules.setdefault(rule_id, {}).update(params)


def _check_merged(
    market: dict[str, object], rules: dict[str, dict[str, ParamValue]], layer: _Layer, *, is_defaults: bool
) -> None:
    path = layer.path
    if is_defaults:
        for rule_id, spec in RULE_PARAMS.items():
            if rule_id not in rules:
                raise _error(path, rule_id, "missing rule table (every rule id needs one in defaults.toml)")
            for key in spec:
                if key not in rules[rule_id]:
                    raise _error(path, f"{rule_id}.{key}", "missing")
    else:
        for key in _REQUIRED_MARKET_KEYS:
            if key not in market:
                raise _error(path, f"market.{key}", "missing")
    hours = market.get("business_hours")
    if isinstance(hours, Mapping):
        for key in ("open", "close"):
            if key not in hours:
                raise _error(path, f"market.business_hours.{key}", "missing")
        if hours["open"] >= hours["close"]:
            raise _error(
                path,
                "market.business_hours",
                f"open {hours['open']:%H:%M} must be before close {hours['close']:%H:%M}",
            )
    for rule_id, low, high in _RANGES:
        params = rules.get(rule_id, {})
        lo, hi = params.get(low), params.get(high)
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            key = low if low in layer.rules.get(rule_id, {}) else high
            raise _error(path, f"{rule_id}.{key}", f"{low} ({lo}) is greater than {high} ({hi})")


def _build(market_code: str, layers: list[_Layer]) -> MarketPolicy:
    market: dict[str, object] = {}
    rules: dict[str, dict[str, ParamValue]] = {}
    for index, layer in enumerate(layers):
        _apply(market, rules, layer)
        _check_merged(market, rules, layer, is_defaults=index == 0)
    hours = market["business_hours"]
    weekend = market["weekend"]
    extra = market.get("extra_holidays", ())
    removed = market.get("removed_holidays", frozenset())
    assert isinstance(hours, Mapping) and isinstance(weekend, frozenset)
    assert isinstance(extra, tuple) and isinstance(removed, frozenset)
    return MarketPolicy(
        market=market_code,
        timezone=str(market["timezone"]),
        currency=str(market["currency"]),
        language=str(market["language"]),
        weekend=weekend,
        business_hours=(hours["open"], hours["close"]),
        extra_holidays=extra,
        removed_holidays=removed,
        params=MappingProxyType({rule_id: MappingProxyType(dict(p)) for rule_id, p in rules.items()}),
        sources=tuple(str(layer.path) for layer in layers),
    )


@lru_cache(maxsize=len(MARKETS) + 4)
def _bundled_policy(market_code: str) -> MarketPolicy:
    return _build(market_code, [_bundled_layer(DEFAULTS_FILE), _bundled_layer(f"{market_code}.toml")])


def load_policy(market: str, overrides_dir: Path | None = None) -> MarketPolicy:
    """The policy of ``market`` (an ISO code of ``MARKETS``, case-insensitive).

    ``overrides_dir`` may hold an operator's ``<MARKET>.toml`` layered on top of the bundled
    files; a missing file there simply means no overrides. The result is immutable.
    """
    code = market.strip().upper() if isinstance(market, str) else ""
    if code not in MARKETS:
        raise PolicyError(f"unknown market {market!r} (known markets: {', '.join(MARKETS)})", key="market")
    if overrides_dir is None:
        return _bundled_policy(code)
    directory = Path(overrides_dir)
    if not directory.is_dir():
        raise PolicyError(f"overrides_dir {str(directory)!r} is not a directory", key="overrides_dir")
    layers = [_bundled_layer(DEFAULTS_FILE), _bundled_layer(f"{code}.toml")]
    override = directory / f"{code}.toml"
    if override.is_file():
        layers.append(_read_layer(override))
    return _build(code, layers)
