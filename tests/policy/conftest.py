"""Shared personas for the policy tests (no Django): one market policy per buyer."""

from __future__ import annotations

import pytest

from awn.policy import MarketPolicy, load_policy


@pytest.fixture
def sa() -> MarketPolicy:
    """The market of the buyer in Riyadh."""
    return load_policy("SA")


@pytest.fixture
def eg() -> MarketPolicy:
    """The market of the buyer in Cairo."""
    return load_policy("EG")


@pytest.fixture
def ae() -> MarketPolicy:
    return load_policy("AE")


@pytest.fixture
def ma() -> MarketPolicy:
    return load_policy("MA")
