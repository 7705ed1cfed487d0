"""Persistence and calibration of the intent model."""

import json
from pathlib import Path

import numpy as np

from awn.nlu.model import IntentModel, ModelSpec, fit_temperature
from awn.nlu.normalize import normalize


def test_saved_model_is_plain_files_and_round_trips(core_model_dir: Path, tmp_path: Path) -> None:
    assert sorted(p.name for p in core_model_dir.iterdir()) == ["arrays.npz", "meta.json", "vocab.json"]
    meta = json.loads((core_model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["fingerprint"] and meta["temperature"] > 0 and len(meta["labels"]) == 24
    assert json.loads(json.dumps(ModelSpec.from_dict(meta["spec"]).to_dict())) == meta["spec"]
    model = IntentModel.load(core_model_dir)
    texts = ["وين طلبي", "bghit nlghi la commande", "refund short by 50 SAR"]
    norm = [normalize(t) for t in texts]
    before = model.predict_proba(norm, texts)
    model.save(tmp_path)
    after = IntentModel.load(tmp_path).predict_proba(norm, texts)
    np.testing.assert_allclose(before, after, atol=1e-3)
    assert np.allclose(before.sum(axis=1), 1.0, atol=1e-5)


def test_fit_temperature_recovers_overconfidence() -> None:
    rng = np.random.default_rng(0)
    n, k = 4000, 5
    y = rng.integers(0, k, n)
    scores = rng.normal(0, 1, (n, k))
    scores[np.arange(n), y] += 1.0  # a weakly informative scorer…
    t = fit_temperature(scores * 10, y)  # …made overconfident by a factor of 10
    assert 5 < t < 20
