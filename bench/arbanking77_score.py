"""A saved ArBanking77 model's macro-F1 on the two test splits, with bootstrap intervals.

    .venv/bin/python bench/arbanking77_score.py DIR [--encoder ENC ...] [--resamples 2000]

``DIR`` is a folder written by ``bench/arbanking77.py --save DIR``. Each test split is classified
once; the interval comes from resampling its sentences with replacement (percentile bootstrap,
fixed seed), which shows how finely a split of ~3,600 sentences over 77 labels can tell two
engines apart. AraBERT's figures are the paper's; its predictions are not public, so no paired
test is possible: the last column is the share of resamples in which this model scores at least
the paper's figure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from arbanking77 import ARABERT, DEFAULT_DATA, FILES, read  # noqa: E402
from arbanking77_encoder import add_options as add_encoder_options  # noqa: E402
from arbanking77_encoder import register_from  # noqa: E402
from arbanking77_models import load_saved  # noqa: E402
from awn.nlu.evaluation import macro_f1  # noqa: E402
from awn.nlu.normalize import normalize  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    add_encoder_options(ap)
    ap.add_argument("--resamples", type=int, default=2000)
    args = ap.parse_args()
    register_from(args)
    model = load_saved(args.model)
    labels = list(model.labels)
    rng = np.random.default_rng(0)
    print(f"| {args.model} | macro-F1 | 95% bootstrap interval | AraBERT (paper) | resamples ≥ AraBERT |")
    print("|---|---|---|---|---|")
    for split in ("msa", "pal"):
        texts, gold_labels = read(args.data / FILES[split])
        P = np.asarray(model.predict_proba([normalize(t) for t in texts], texts))
        predicted = [labels[i] for i in P.argmax(axis=1)]
        point = macro_f1(gold_labels, predicted)
        boot = []
        for _ in range(args.resamples):
            rows = rng.integers(0, len(texts), len(texts))
            boot.append(macro_f1([gold_labels[i] for i in rows], [predicted[i] for i in rows]))
        lo, hi = np.percentile(boot, [2.5, 97.5])
        share = float(np.mean(np.array(boot) >= ARABERT[split]))
        print(f"| {split.upper()} | {point:.4f} | {lo:.4f}–{hi:.4f} | {ARABERT[split]:.4f} | {share:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
