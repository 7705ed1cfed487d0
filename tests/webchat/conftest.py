from __future__ import annotations

import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("AWN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--font-render-hinting=none"]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def photo_png(width: int = 160, height: int = 120) -> bytes:
    """A small real PNG (a teal box with a white diagonal), so screenshots show something."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on_line = abs(x * height - y * width) < width * 2
            row += bytes((255, 255, 255) if on_line else (15, 118, 110))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. Missing: the test fails when CI=true, skips otherwise."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None  # type: ignore[assignment]
    if sync_playwright is None or not CHROMIUM.exists():
        why = "Playwright or Chromium is missing (pip install playwright; apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(why + " and CI=true: browser tests may not be skipped")
        pytest.skip(why)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            # While Playwright's loop runs in this thread, Django's per-thread connection registry
            # (an asgiref Local) sees an "async context" and hands the test its own connection;
            # close it here, in that context, or the test database cannot be dropped.
            from django.db import connections

            connections.close_all()
            instance.close()
            _wait_for_live_server_requests()


def _wait_for_live_server_requests(timeout: float = 5.0) -> None:
    """The live server answers each keep-alive connection in its own thread, which holds a database
    connection until the browser hangs up; wait for those threads so the test database can be dropped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        if not busy:
            return
        time.sleep(0.05)
