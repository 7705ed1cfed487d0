from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import ApiClient, fake_assistant


@pytest.fixture
def api_key(db: Any) -> str:
    from awn.channels.api.keys import create_key

    return create_key("orders-sync").plaintext


@pytest.fixture
def operator(api_key: str) -> ApiClient:
    return ApiClient(api_key)


@pytest.fixture
def buyer_api():  # type: ignore[no-untyped-def]
    """``buyer_api(customer)``: a client holding a fresh chat token for that customer."""
    from awn.channels.api.tokens import mint

    def make(customer: Any) -> ApiClient:
        return ApiClient(mint(customer).token)

    return make


@pytest.fixture
def assistant(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    return fake_assistant(monkeypatch)
