"""Shared personas: a buyer in Riyadh, a buyer in Cairo, a buyer in Dubai, a seller in Shenzhen, an outsider.

Django-backed fixtures live here so every test folder (django/, assistant/, api/, webchat/,
whatsapp/) shares them; the plain-Python suites (policy/, nlu/) never request them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wall-clock",
        metavar="ISO_INSTANT",
        help="run the whole session with this process's clock moved to this instant (ticking), e.g. "
        "2027-12-20T10:00:00Z: finds tests that pass only while the machine's date is near the fixed `now`",
    )


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("AWN_DATABASE_URL") or "sqlite (embedded default)"
    moved = config.getoption("--wall-clock")
    return f"awn database: {url}" + (f"; wall clock moved to {moved}" if moved else "")


@pytest.fixture(autouse=True, scope="session")
def _moved_wall_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    instant = request.config.getoption("--wall-clock")
    if not instant:
        yield
        return
    import time_machine

    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture
def now() -> datetime:
    """Tuesday 1 December 2026, 09:00 UTC (12:00 in Riyadh): a plain business day in every market."""
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock_at_now(now: datetime) -> Iterator[datetime]:
    """The wall clock stopped at ``now``, for tests whose code reads the clock implicitly (a record
    stamped on arrival, an on-commit hook) beside times the test passes explicitly. Without it such a
    test depends on the date it runs: ``now`` is fixed, the machine's date is not."""
    import time_machine

    with time_machine.travel(now, tick=False):
        yield now


@pytest.fixture(autouse=True)
def _isolated_media_and_policy(request: pytest.FixtureRequest, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tests that touch the database get their own media folder and a fresh policy cache."""
    uses_db = bool({"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)) or request.node.get_closest_marker("django_db")
    if not uses_db:
        yield
        return
    from awn.cases.policies import clear_cache

    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    _fresh_rate_limit_counters(settings)
    clear_cache()
    yield
    clear_cache()


def _fresh_rate_limit_counters(settings) -> None:  # type: ignore[no-untyped-def]
    """Each test starts with no buyer API rate-limit counts (awn.channels.api.ratelimit): customer
    ids repeat between tests and several tests freeze the clock at the same instant. The in-process
    cache is emptied; a shared one (AWN_CACHE_URL set when running the tests) is never flushed: the
    test gets an in-process cache instead."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from awn.channels.api import ratelimit

    ratelimit.reset()
    cache = caches[settings.AWN_RATE_LIMIT_CACHE]
    if isinstance(cache, LocMemCache):
        cache.clear()
    else:
        local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "awn-tests"}
        settings.CACHES = {"default": local, settings.AWN_RATE_LIMIT_CACHE: local}
        caches[settings.AWN_RATE_LIMIT_CACHE].clear()


@pytest.fixture
def riyadh_buyer(db):  # type: ignore[no-untyped-def]
    from tests.django import factories as f

    return f.customer("riyadh", market="SA", phone="+966500000201", email="riyadh@test.example")


@pytest.fixture
def cairo_buyer(db):  # type: ignore[no-untyped-def]
    from tests.django import factories as f

    return f.customer("cairo", market="EG", phone="+201000000202", email="cairo@test.example")


@pytest.fixture
def dubai_buyer(db):  # type: ignore[no-untyped-def]
    from tests.django import factories as f

    return f.customer("dubai", market="AE", phone="+971500000203", email="dubai@test.example", language="en")


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    from tests.django import factories as f

    return f.customer("outsider", market="SA", phone="+966500000299", email="outsider@test.example")


@pytest.fixture
def shenzhen_seller(db):  # type: ignore[no-untyped-def]
    from tests.django import factories as f

    return f.seller("shenzhen", country="CN", timezone="Asia/Shanghai")


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("agent-amal", password="not-used-in-tests", is_staff=True)
