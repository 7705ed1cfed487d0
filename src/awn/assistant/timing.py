"""Per-request timing of the turn path, for the ``Server-Timing`` header of the buyer API.

Off unless ``AWN_SERVER_TIMING=1`` (setting or environment): then the buyer API's send-message endpoint
answers with ``Server-Timing: view;dur=…, assistant;dur=…, engine;dur=…`` (milliseconds), which the
HTTP benchmark (``bench/chat_http.py``) sums to report the language engine's share of a turn.
Counters are per thread (gunicorn gthread workers serve one request per thread at a time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


def reset() -> None:
    _local.totals = {}


def add(name: str, seconds: float) -> None:
    totals = getattr(_local, "totals", None)
    if totals is not None:
        totals[name] = totals.get(name, 0.0) + seconds


@contextmanager
def measure(name: str) -> Iterator[None]:
    if getattr(_local, "totals", None) is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - started)


def take() -> dict[str, float]:
    totals = getattr(_local, "totals", None) or {}
    _local.totals = None
    return totals


def header(totals: dict[str, float]) -> str:
    return ", ".join(f"{name};dur={seconds * 1000:.3f}" for name, seconds in totals.items())
