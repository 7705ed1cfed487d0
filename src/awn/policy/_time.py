"""Aware-datetime guards: the policy works in UTC and refuses naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` converted to UTC; raise ValueError if it is naive (or not a datetime)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name}: naive datetime {value.isoformat()}; pass a timezone-aware (UTC) datetime")
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else utc(value, name)
