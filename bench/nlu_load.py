"""How long a fresh process takes to get Awn's language engine ready (issue #3: "loads in under 2 s").

    .venv/bin/python bench/nlu_load.py [--runs 30] [--model DIR]

Each run starts a new Python process that imports ``awn.nlu``, loads the engine (Awn's committed
model, or ``--model DIR``) and answers one message; the child times the three steps itself, so
the interpreter's own start-up is not counted. Reports median and p99 of each step and of
import + load. Run it on a quiet machine; the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from awn.nlu import load_engine
t1 = time.perf_counter()
engine = load_engine(sys.argv[1] or None)
t2 = time.perf_counter()
intent = engine.understand("وين طلبي؟ رقمه ٨١٢٣٤٥٦٧").intent
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first": t3 - t2, "source": engine.source, "intent": intent}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--model", default="", help="a folder written by `awn nlu train` (default: Awn's own model)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, args.model], capture_output=True, text=True, check=True, env=env
        ).stdout
        runs.append(json.loads(out))
    sources = {r["source"] for r in runs}
    print(f"model: {', '.join(sorted(sources))}; first answer: {runs[0]['intent']}; runs: {len(runs)}")
    print(f"load average before the last run: {os.getloadavg()[0]:.2f}")
    print("| step | median s | p99 s | max s |")
    print("|---|---|---|---|")
    for step in ("import", "load", "import+load", "first"):
        values = [r["import"] + r["load"] if step == "import+load" else r[step] for r in runs]
        print(f"| {step} | {statistics.median(values):.3f} | {percentile(values, 0.99):.3f} | {max(values):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
