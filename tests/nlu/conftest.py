"""Shared fixtures: one core model trained per test session (a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from awn.nlu import Engine, load_engine
from awn.nlu.engine import train_awn_model
from awn.nlu.model import DEFAULT_SPEC


@pytest.fixture(scope="session")
def core_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Awn's core model (n-grams + concepts, no embedder) trained on the train split only."""
    folder = tmp_path_factory.mktemp("nlu-model")
    train_awn_model(DEFAULT_SPEC, skip_invalid=True).save(folder)
    return folder


@pytest.fixture(scope="session")
def engine(core_model_dir: Path) -> Engine:
    return load_engine(core_model_dir)
