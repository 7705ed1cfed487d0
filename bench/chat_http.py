"""Conversations over HTTP: many simulated buyers chatting through the buyer API on PostgreSQL.

    .venv/bin/python bench/chat_http.py [--orders 50000] [--workers 2] [--threads 2] [--rate 200]
        [--duration 60] [--concurrency 48] [--burst-seconds 20] [--senders 64]

1. A fresh database ``awn_bench_chat`` on 127.0.0.1:5432 (DROP/CREATE), migrated; the demo
   marketplace (``load_demo``) plus ``--orders`` generated orders (``load_scale``: one buyer per
   five orders, each with items, payments and shipments); an operator API key (``create_key``).
2. The server as a real process: ``gunicorn awn.wsgi:application -c src/awn/gunicorn.conf.py``
   (``--workers`` 2 processes x ``--threads`` 2 threads, gthread, keep-alive) with
   ``AWN_DB_CONN_MAX_AGE=60`` and ``AWN_SERVER_TIMING=1`` (the buyer API then answers with a
   ``Server-Timing`` header: the view's time, the assistant's, and the language engine's).
3. Over HTTP: chat tokens minted through the operator API (``POST /api/v1/chat-tokens``) and a
   conversation started per buyer (``POST /api/v1/buyer/conversations``), before the clock starts.
4. Turns (``POST /api/v1/buyer/conversations/{id}/messages``): each simulated buyer plays one short
   script about their own orders (Arabic, Gulf/Egyptian/Maghrebi dialect, Arabizi, English: where
   is my order, refund status with an order number, cancel -> yes, a damaged item, payment, thanks),
   one turn at a time (a buyer waits for the answer before writing again), then the next buyer.

   a. Throughput: ``--concurrency`` buyers back to back for ``--burst-seconds``: turns/s.
   b. Steady rate: ``--rate`` turns per second, open loop, for ``--duration`` seconds. Turn i is due
      at t0 + i/rate and goes to a buyer who is not waiting for an answer; its latency counts from
      the due time to the replies being read, so a stalled server cannot hide queueing.

   A turn is an error unless it answers 201 with at least one reply (a turn after a handoff is
   answered by people, so it is counted apart as ``silent``). The engine's share is the sum of the
   engine's time over the sum of the view's time in the ``Server-Timing`` headers.

Only 127.0.0.1 is contacted; every loop is bounded in count and time. The HTTP client for turns is
``http.client`` on keep-alive connections (one per sender thread: little client CPU on a machine the
server shares); set-up uses httpx.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "awn_bench_chat"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
RUN = f"{os.getpid()}-{int(time.time())}"  # client message ids are new on every run (--skip-load)

# One script per conversation: turns are (text, choice_id); {o} is one of the buyer's own orders.
SCRIPTS: list[list[tuple[str, str]]] = [
    [("السلام عليكم", ""), ("وين طلبي رقم {o}؟", ""), ("شكرا جزيلا", "")],
    [("ممكن اعرف حالة الاسترداد للطلب {o}", ""), ("متى يوصلني المبلغ؟", "")],
    [("الطلب {o} متى يوصل؟ صار لي اسبوع انتظر", ""), ("مشكور", "")],
    [("فين الاوردر بتاعي {o} بقالي ٣ أيام", ""), ("تمام شكرا", "")],
    [("wen talabi {o}? sarli 5 ayam", ""), ("shukran", "")],
    [("Where is my order {o}?", ""), ("thanks!", "")],
    [("What is the status of my refund for order {o}?", ""), ("ok thank you", "")],
    [("ابغى الغي الطلب {o}", ""), ("نعم", "yes")],
    [("I want to cancel order {o}", ""), ("yes", "yes")],
    [("وصلني المنتج مكسور، الطلب {o}", "")],
    [("The item in order {o} arrived damaged", "")],
    [("فين وصلات الكوموند ديالي {o}؟", ""), ("شكرا بزاف", "")],
    [("دفعت ولسا الطلب {o} ما تأكد", ""), ("طيب", "")],
    [("مرحبا", ""), ("٫", ""), ("طلبي {o} وين وصل", "")],
]


@dataclass
class Buyer:
    token: str
    conversation: int
    orders: list[str]
    script: list[tuple[str, str]] = field(default_factory=list)
    step: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(args: argparse.Namespace, env: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
    """Fresh database, migrated and loaded; returns an operator API key and each buyer's orders."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    awn = [sys.executable, "-m", "awn.cli"]
    subprocess.run([*awn, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    return load_and_key(env, args.orders)


def load_and_key(env: dict[str, str], orders: int) -> tuple[str, dict[str, list[str]]]:
    """In a Django process: load the demo and ``orders`` generated orders (0: nothing), create an
    operator API key; returns the key and each generated buyer's order numbers."""
    load = f"now = clock.now(); load_demo(now); load_scale({int(orders)}, now)\n" if orders else ""
    code = (
        "import json, django; django.setup()\n"
        "from awn.core import clock\n"
        "from awn.marketplace.demo import load_demo, load_scale\n"
        "from awn.channels.api.keys import create_key\n"
        "from awn.marketplace.models import Order\n"
        f"{load}"
        "key = create_key('bench-chat').plaintext\n"
        "orders = {}\n"
        "for ref, number in Order.objects.filter(customer__external_ref__contains='scale').values_list(\n"
        "        'customer__external_ref', 'order_number').order_by('id'):\n"
        "    orders.setdefault(ref, []).append(number)\n"
        "print(json.dumps({'key': key, 'orders': orders}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "awn.settings"},
                         check=True, capture_output=True, text=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["key"], data["orders"]


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return [gunicorn, "awn.wsgi:application", "-c", str(ROOT / "src/awn/gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads)]


def start_server(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
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


def open_buyers(port: int, key: str, orders: dict[str, list[str]], n: int, seed: int) -> list[Buyer]:
    """Mint a token (operator API) and start a conversation (buyer API) for ``n`` buyers, 16 at a time."""
    refs = sorted(orders)[:n]
    rng = random.Random(seed)  # noqa: S311 - reproducible load, not secrets
    base = f"http://127.0.0.1:{port}/api/v1"
    out: list[Buyer | None] = [None] * len(refs)
    jobs: queue.Queue[int] = queue.Queue()
    for i in range(len(refs)):
        jobs.put(i)

    def work() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    i = jobs.get_nowait()
                except queue.Empty:
                    return
                r = client.post(f"{base}/chat-tokens", json={"customer": refs[i], "ttl_seconds": 3600},
                                headers={"Authorization": f"Bearer {key}"})
                r.raise_for_status()
                token = r.json()["token"]
                lang = "en" if i % 4 == 2 else "ar"
                r = client.post(f"{base}/buyer/conversations", json={"language": lang},
                                headers={"Authorization": f"Bearer {token}"})
                r.raise_for_status()
                out[i] = Buyer(token=token, conversation=r.json()["id"], orders=orders[refs[i]])

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    buyers = [b for b in out if b is not None]
    for b in buyers:
        b.script = [(text.replace("{o}", rng.choice(b.orders)), choice)
                    for text, choice in rng.choice(SCRIPTS)]
    return buyers


@dataclass
class Result:
    latency: float
    status: int
    replies: int
    timing: dict[str, float]


class Sender:
    """A keep-alive HTTP/1.1 connection (``http.client``)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.n = 0

    def turn(self, buyer: Buyer) -> Result:
        text, choice = buyer.script[buyer.step]
        self.n += 1
        body = {"text": text, "client_message_id": f"{RUN}-{buyer.conversation}-{buyer.step}"}
        if choice:
            body["choice_id"] = choice
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {buyer.token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        for attempt in (1, 2):  # a connection the server closed meanwhile is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", f"/api/v1/buyer/conversations/{buyer.conversation}/messages",
                                  body=raw, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                elapsed = time.perf_counter() - started
                replies = len(json.loads(payload).get("replies", [])) if response.status < 300 else 0
                return Result(elapsed, response.status, replies, parse_timing(response.getheader("Server-Timing", "")))
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return Result(time.perf_counter() - started, 0, 0, {})
        return Result(time.perf_counter() - started, 0, 0, {})


def parse_timing(header: str) -> dict[str, float]:
    out = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            out[name] = float(rest) / 1000
    return out


class Buyers:
    """Buyers not waiting for an answer; a buyer whose script is done leaves, the next one arrives."""

    def __init__(self, buyers: list[Buyer]) -> None:
        self.idle: queue.Queue[Buyer] = queue.Queue()
        self.fresh = iter(buyers)
        self.lock = threading.Lock()

    def take(self) -> Buyer | None:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            with self.lock:
                return next(self.fresh, None)

    def done(self, buyer: Buyer) -> None:
        buyer.step += 1
        if buyer.step < len(buyer.script):
            self.idle.put(buyer)


def closed_loop(port: int, pool: Buyers, concurrency: int, seconds: float) -> tuple[float, list[Result]]:
    results: list[Result] = []
    stop = time.perf_counter() + seconds

    def work() -> None:
        sender = Sender(port)
        while time.perf_counter() < stop:
            buyer = pool.take()
            if buyer is None:
                return
            results.append(sender.turn(buyer))
            pool.done(buyer)

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, results


def open_loop(port: int, pool: Buyers, rate: float, seconds: float, senders: int) -> tuple[float, list[Result], int]:
    """Turn i is due at t0 + i / rate; latency counts from the due time. Returns (elapsed, results, skipped)."""
    due: queue.Queue[float | None] = queue.Queue()
    results: list[Result] = []
    skipped = [0]

    def work() -> None:
        sender = Sender(port)
        while True:
            at = due.get()
            if at is None:
                return
            buyer = pool.take()
            if buyer is None:
                skipped[0] += 1
                continue
            r = sender.turn(buyer)
            pool.done(buyer)
            r.latency = time.perf_counter() - at
            results.append(r)

    threads = [threading.Thread(target=work) for _ in range(senders)]
    for t in threads:
        t.start()
    n = int(rate * seconds)
    t0 = time.perf_counter() + 0.2
    for i in range(n):
        at = t0 + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(at)
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join(timeout=120)
    return time.perf_counter() - t0, results, skipped[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are still running (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(name: str, elapsed: float, results: list[Result], cpu: tuple[float, float]) -> dict[str, float]:
    ok = [r for r in results if r.status == 201 and r.replies > 0]
    silent = [r for r in results if r.status == 201 and r.replies == 0]
    errors = [r for r in results if r.status != 201]
    lat = [r.latency * 1000 for r in ok + silent]
    view = sum(r.timing.get("view", 0.0) for r in results)
    engine = sum(r.timing.get("engine", 0.0) for r in results)
    assistant = sum(r.timing.get("assistant", 0.0) for r in results)
    timed = [r for r in results if "view" in r.timing]
    row = {"turns": len(results), "per_s": len(ok + silent) / elapsed, "p50": pct(lat, 50), "p90": pct(lat, 90),
           "p99": pct(lat, 99), "max": max(lat, default=float("nan")), "errors": len(errors), "silent": len(silent),
           "engine_share": engine / view if view else float("nan"),
           "assistant_share": assistant / view if view else float("nan"),
           "view_ms": 1000 * view / len(timed) if timed else float("nan"),
           "engine_ms": 1000 * engine / len(timed) if timed else float("nan"),
           "server_cpu_ms": 1000 * cpu[0] / max(1, len(results)), "client_cpu_ms": 1000 * cpu[1] / max(1, len(results))}
    print(f"{name}: {row['turns']} turns in {elapsed:.1f} s = {row['per_s']:.0f} turns/s; latency ms p50 {row['p50']:.1f} "
          f"p90 {row['p90']:.1f} p99 {row['p99']:.1f} max {row['max']:.1f}; errors {row['errors']} "
          f"(statuses {sorted({r.status for r in errors})}); silent (handed off) {row['silent']}; "
          f"server view {row['view_ms']:.1f} ms/turn of which assistant {100 * row['assistant_share']:.0f}% "
          f"and language engine {row['engine_ms']:.2f} ms = {100 * row['engine_share']:.1f}%; CPU per turn: "
          f"server {row['server_cpu_ms']:.1f} ms, this client {row['client_cpu_ms']:.1f} ms", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50_000, help="generated orders (a buyer per five)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16, help="buyers at once in the throughput phase")
    parser.add_argument("--burst-seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=200, help="turns per second in the steady phase")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--senders", type=int, default=64, help="client threads in the steady phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-load", action="store_true", help="reuse the database of the previous run")
    args = parser.parse_args()
    if not 1 <= args.orders <= 2_000_000 or args.duration > 600 or args.burst_seconds > 600:
        raise SystemExit("--orders 1..2,000,000; --duration and --burst-seconds at most 600")

    env = {**os.environ, "AWN_DATABASE_URL": PG_URL, "AWN_DEBUG": "0", "AWN_DEMO": "0", "AWN_LOG_LEVEL": "WARNING",
           "AWN_DB_CONN_MAX_AGE": "60", "AWN_SERVER_TIMING": "1", "AWN_SECRET_KEY": "bench-chat-secret-key-" + "x" * 40,
           "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    if args.skip_load:
        key, orders = load_and_key(env, 0)
    else:
        key, orders = prepare(args, env)
    print(f"database {PG_DB}: demo + {args.orders} orders, {len(orders)} generated buyers "
          f"({time.perf_counter() - t:.0f} s)", flush=True)
    port = free_port()
    cmd = server_command(args, port)
    print("server:", " ".join(cmd).replace(str(ROOT) + "/", ""), flush=True)
    proc = start_server(cmd, env, port)
    try:
        # Enough buyers for both phases at up to ~400 turns/s (scripts average ~2 turns).
        need = int((args.burst_seconds + args.duration) * max(args.rate, 200) * 1.2) // 2 + args.senders
        t = time.perf_counter()
        buyers = open_buyers(port, key, orders, min(need, len(orders)), args.seed)
        print(f"{len(buyers)} buyers: token minted and conversation started ({time.perf_counter() - t:.0f} s)",
              flush=True)
        pool = Buyers(buyers)
        warm, _ = closed_loop(port, pool, args.workers * args.threads, 3.0)  # engines loaded, connections open
        load = os.getloadavg()
        print(f"load average before measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
        rows = {}
        if args.burst_seconds > 0:
            cpu0 = (cpu_seconds(proc.pid), time.process_time())
            elapsed, results = closed_loop(port, pool, args.concurrency, args.burst_seconds)
            cpu = (cpu_seconds(proc.pid) - cpu0[0], time.process_time() - cpu0[1])
            rows["throughput"] = report(f"throughput ({args.concurrency} buyers back to back)", elapsed, results, cpu)
        if args.duration > 0:
            cpu0 = (cpu_seconds(proc.pid), time.process_time())
            elapsed, results, skipped = open_loop(port, pool, args.rate, args.duration, args.senders)
            cpu = (cpu_seconds(proc.pid) - cpu0[0], time.process_time() - cpu0[1])
            rows["steady"] = report(f"steady {args.rate:.0f} turns/s offered (open loop)", elapsed, results, cpu)
            if skipped:
                print(f"  {skipped} due turns found no idle buyer (raise --orders)")
        print("RESULT", json.dumps(rows))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
