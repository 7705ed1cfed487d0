"""``awn whatsapp-worker``: only the WhatsApp tasks, on a short interval (replies within a second).

``awn worker`` runs the same tasks among the deadlines every 5 s; this one is for deployments that
want WhatsApp answered faster. Any number of either may run at once.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from awn.channels.whatsapp import tasks
from awn.core import clock


class Command(BaseCommand):
    help = "Process stored WhatsApp deliveries and send queued WhatsApp messages (--once: one pass)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between idle passes (default 0.5)")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            handled = tasks.inbound(clock.now()) + tasks.outbound(clock.now())
            if handled or options["once"]:
                self.stdout.write(f"whatsapp: handled {handled}")
            if options["once"] or stopping:
                return
            if not handled:
                deadline = time.monotonic() + options["interval"]
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(0.1, options["interval"]))
