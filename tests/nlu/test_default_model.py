"""Awn's own model: the committed artifact, and the train-on-first-use fallback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from awn.nlu import engine as engine_module
from awn.nlu import load_engine


def test_committed_model_matches_the_training_files() -> None:
    """If this fails, the training files or the feature code changed since the model was built:
    rebuild it with  python -m awn.nlu train --out src/awn/nlu/model"""
    meta = json.loads((engine_module.PACKAGED_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["fingerprint"] == engine_module.awn_fingerprint()
    assert meta["spec"]["embedder"] is None, "the default model must not need the optional embedder"


def test_default_engine_loads_the_committed_model_in_a_fresh_process() -> None:
    """A fresh process serves the committed artifact, not a retrained one. How long that takes is
    measured by bench/nlu_load.py (docs/benchmarks.md), not here: timing shared machines is noise."""
    code = "from awn.nlu import load_engine; e = load_engine(); print(e.source); print(e.understand('وين طلبي').intent)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    source, intent = out.splitlines()
    assert source == str(engine_module.PACKAGED_MODEL_DIR)
    assert intent == "track_order"


def test_stale_or_missing_artifact_trains_once_into_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engine_module, "PACKAGED_MODEL_DIR", tmp_path / "missing")
    monkeypatch.setenv("AWN_NLU_CACHE", str(tmp_path / "cache"))
    first = load_engine()
    assert first.source.startswith(str(tmp_path / "cache"))
    assert first.understand("ابي الغي الطلب").intent == "cancel_order"

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached model should have been loaded, not retrained")

    monkeypatch.setattr(engine_module, "train_awn_model", no_training)
    second = load_engine()  # now from the cache, without training
    assert second.source == first.source
