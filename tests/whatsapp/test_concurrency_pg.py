"""Two processes receive the same deliveries at the same moment on PostgreSQL: one message, one reply, one send.

Runs only on PostgreSQL (the CI's second pass); SQLite serialises writers, so there is nothing to race.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from awn.channels.whatsapp.models import Delivery, InboundMessage, Outbound, StatusUpdate
from awn.helpdesk.models import Message
from tests.whatsapp.conftest import SECRET, status_delivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 6
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the CI's second pass sets AWN_DATABASE_URL")
    s = connection.settings_dict
    return f"postgresql://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def race(pg_url: str, processes: int = 2) -> list[str]:
    env = {**os.environ, "AWN_DATABASE_URL": pg_url, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'src'}"}
    start = time.time() + 4  # both have imported Django by then
    procs = [subprocess.Popen([sys.executable, "-m", "tests.whatsapp.race_worker", str(start), str(ROUNDS), SECRET],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, (out, err)
    return [out for out, _ in outputs]


def test_two_processes_same_deliveries_same_moment(pg_url, accounts, riyadh_buyer, graph):
    race(pg_url)
    assert Delivery.objects.count() == 2 * ROUNDS  # each process stored its copy …
    assert set(Delivery.objects.values_list("state", flat=True)) == {"done"}
    assert InboundMessage.objects.count() == ROUNDS  # … and each message exists once
    assert sum(d.summary["duplicates"] for d in Delivery.objects.all()) == ROUNDS  # the other copy conflicted
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {"done"}
    buyer = Message.objects.filter(author="buyer")
    assert buyer.count() == ROUNDS and buyer.values("conversation").distinct().count() == 1
    assert Message.objects.filter(author="assistant").count() == ROUNDS  # one reply each
    assert not Message.objects.values("client_message_id").filter(author="buyer").annotate(n=Count("id")).filter(n__gt=1)
    texts = [b["text"]["body"] for b in graph.sent("text", attempted=True)]
    assert sorted(texts) == sorted(f"رد على رسالة {i}" for i in range(ROUNDS))  # each sent exactly once
    assert len(graph.sent("read", attempted=True)) == ROUNDS
    assert Outbound.objects.filter(state="sent").count() == 2 * ROUNDS


def test_concurrent_duplicate_statuses_are_one_row_and_move_forward(pg_url, accounts, graph, client):
    """The same status deliveries posted by two processes at once (raw SQL-free: through the webhook)."""
    from concurrent.futures import ThreadPoolExecutor

    from awn.channels.whatsapp import inbound
    from awn.core import clock
    from tests.whatsapp.conftest import meta_bytes, post

    bodies = [meta_bytes(status_delivery("wamid.CONC", s)) for s in ("read", "delivered", "sent")] * 3
    for body in bodies:
        assert post(client, body).status_code == 200

    def worker(_: int) -> int:
        from django.db import connections

        try:
            return inbound.read_deliveries(clock.now(), limit=3)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(worker, range(6)))
    inbound.read_deliveries(clock.now())
    assert sorted(StatusUpdate.objects.values_list("status", flat=True)) == ["delivered", "read", "sent"]
