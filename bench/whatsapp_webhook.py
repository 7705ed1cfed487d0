"""WhatsApp webhook: signed deliveries acknowledged per second, and ack latency at a steady rate.

    .venv/bin/python bench/whatsapp_webhook.py [--db sqlite|postgres] [--server gunicorn|runserver]
        [--workers 2] [--threads 8] [--burst 3000] [--concurrency 16] [--rate 200] [--duration 30] [--with-worker]

A fresh database (SQLite in a temporary AWN_VAR_DIR, or ``awn_bench_wa`` on 127.0.0.1:5432), migrated,
with one WhatsApp account configured through ``awn whatsapp-setup``; the server runs as a real
process on 127.0.0.1 (gunicorn gthread workers by default; ``awn runserver --noreload`` with
``--server runserver``). Every request is a distinct delivery (an Arabic text, escaped and signed as
Meta sends it).

1. Throughput: ``--burst`` deliveries with ``--concurrency`` connections at once; acknowledged/s.
2. Steady rate: ``--rate`` deliveries per second, open loop (each request is due at t0 + i/rate,
   whatever came back before), for ``--duration`` seconds. Latency is measured from the moment a
   request was due, so a stalled server cannot hide queueing (no coordinated omission).
3. Nothing lost: every acknowledged delivery is a stored ``whatsapp_delivery`` row, byte for byte.

Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

SECRET = "bench-app-secret"  # noqa: S105
PNID = "600000000000001"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "awn_bench_wa"


def body(i: int, run: str) -> bytes:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "500000000000001", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "966110000000", "phone_number_id": PNID},
            "contacts": [{"profile": {"name": "مشتري"}, "wa_id": f"9665{i % 10_000_000:08d}",
                          "user_id": f"SA.{i:020d}"}],
            "messages": [{"from": f"9665{i % 10_000_000:08d}", "id": f"wamid.BENCH-{run}-{i}",
                          "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": f"السلام عليكم، وين طلبي رقم ٨١٠٠٠٠{i % 100:02d}؟"}}]}}]}]}
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def signed(raw: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json",
            "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "AWN_DEBUG": "0", "AWN_LOG_LEVEL": "WARNING", "AWN_WA_APP_SECRET": SECRET,
           "AWN_WA_VERIFY_TOKEN": "bench", "AWN_WA_ACCESS_TOKEN": "bench"}
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["AWN_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
        env["AWN_DB_CONN_MAX_AGE"] = "60"
    else:
        env["AWN_VAR_DIR"] = tempfile.mkdtemp(prefix="awn-bench-wa-")
        env["AWN_DATABASE_URL"] = ""
    awn = [sys.executable, "-m", "awn.cli"]
    subprocess.run([*awn, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    # The Graph API is pointed at a closed local port: a worker started with --with-worker never leaves 127.0.0.1.
    subprocess.run([*awn, "whatsapp-setup", "--account", "bench", "--graph-url", "http://127.0.0.1:9",
                    "--number", f"{PNID}:500000000000001:966110000000:SA"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def start_server(args: argparse.Namespace, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    if args.server == "gunicorn":
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        cmd = [gunicorn, "awn.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--worker-class", "gthread", "--threads", str(args.threads), "--keep-alive", "30",
               "--backlog", "2048", "--log-level", "warning"]
    else:
        cmd = [sys.executable, "-m", "awn.cli", "runserver", "--noreload", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


class Sender:
    """A keep-alive HTTP/1.1 connection per thread (``http.client``: little client CPU per request)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, raw: bytes) -> int:
        for attempt in (1, 2):  # a connection the server closed meanwhile is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", "/webhooks/whatsapp/", body=raw, headers=signed(raw))
                response = self.conn.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0
        return 0


def burst(port: int, n: int, concurrency: int, run: str) -> tuple[float, int, list[float]]:
    jobs: queue.Queue[bytes] = queue.Queue()
    for i in range(n):
        jobs.put(body(i, run))
    ok = [0] * concurrency
    latencies: list[float] = []

    def worker(k: int) -> None:
        sender = Sender(port)
        while True:
            try:
                raw = jobs.get_nowait()
            except queue.Empty:
                return
            t = time.perf_counter()
            status = sender.post(raw)
            latencies.append(time.perf_counter() - t)
            ok[k] += status == 200

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(ok), latencies


def steady(port: int, rate: float, duration: float, run: str, senders: int) -> tuple[list[float], int, int, float]:
    """Open loop: request i is due at t0 + i / rate; latency counts from the due time."""
    n = int(rate * duration)
    bodies = [body(i, run) for i in range(n)]
    due: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
    latencies: list[float] = []
    failures = [0]
    lag = [0.0]

    def worker() -> None:
        sender = Sender(port)
        while True:
            job = due.get()
            if job is None:
                return
            at, raw = job
            lag[0] = max(lag[0], time.perf_counter() - at)
            status = sender.post(raw)
            latencies.append(time.perf_counter() - at)
            if status != 200:
                failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    for t in threads:
        t.start()
    t0 = time.perf_counter() + 0.2
    for i, raw in enumerate(bodies):
        at = t0 + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((at, raw))
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    return latencies, n, failures[0], lag[0]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def stored(env: dict[str, str]) -> tuple[int, int]:
    """Delivery rows in the (fresh) bench database, and how many of them the worker has read."""
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','awn.settings'); django.setup();"
            "from awn.channels.whatsapp.models import Delivery;"
            "print(Delivery.objects.count(), Delivery.objects.filter(state='done').count())")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    total, done = out.strip().splitlines()[-1].split()
    return int(total), int(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--senders", type=int, default=32, help="client threads in the steady phase")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--with-worker", action="store_true", help="run `awn whatsapp-worker` meanwhile")
    args = parser.parse_args()
    if args.duration > 300 or args.burst > 100_000:
        raise SystemExit("bounded: --duration ≤ 300 s and --burst ≤ 100000")
    env = prepare(args)
    port = free_port()
    server = start_server(args, env, port)
    worker = None
    if args.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "awn.cli", "whatsapp-worker", "--interval", "0.2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        burst(port, 200, args.concurrency, "warmup")
        elapsed, ok, lat = burst(port, args.burst, args.concurrency, "burst")
        print(f"[{args.db}, {args.server} x{args.workers if args.server == 'gunicorn' else 1}"
              f"{', worker running' if worker else ''}]")
        print(f"throughput: {ok}/{args.burst} acknowledged in {elapsed:.2f} s = {ok / elapsed:,.0f} deliveries/s "
              f"(concurrency {args.concurrency}; per-request p50 {pct(lat, .5):.1f} ms, p99 {pct(lat, .99):.1f} ms)")
        latencies, n, failures, late = steady(port, args.rate, args.duration, "steady", args.senders)
        print(f"steady {args.rate:.0f}/s for {args.duration:.0f} s: {n} sent, {failures} not acknowledged; latency "
              f"p50 {pct(latencies, .5):.1f} ms, p90 {pct(latencies, .9):.1f} ms, p99 {pct(latencies, .99):.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms (client start lag max {late * 1000:.1f} ms)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
    total, done = stored(env)
    expected = 200 + args.burst + int(args.rate * args.duration)
    print(f"stored deliveries: {total} of {expected} acknowledged ({'nothing lost' if total == expected else 'LOST'})"
          + (f"; {done} already read by the worker" if worker is not None else ""))
    if env.get("AWN_VAR_DIR", "").startswith(tempfile.gettempdir()):
        shutil.rmtree(env["AWN_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
