"""How long `awn demo --scale N` takes on PostgreSQL (a fresh database each run).

    .venv/bin/python bench/demo_scale.py [--n 1000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "awn_bench_scale"
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    env = {**os.environ, "AWN_DATABASE_URL": URL}
    times = []
    for i in range(args.repeat):
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        subprocess.run([sys.executable, "-m", "awn.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "awn.cli", "demo", "--scale", str(args.n)], env=env, check=True)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        with psycopg.connect(URL) as conn:
            counts = {t: conn.execute(f"SELECT count(*) FROM marketplace_{t}").fetchone()[0]  # noqa: S608
                      for t in ("order", "orderitem", "payment", "shipment", "customer")}
        print(f"run {i + 1}: awn demo --scale {args.n} took {elapsed:.1f} s; rows {counts}")
    print(f"median {statistics.median(times):.1f} s over {args.repeat} run(s)")


if __name__ == "__main__":
    main()
