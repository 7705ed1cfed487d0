"""Where the Django side gets a market's policy and calendar (parsed once per process)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from awn.policy import BusinessCalendar, MarketPolicy, load_policy


@lru_cache(maxsize=32)
def _load(market: str, overrides_dir: str | None) -> MarketPolicy:
    return load_policy(market, Path(overrides_dir) if overrides_dir else None)


def policy_for(market: str) -> MarketPolicy:
    return _load(market, getattr(settings, "AWN_POLICY_DIR", None))


@lru_cache(maxsize=32)
def _calendar(market: str, overrides_dir: str | None) -> BusinessCalendar:
    return BusinessCalendar.of(_load(market, overrides_dir))


def calendar_for(market: str) -> BusinessCalendar:
    return _calendar(market, getattr(settings, "AWN_POLICY_DIR", None))


def clear_cache() -> None:
    _load.cache_clear()
    _calendar.cache_clear()
