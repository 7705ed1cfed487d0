"""Every held-out example of the language engine's test split, sent as a first message by buyers in
three markets: the assistant always answers, never fails, and keeps its quick replies short."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

TEST_SPLIT = Path(__file__).resolve().parents[2] / "src" / "awn" / "nlu" / "data" / "intents" / "test"


def _examples() -> list[tuple[str, str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for path in sorted(TEST_SPLIT.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                by_intent[path.stem].append(row["text"])
    # Four per intent, spread over the file (it mixes MSA, dialects, Arabizi and English).
    return [(intent, texts[i * len(texts) // 4]) for intent, texts in sorted(by_intent.items())
            for i in range(min(4, len(texts)))]


@pytest.mark.skipif(not TEST_SPLIT.is_dir(), reason="the language engine's test split is not present")
@pytest.mark.parametrize("buyer", ["demo-noura", "demo-sarah", "demo-youssef"])
def test_every_intent_gets_an_answer_for_every_buyer(chat, buyer):
    failures = []
    for number, (intent, text) in enumerate(_examples()):
        c = chat(buyer, channel_ref=f"example-{number}")  # a fresh conversation each time
        c(text)
        if not c.replies or not all(r.text.strip() for r in c.replies):
            failures.append((intent, text, "no reply"))
        if any(len(t) > 20 for t in c.choice_titles):
            failures.append((intent, text, c.choice_titles))
        if "{" in c.text or "}" in c.text:
            failures.append((intent, text, "unfilled placeholder"))
    assert not failures, failures
