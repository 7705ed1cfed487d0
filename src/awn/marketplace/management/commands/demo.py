"""``awn demo``: load the fictional demo marketplace; ``awn demo --scale N``: N orders for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awn.core import clock
from awn.marketplace.demo import DemoError, load_demo, load_scale


def _positive_int(name: str):  # type: ignore[no-untyped-def]
    def parse(raw: str) -> int:
        from awn.core.digits import to_ascii_digits

        text = to_ascii_digits(raw).replace("_", "").replace(",", "")
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{name} must be a positive whole number, got {raw!r}")
        return int(text)

    parse.__name__ = name  # argparse names the argument in its error
    return parse


class Command(BaseCommand):
    help = "Load the demo marketplace (buyers in SA, EG, AE and MA with an order for every scenario), or N orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=_positive_int("--scale"), help="generate this many orders with bulk inserts")
        parser.add_argument("--seed", type=int, default=7, help="random seed for --scale (default 7)")
        parser.add_argument("--batch-size", type=_positive_int("--batch-size"), default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        started = time.perf_counter()
        try:
            if options["scale"]:
                total = options["scale"]

                def progress(done: int) -> None:
                    if done % 100_000 == 0 or done == total:
                        self.stdout.write(f"  {done:,} / {total:,} orders ({time.perf_counter() - started:.1f} s)")

                made = load_scale(total, now, seed=options["seed"], batch_size=options["batch_size"], progress=progress)
                self.stdout.write(self.style.SUCCESS(f"generated {made:,} orders in {time.perf_counter() - started:.1f} s"))
                return
            summary = load_demo(now)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"demo marketplace loaded: {summary.customers} buyers, {summary.orders} orders, {summary.cases} cases"
        ))
        for number, buyer, scenario in summary.scenarios:
            self.stdout.write(f"  {number}  {buyer:<18} {scenario}")
