"""``awn worker``: fire due deadlines (``--once`` fires what is due and exits, for cron and tests)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awn.cases.deadlines import FireResult, fire_due
from awn.core import clock
from awn.core.tasks import registered_tasks


class Command(BaseCommand):
    help = "Fire due deadlines: seller windows, automatic refunds, late refunds, payment escalations, unshipped orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="fire what is due now, print a summary, and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between scans (default 5)")
        parser.add_argument("--batch-size", type=int, default=500, help="rows claimed per transaction (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        name = f"{socket.gethostname()}:{os.getpid()}"
        if options["once"]:
            self._report(fire_due(clock.now(), batch_size=options["batch_size"], worker=name))
            self._run_tasks(report_idle=False)
            return
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"awn worker {name}: scanning every {options['interval']} s (Ctrl+C to stop)")
        while not stopping:
            result = fire_due(clock.now(), batch_size=options["batch_size"], worker=name)
            if result.total or result.rescheduled or result.failed:
                self._report(result)
            self._run_tasks(report_idle=False)
            deadline = time.monotonic() + options["interval"]
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)

    def _run_tasks(self, *, report_idle: bool) -> None:
        for task_name, task in registered_tasks().items():
            try:
                handled = task(clock.now())
            except Exception:  # one failing task must not stop the deadlines or the other tasks
                logging.getLogger("awn.worker").exception("task %s failed", task_name)
                continue
            if handled or report_idle:
                self.stdout.write(f"{task_name}: handled {handled}")

    def _report(self, result: FireResult) -> None:
        parts = [f"{name}={count}" for name, count in sorted(result.fired.items())]
        timing = ""
        if result.batch_seconds:
            ms = sorted(s * 1000 for s in result.batch_seconds)
            timing = f"; {len(ms)} batches, p50 {ms[len(ms) // 2]:.1f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.1f} ms"
        self.stdout.write(
            f"fired {result.total} ({', '.join(parts) or 'nothing due'}); "
            f"rescheduled {result.rescheduled}; failed {result.failed}{timing}"
        )
