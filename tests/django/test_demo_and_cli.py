"""The demo marketplace, the ``awn`` command and bad arguments: clear errors, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from awn.cases.models import Case, Escalation
from awn.cases.policies import clear_cache
from awn.marketplace.models import Customer, CustomerIdentity, Order, OrderStatus
from awn.policy import PolicyError


def test_demo_covers_every_scenario_in_four_markets(db):
    out = StringIO()
    call_command("demo", stdout=out)
    assert set(Customer.objects.values_list("market", flat=True)) == {"SA", "EG", "AE", "MA"}
    assert set(Order.objects.values_list("status", flat=True)) >= {
        "pending_payment", "confirmed", "processing", "shipped", "delivered", "cancelled", "closed"}
    # Timers already due fired while loading: the 30-business-hour payment, the lapsed seller window,
    # the 12-business-day refund, the 18-day return parcel and the order past its processing deadline.
    assert Escalation.objects.filter(rule_id="payment.verification_escalate", order__order_number="81000002").exists()
    assert not Escalation.objects.filter(order__order_number__in=["81000001", "82000001"]).exists()
    assert Case.objects.get(order__order_number="84000004", kind="dispute").status == "platform_review"
    assert Case.objects.get(order__order_number="84000003", kind="dispute").status == "awaiting_seller"
    assert Case.objects.get(order__order_number="82000004", kind="refund").status == "overdue"
    assert Case.objects.get(order__order_number="81000006", kind="refund").status == "approved"
    assert Case.objects.get(order__order_number="82000006", kind="return").status == "auto_refunded"
    assert Case.objects.get(order__order_number="82000005", kind="return").status == "in_transit"
    assert Order.objects.get(order_number="82000003").status == OrderStatus.CLOSED
    assert Order.objects.get(order_number="81000008").archived
    # Placeholder numbers only, all valid E.164.
    assert all(v.startswith("+") for v in CustomerIdentity.objects.filter(kind="phone").values_list("value", flat=True))
    assert "81000002" in out.getvalue()

    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo", stdout=StringIO())


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "1.5", ""])
def test_demo_scale_rejects_bad_numbers_naming_the_argument(db, bad):
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", bad, stdout=StringIO())
    assert not Order.objects.exists()


def test_demo_scale_generates_orders_and_accepts_arabic_indic_digits(db):
    call_command("demo", "--scale", "١٢٠", "--batch-size", "50", stdout=StringIO())
    assert Order.objects.count() == 120
    assert Order.objects.filter(payments__isnull=True).count() == 0


def test_a_bad_policy_file_names_the_key_and_the_demo_writes_nothing(db, settings, tmp_path):
    (tmp_path / "SA.toml").write_text('[refund.processing_window]\nmax_business_days = "ten"\n', encoding="utf-8")
    settings.AWN_POLICY_DIR = str(tmp_path)
    clear_cache()
    with pytest.raises(PolicyError) as exc:
        call_command("demo", stdout=StringIO())
    assert "refund.processing_window.max_business_days" in str(exc.value)
    assert not Customer.objects.exists() and not Order.objects.exists()


def _awn(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "awn.cli", *args], capture_output=True, text=True, env=full_env,
                          timeout=120, check=False)


def test_awn_command_passes_django_commands_through_and_runs_the_worker(tmp_path):
    env = {"AWN_VAR_DIR": str(tmp_path), "AWN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    migrate = _awn("migrate", "--noinput", **env)
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying cases.0001_initial" in migrate.stdout
    worker = _awn("worker", "--once", **env)
    assert worker.returncode == 0 and "nothing due" in worker.stdout, worker.stderr
    bad = _awn("demo", "--scale", "zero", **env)
    assert bad.returncode != 0 and "--scale" in bad.stderr
    rehearsal = _awn("worker", "--once", AWN_NOW="2026-04-02T12:00:00", **env)
    assert rehearsal.returncode != 0 and "AWN_NOW must carry a UTC offset" in rehearsal.stderr
    prod = _awn("worker", "--once", AWN_NOW="+2d", AWN_PRODUCTION="1", AWN_SECRET_KEY="x" * 50, **env)
    assert prod.returncode != 0 and "refused when AWN_PRODUCTION=1" in prod.stderr
