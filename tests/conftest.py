"""Shared personas: a buyer in Riyadh, a buyer in Cairo, a buyer in Dubai, a seller in Shenzhen, an outsider."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("AWN_DATABASE_URL") or "sqlite (embedded default)"
    return f"awn database: {url}"


@pytest.fixture
def now() -> datetime:
    """Tuesday 1 December 2026, 09:00 UTC (12:00 in Riyadh): a plain business day in every market."""
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
