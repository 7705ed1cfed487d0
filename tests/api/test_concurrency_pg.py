"""Retries racing each other on PostgreSQL: the same client_message_id, the same upsert, at once.

Runs only on PostgreSQL (the CI's second pass); SQLite serialises writers, so there is nothing to race.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from awn.channels.api.keys import create_key
from awn.channels.api.tokens import mint
from awn.helpdesk.models import Message
from awn.marketplace.models import Customer, CustomerIdentity
from tests.api.helpers import ApiClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the CI's second pass sets AWN_DATABASE_URL")


def race(n: int, call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_the_same_client_message_id_sent_at_once_is_one_message(riyadh_buyer, monkeypatch):
    from tests.api.helpers import fake_assistant

    fake_assistant(monkeypatch)
    token = mint(riyadh_buyer).token
    cid = ApiClient(token).post("/api/v1/buyer/conversations", {}).json()["id"]
    path = f"/api/v1/buyer/conversations/{cid}/messages"
    results = race(6, lambda: ApiClient(token).post(path, {"text": "وين طلبي؟", "client_message_id": "same"}))
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["message"]["id"] for r in results}) == 1
    assert len({tuple(x["id"] for x in r.json()["replies"]) for r in results}) == 1
    assert Message.objects.filter(conversation_id=cid, author="buyer").count() == 1


def test_the_same_customer_upserted_at_once_is_one_customer(db):
    key = create_key("orders-sync").plaintext
    body = {"display_name": "Layla", "market": "SA", "identities": [{"kind": "phone", "value": "0500000301"}]}
    results = race(6, lambda: ApiClient(key).put("/api/v1/customers/cust-race", body))
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert Customer.objects.filter(external_ref="cust-race").count() == 1
    assert CustomerIdentity.objects.filter(customer__external_ref="cust-race").count() == 1
