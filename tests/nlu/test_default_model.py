"""Awn's own model: the committed artifact, and the train-on-first-use fallback."""

import json
import subprocess
import sys
import time
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


def test_default_engine_loads_in_under_two_seconds_in_a_fresh_process() -> None:
    code = (
        "import time; t0 = time.perf_counter(); from awn.nlu import load_engine; t1 = time.perf_counter(); "
        "e = load_engine(); t2 = time.perf_counter(); print(t2 - t1, t2 - t0, e.source)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    load_seconds, total_seconds, source = out.split(maxsplit=2)
    assert source.strip() == str(engine_module.PACKAGED_MODEL_DIR)
    # About 0.05 s to load and 0.9 s with the imports on an idle machine; the margins absorb a
    # busy CI machine.
    assert float(load_seconds) < 2.0
    assert float(total_seconds) < 4.0


def test_stale_or_missing_artifact_trains_once_into_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engine_module, "PACKAGED_MODEL_DIR", tmp_path / "missing")
    monkeypatch.setenv("AWN_NLU_CACHE", str(tmp_path / "cache"))
    first = load_engine()
    assert first.source.startswith(str(tmp_path / "cache"))
    assert first.understand("ابي الغي الطلب").intent == "cancel_order"
    started = time.perf_counter()
    second = load_engine()  # now from the cache, without training
    assert time.perf_counter() - started < 2.0
    assert second.source == first.source
