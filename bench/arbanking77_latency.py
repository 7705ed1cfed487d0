"""Per-message latency of a saved ArBanking77 model, alone in its process.

    AWN_NLU_THREADS=2 .venv/bin/python bench/arbanking77_latency.py DIR [--n 1000]

``DIR`` is a folder written by ``bench/arbanking77.py --save DIR``. The timed path is the whole
classification of one message: normalise, n-gram features, sentence embedding (if the model
uses one), scores, probabilities. Messages are taken spread over both test splits (MSA and
Palestinian); the embedder's thread count is ``AWN_NLU_THREADS`` (unset: all cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from arbanking77 import DEFAULT_DATA, FILES, read  # noqa: E402
from arbanking77_encoder import add_options as add_encoder_options  # noqa: E402
from arbanking77_encoder import register_from  # noqa: E402
from arbanking77_models import load_saved  # noqa: E402
from awn.nlu.normalize import normalize  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=1000)
    add_encoder_options(ap)
    args = ap.parse_args()
    register_from(args)
    texts = read(args.data / FILES["msa"])[0] + read(args.data / FILES["pal"])[0]
    started = time.perf_counter()
    model = load_saved(args.model)
    load_s = time.perf_counter() - started
    for t in texts[:20]:
        model.predict_proba([normalize(t)], [t])
    times = []
    for i in range(args.n):
        t = texts[(i * 7919) % len(texts)]
        t0 = time.perf_counter()
        model.predict_proba([normalize(t)], [t])
        times.append((time.perf_counter() - t0) * 1000)
    p50, p90, p99 = np.percentile(times, [50, 90, 99])
    load = os.getloadavg()[0]
    print(
        f"{args.model}: load {load_s:.2f} s; {args.n} messages one at a time: p50 {p50:.2f} ms, "
        f"p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {max(times):.2f} ms "
        f"(AWN_NLU_THREADS={os.environ.get('AWN_NLU_THREADS', 'unset')}, load average {load:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
