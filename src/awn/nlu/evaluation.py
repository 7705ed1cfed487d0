"""Scores of a model on labelled examples: accuracy, macro-F1, per intent and variety, confusions,
calibration (expected calibration error and a reliability table)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Prediction:
    gold: str
    predicted: str
    confidence: float
    variety: str | None = None
    text: str = ""


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> float:
    """Macro-averaged F1 over ``labels`` (default: every label that occurs in ``gold``)."""
    per = per_label(gold, predicted, labels)
    return sum(r["f1"] for r in per.values()) / len(per) if per else 0.0


def per_label(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    labels = sorted(set(gold)) if labels is None else list(labels)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp[label] + fn[label]}
    return out


def calibration(preds: Sequence[Prediction], bins: int = 10) -> tuple[float, list[dict[str, Any]]]:
    """Expected calibration error and the reliability table (equal-width confidence bins)."""
    table: list[dict[str, Any]] = []
    n = len(preds)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [p for p in preds if lo < p.confidence <= hi or (b == 0 and p.confidence == 0.0)]
        if not members:
            continue
        conf = sum(p.confidence for p in members) / len(members)
        acc = sum(p.gold == p.predicted for p in members) / len(members)
        ece += len(members) / n * abs(acc - conf)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(members), "confidence": conf, "accuracy": acc})
    return ece, table


@dataclass
class Report:
    n: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    per_variety: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    ece: float
    reliability: list[dict[str, Any]]
    errors: list[Prediction] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_intent": self.per_intent,
            "per_variety": self.per_variety,
            "confusions": [{"gold": g, "predicted": p, "count": c} for g, p, c in self.confusions],
            "ece": self.ece,
            "reliability": self.reliability,
        }

    def format(self, max_confusions: int = 20) -> str:
        lines = [
            f"examples   {self.n}",
            f"accuracy   {self.accuracy:.4f}",
            f"macro-F1   {self.macro_f1:.4f}",
            f"ECE        {self.ece:.4f}  (expected calibration error, 10 bins)",
            "",
            f"{'intent':<24} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}",
        ]
        for label, r in sorted(self.per_intent.items()):
            lines.append(
                f"{label:<24} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {int(r['support']):5d}"
            )
        if self.per_variety:
            lines += ["", f"{'variety':<24} {'acc':>6} {'F1':>6} {'n':>5}"]
            for variety, r in sorted(self.per_variety.items()):
                lines.append(f"{variety:<24} {r['accuracy']:6.3f} {r['macro_f1']:6.3f} {int(r['n']):5d}")
        lines += ["", "reliability (confidence bin: mean confidence -> accuracy, n)"]
        for row in self.reliability:
            lines.append(f"  {row['bin']}: {row['confidence']:.3f} -> {row['accuracy']:.3f}  (n={int(row['n'])})")
        lines += ["", "confusions (gold -> predicted: count)"]
        if not self.confusions:
            lines.append("  none")
        for gold, predicted, count in self.confusions[:max_confusions]:
            lines.append(f"  {gold} -> {predicted}: {count}")
        return "\n".join(lines)


def evaluate(preds: Sequence[Prediction]) -> Report:
    gold = [p.gold for p in preds]
    predicted = [p.predicted for p in preds]
    labels = sorted(set(gold))
    per_intent = per_label(gold, predicted, labels)
    by_variety: dict[str, list[Prediction]] = defaultdict(list)
    for p in preds:
        if p.variety:
            by_variety[p.variety].append(p)
    per_variety = {
        v: {
            "n": len(ps),
            "accuracy": sum(p.gold == p.predicted for p in ps) / len(ps),
            # Macro over the intents that occur in this variety's gold labels.
            "macro_f1": macro_f1([p.gold for p in ps], [p.predicted for p in ps]),
        }
        for v, ps in by_variety.items()
    }
    pairs = Counter((p.gold, p.predicted) for p in preds if p.gold != p.predicted)
    confusions = [(g, q, c) for (g, q), c in pairs.most_common()]
    ece, table = calibration(preds)
    return Report(
        n=len(preds),
        accuracy=sum(g == q for g, q in zip(gold, predicted, strict=True)) / len(preds) if preds else 0.0,
        macro_f1=macro_f1(gold, predicted, labels),
        per_intent=per_intent,
        per_variety=per_variety,
        confusions=confusions,
        ece=ece,
        reliability=table,
        errors=[p for p in preds if p.gold != p.predicted],
    )
