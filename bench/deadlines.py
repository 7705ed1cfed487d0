"""Deadlines fired per second on PostgreSQL with 1 and 4 worker processes, and zero duplicates.

    .venv/bin/python bench/deadlines.py [--n 100000] [--workers 1 4] [--repeat 3]

Each run: a fresh database ``awn_bench`` on 127.0.0.1:5432, migrated; ``n`` timers all due (spread
over seller windows, returned parcels, late refunds, pending payments and unshipped orders); then W
processes of ``awn worker --once`` started together. The rate is n / (time until the last worker
exits). Afterwards the effects are counted: any timer fired twice fails the benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

import psycopg

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "awn_bench"
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"


def fresh_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "AWN_DATABASE_URL": URL}
    subprocess.run([sys.executable, "-m", "awn.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True)


def load(n: int) -> dict[str, int]:
    code = (
        "import django, os, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE','awn.settings'); django.setup();"
        "from datetime import datetime; from awn.marketplace.demo import load_due_deadlines;"
        f"print(json.dumps(load_due_deadlines({n}, datetime.fromisoformat('{NOW.isoformat()}'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "AWN_DATABASE_URL": URL}, check=True,
                         capture_output=True, text=True).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def duplicates() -> dict[str, int]:
    with psycopg.connect(URL) as conn:
        def one(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        return {
            "transitions_twice": one(
                "SELECT count(*) FROM (SELECT subject_id, new_value FROM core_auditevent WHERE action='transition'"
                " GROUP BY 1, 2 HAVING count(*) > 1) t"),
            "escalations_twice": one(
                "SELECT count(*) FROM (SELECT dedupe_key FROM cases_escalation GROUP BY 1 HAVING count(*) > 1) t"),
            "timer_refunds_twice": one(
                "SELECT count(*) FROM (SELECT order_id FROM cases_case WHERE kind='refund' AND opened_by='timer'"
                " GROUP BY 1 HAVING count(*) > 1) t"),
            "still_due": one(f"SELECT count(*) FROM cases_case WHERE deadline_at <= '{NOW.isoformat()}'")
            + one("SELECT count(*) FROM marketplace_payment WHERE escalate_at IS NOT NULL"),
        }


def run(n: int, workers: int, batch: int) -> tuple[float, list[str]]:
    fresh_database()
    load(n)
    env = {**os.environ, "AWN_DATABASE_URL": URL, "AWN_NOW": NOW.isoformat()}
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "awn.cli", "worker", "--once", "--batch-size", str(batch)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    outs = [p.communicate()[0].strip() for p in procs]
    elapsed = time.perf_counter() - started
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: {outs}")
    return elapsed, outs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    for workers in args.workers:
        rates = []
        for i in range(args.repeat):
            elapsed, outs = run(args.n, workers, args.batch_size)
            dup = duplicates()
            rate = args.n / elapsed
            rates.append(rate)
            print(f"workers={workers} run={i + 1}: {args.n} deadlines in {elapsed:.1f} s = {rate:,.0f}/s; {dup}")
            for out in outs:
                print(f"    {out}")
            if any(dup.values()):
                raise SystemExit(f"DUPLICATES or leftovers: {dup}")
        print(f"workers={workers}: median {statistics.median(rates):,.0f}/s, min {min(rates):,.0f}/s, "
              f"max {max(rates):,.0f}/s over {args.repeat} runs")


if __name__ == "__main__":
    main()
