"""The language engine: one call turns a buyer's message into intent, confidence, language,
script and entities.

``load_engine()`` with no argument gives Awn's own model (see ``docs/adr/0003-nlu-model.md``):

1. the packaged model in ``src/awn/nlu/model/`` if it was trained on exactly the current
   training files and feature code (its ``meta.json`` records their fingerprint) and its
   optional embedder is installed;
2. otherwise a core model (n-grams only, no embedder) trained on first use from the packaged
   training files into a cache folder (``$AWN_NLU_CACHE`` or ``~/.cache/awn/nlu``), which takes
   a few seconds once and is reused afterwards.

The engine is read-only after loading and safe to share between threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from awn.nlu.data import INTENTS_DIR, OUT_OF_SCOPE, DataError, Example, fingerprint, load_intents
from awn.nlu.embeddings import EmbedderUnavailable
from awn.nlu.entities import DEFAULT_CONFIG, Entity, EntityConfig, extract_entities
from awn.nlu.model import DEFAULT_SPEC, EnsembleModel, IntentModel, ModelSpec, load_model
from awn.nlu.normalize import normalize
from awn.nlu.script import Language, Script, detect

log = logging.getLogger(__name__)

PACKAGED_MODEL_DIR = Path(__file__).parent / "model"
#: Longer messages are cut to this many characters (the rest is ignored, and flagged), so one
#: pasted document cannot stall the engine. Real buyer messages are far shorter.
MAX_CHARS = 10_000
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the engine understood of one message.

    ``confidence`` is the calibrated probability that ``intent`` is right; the assistant
    thresholds it. ``ranking`` holds the top three ``(intent, probability)``. Entity offsets
    index the original ``text``. ``truncated`` is set when the message was longer than
    :data:`MAX_CHARS` and only its beginning was read.
    """

    text: str
    intent: str
    confidence: float
    language: Language
    script: Script
    entities: list[Entity]
    normalized: str
    ranking: list[tuple[str, float]]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The command line's JSON shape."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "language": self.language,
            "script": self.script,
            "entities": [e.to_dict() for e in self.entities],
        }


def _has_content(normalized: str) -> bool:
    # Letters, digits or symbols (emoji) carry meaning; whitespace and punctuation alone do not.
    return any(ch.isalnum() or unicodedata.category(ch) == "So" for ch in normalized)


@dataclass
class Engine:
    """A trained intent model plus the normaliser, language detector and entity extractor."""

    model: IntentModel | EnsembleModel
    entity_config: EntityConfig = DEFAULT_CONFIG
    source: str = ""
    _labels: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._labels = list(self.model.labels)

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    @property
    def info(self) -> dict[str, Any]:
        """Where the model came from and how it was trained (its ``meta.json``)."""
        return {"source": self.source, **self.model.meta}

    def understand(self, text: str) -> Understanding:
        """Understand one message. Never raises for any ``str`` (empty, huge, emoji-only …)."""
        return self.understand_batch([text])[0]

    def understand_batch(self, texts: Sequence[str]) -> list[Understanding]:
        """Understand many messages at once (faster per message than one by one)."""
        prepared: list[tuple[str, bool]] = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"text must be str, not {type(text).__name__}")
            text = _SURROGATES.sub("\ufffd", text)  # lone surrogates cannot be encoded
            truncated = len(text) > MAX_CHARS
            prepared.append((text[:MAX_CHARS] if truncated else text, truncated))
        normalized = [normalize(t) for t, _ in prepared]
        todo = [i for i, n in enumerate(normalized) if _has_content(n)]
        probs = np.zeros((len(prepared), len(self._labels)), dtype=np.float32)
        if todo:
            probs[todo] = self.model.predict_proba(
                [normalized[i] for i in todo], [prepared[i][0] for i in todo]
            )
        out: list[Understanding] = []
        todo_set = set(todo)
        for i, ((text, truncated), norm) in enumerate(zip(prepared, normalized, strict=True)):
            language, script = detect(norm)
            entities = extract_entities(text, self.entity_config)
            if i in todo_set:
                order = np.argsort(-probs[i])[:3]
                ranking = [(self._labels[j], float(probs[i, j])) for j in order]
            else:
                # Nothing to understand (empty, spaces, punctuation only): certainly no intent.
                ranking = [(OUT_OF_SCOPE, 1.0)]
            intent, confidence = ranking[0]
            out.append(
                Understanding(
                    text=text,
                    intent=intent,
                    confidence=confidence,
                    language=language,
                    script=script,
                    entities=entities,
                    normalized=norm,
                    ranking=ranking,
                    truncated=truncated,
                )
            )
        return out


# The modules whose code decides the features a model sees: a model trained before they changed
# is stale even if the training files did not change.
_FEATURE_MODULES = ("normalize.py", "arabizi.py", "lexicon.py", "entities.py", "aligned.py", "model.py")


def awn_fingerprint(root: Path | None = None) -> str:
    """Fingerprint of Awn's default model inputs: the training files and the feature code."""
    digest = hashlib.sha256(fingerprint("train", root).encode())
    here = Path(__file__).parent
    for name in _FEATURE_MODULES:
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where models trained on first use are kept."""
    env = os.environ.get("AWN_NLU_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "awn" / "nlu"


def train_awn_model(
    spec: ModelSpec = DEFAULT_SPEC, root: Path | None = None, *, skip_invalid: bool = False
) -> IntentModel:
    """Train on Awn's own ``train`` split (never the frozen ``test`` split).

    With ``skip_invalid`` a malformed line is logged and skipped instead of stopping training.
    """
    problems: list[DataError] | None = [] if skip_invalid else None
    examples = load_intents("train", root, errors=problems)
    for problem in problems or ():
        log.warning("skipped: %s", problem)
    model = IntentModel.train(
        [normalize(e.text) for e in examples],
        [e.text for e in examples],
        [e.intent for e in examples],
        spec,
        groups=translation_groups(examples),
    )
    model.meta["data"] = "awn:intents/train"
    model.meta["fingerprint"] = awn_fingerprint(root)
    return model


def translation_groups(examples: Sequence[Example]) -> list[str]:
    """Group ids for calibration folds: the team writes each intent's sentences as parallel
    lists per variety, so the k-th sentence of every variety of an intent is one group."""
    position: dict[tuple[str, str | None], int] = {}
    out: list[str] = []
    for ex in examples:
        key = (ex.intent, ex.variety)
        out.append(f"{ex.intent}:{position.get(key, 0)}")
        position[key] = position.get(key, 0) + 1
    return out


def _packaged_model_is_current(folder: Path) -> bool:
    meta_path = folder / "meta.json"
    if not meta_path.is_file() or not INTENTS_DIR.is_dir():
        return False
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(meta.get("fingerprint") == awn_fingerprint())


def _load_default() -> tuple[IntentModel | EnsembleModel, str]:
    if _packaged_model_is_current(PACKAGED_MODEL_DIR):
        try:
            return IntentModel.load(PACKAGED_MODEL_DIR), str(PACKAGED_MODEL_DIR)
        except EmbedderUnavailable as exc:
            log.warning("packaged NLU model needs an embedder that is unavailable (%s); using the core model", exc)
    else:
        log.warning("packaged NLU model is missing or older than the training data; using a cached core model")
    folder = cache_dir() / f"core-{awn_fingerprint()[:16]}"
    if (folder / "meta.json").is_file():
        try:
            return IntentModel.load(folder), str(folder)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cached NLU model at %s is unreadable (%s); retraining", folder, exc)
    # A fresh clone must always get an engine: a malformed training line is skipped (and logged)
    # here; `awn nlu check` and the tests are where the data is held to the contract.
    model = train_awn_model(DEFAULT_SPEC, skip_invalid=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Train into a temporary sibling and rename: two processes starting at once both succeed.
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    model.save(tmp)
    try:
        tmp.replace(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won the race; same model
    return model, str(folder)


def load_engine(model_dir: str | Path | None = None, entity_config: EntityConfig | None = None) -> Engine:
    """Load an engine: Awn's own model (``None``) or a folder written by ``awn nlu train``."""
    if model_dir is None:
        model, source = _load_default()
    else:
        model, source = load_model(model_dir), str(model_dir)
    return Engine(model, entity_config or DEFAULT_CONFIG, source)
