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
from arbanking77_encoder import register  # noqa: E402
from arbanking77_models import load_saved  # noqa: E402
from awn.nlu.normalize import normalize  # noqa: E402


def macro_f1_rows(gold: np.ndarray, pred: np.ndarray, counts: np.ndarray, n_labels: int) -> np.ndarray:
    """Macro-F1 for each row of ``counts`` (how many times each sentence is drawn), over the
    labels present in that resample's gold, as ``awn.nlu.evaluation.macro_f1`` counts them."""
    hit = (gold == pred).astype(np.float64)
    gold_onehot = np.eye(n_labels)[gold]
    pred_onehot = np.eye(n_labels)[pred]
    tp = counts @ (gold_onehot * hit[:, None])
    support = counts @ gold_onehot
    predicted = counts @ pred_onehot
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = support > 0
    return (f1 * present).sum(axis=1) / present.sum(axis=1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--encoder", type=Path, action="append", help="the encoder folder(s) the model was trained with")
    ap.add_argument("--encoder-fp32", action="store_true")
    ap.add_argument("--resamples", type=int, default=2000)
    args = ap.parse_args()
    if args.encoder:
        register(args.encoder, max_tokens=32, int8=not args.encoder_fp32)
    model = load_saved(args.model)
    labels = list(model.labels)
    rng = np.random.default_rng(0)
    print(f"| {args.model} | macro-F1 | 95% bootstrap interval | AraBERT (paper) | resamples ≥ AraBERT |")
    print("|---|---|---|---|---|")
    for split in ("msa", "pal"):
        texts, gold_labels = read(args.data / FILES[split])
        P = np.asarray(model.predict_proba([normalize(t) for t in texts], texts))
        gold = np.array([labels.index(g) for g in gold_labels])
        pred = P.argmax(axis=1)
        point = macro_f1_rows(gold, pred, np.ones((1, len(gold))), len(labels))[0]
        draws = np.stack([np.bincount(rng.integers(0, len(gold), len(gold)), minlength=len(gold)) for _ in range(args.resamples)])
        boot = np.concatenate([
            macro_f1_rows(gold, pred, draws[i : i + 250].astype(np.float64), len(labels)) for i in range(0, len(draws), 250)
        ])
        lo, hi = np.percentile(boot, [2.5, 97.5])
        share = float((boot >= ARABERT[split]).mean())
        print(f"| {split.upper()} | {point:.4f} | {lo:.4f}–{hi:.4f} | {ARABERT[split]:.4f} | {share:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
