"""Four worker processes over the same due deadlines on PostgreSQL: zero double effects.

Runs only on PostgreSQL (the CI's second pass); SQLite serialises writers, so there is nothing to race.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Count

from awn.cases.models import Case, Escalation, RefundLine
from awn.core.models import AuditEvent
from awn.marketplace.demo import load_due_deadlines
from awn.marketplace.models import Order, OrderStatusChange, Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the CI's second pass sets AWN_DATABASE_URL")
    s = connection.settings_dict
    return f"postgresql://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_four_workers_fire_every_due_deadline_exactly_once(pg_url):
    counts = load_due_deadlines(2000, NOW)
    env = {**os.environ, "AWN_DATABASE_URL": pg_url, "AWN_NOW": NOW.isoformat()}
    procs = [
        subprocess.Popen([sys.executable, "-m", "awn.cli", "worker", "--once", "--batch-size", "25"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    # Every worker did part of the work (they raced over the same rows).
    fired = [int(out.split("fired ")[1].split(" ")[0]) for out, _ in outputs]
    assert sum(fired) == 2000, outputs

    # Exactly one effect per timer.
    assert Case.objects.filter(kind="dispute", status="platform_review").count() == counts["dispute"]
    assert Case.objects.filter(kind="return", status="auto_refunded").count() == counts["return"]
    assert Case.objects.filter(kind="refund", status="overdue").count() == counts["refund"]
    assert Escalation.objects.filter(rule_id="payment.verification_escalate").count() == counts["payment"]
    assert Order.objects.filter(status="closed", closed_reason="seller_delay").count() == counts["order"]
    assert not Case.objects.filter(deadline_at__lte=NOW).exists()
    assert not Payment.objects.filter(escalate_at__isnull=False).exists()

    # No subject has two transitions to the same status, two escalations, two refunds or two closures.
    doubled = (AuditEvent.objects.filter(action="transition").values("subject_id", "new_value")
               .annotate(n=Count("id")).filter(n__gt=1))
    assert not doubled.exists()
    assert not Escalation.objects.values("dedupe_key").annotate(n=Count("id")).filter(n__gt=1).exists()
    refunds_per_order = Counter(Case.objects.filter(kind="refund", opened_by="timer").values_list("order_id", flat=True))
    assert refunds_per_order and max(refunds_per_order.values()) == 1
    assert len(refunds_per_order) == counts["return"] + counts["order"]
    assert RefundLine.objects.filter(case__opened_by="timer").count() >= len(refunds_per_order)
    closures = Counter(OrderStatusChange.objects.filter(new_status="closed").values_list("order_id", flat=True))
    assert len(closures) == counts["order"] and max(closures.values()) == 1


def test_a_worker_killed_mid_run_leaves_no_half_effects_and_the_next_run_finishes_exactly_once(pg_url):
    import signal
    import time

    counts = load_due_deadlines(3000, NOW, prefix="5")
    env = {**os.environ, "AWN_DATABASE_URL": pg_url, "AWN_NOW": NOW.isoformat()}
    victim = subprocess.Popen([sys.executable, "-m", "awn.cli", "worker", "--once", "--batch-size", "20"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill it as soon as it has committed some batches but (almost surely) not all of them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Escalation.objects.exists():
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    left = Case.objects.filter(deadline_at__lte=NOW).count() + Payment.objects.filter(escalate_at__isnull=False).count()
    assert 0 < left < 3000, "the kill should land mid-run (150 batches of 20)"
    # Every claimed-and-committed batch is whole: an escalated case has its transition row and vice versa.
    for case in Case.objects.filter(kind="dispute", status="platform_review"):
        assert AuditEvent.objects.filter(subject_type="case", subject_id=case.pk, new_value="platform_review").count() == 1
        assert Escalation.objects.filter(case=case).count() == 1

    finisher = subprocess.run([sys.executable, "-m", "awn.cli", "worker", "--once"], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
    assert finisher.returncode == 0, finisher.stderr
    assert Case.objects.filter(kind="dispute", status="platform_review").count() == counts["dispute"]
    assert Escalation.objects.count() == counts["dispute"] + counts["refund"] + counts["payment"]
    assert Order.objects.filter(status="closed").count() == counts["order"]
    assert not AuditEvent.objects.filter(action="transition").values("subject_id", "new_value").annotate(
        n=Count("id")).filter(n__gt=1).exists()
