from __future__ import annotations

from collections.abc import Iterator

import pytest

from awn.cases.policies import clear_cache
from tests.django import factories as f


@pytest.fixture(autouse=True)
def _media_and_policy(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def riyadh_buyer(db):  # type: ignore[no-untyped-def]
    return f.customer("riyadh", market="SA", phone="+966500000201", email="riyadh@test.example")


@pytest.fixture
def cairo_buyer(db):  # type: ignore[no-untyped-def]
    return f.customer("cairo", market="EG", phone="+201000000202", email="cairo@test.example")


@pytest.fixture
def dubai_buyer(db):  # type: ignore[no-untyped-def]
    return f.customer("dubai", market="AE", phone="+971500000203", email="dubai@test.example", language="en")


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return f.customer("outsider", market="SA", phone="+966500000299", email="outsider@test.example")


@pytest.fixture
def shenzhen_seller(db):  # type: ignore[no-untyped-def]
    return f.seller("shenzhen", country="CN", timezone="Asia/Shanghai")
