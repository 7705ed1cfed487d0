"""ArBanking77 benchmark models that Awn's engine does not ship: a nearest-neighbour member and
helpers to serve an ensemble of an n-gram+embedding SVM and that member.

They live beside the benchmark (not in ``awn.nlu.model``) so that Awn's committed default model,
whose fingerprint covers ``model.py``, is untouched.

* :class:`NeighbourModel` – label scores from the nearest training examples in the embedding space;
  duck-types the parts of :class:`awn.nlu.model.IntentModel` that :class:`EnsembleModel` uses
  (``labels``, ``spec.embedder``, ``predict_proba``, ``save``).
* :class:`HeadModel` – the linear head fine-tuned together with an encoder
  (``research/e5-finetune``, ``head.npz``), as a member over that encoder's vectors.
* :func:`load_ensemble` – :meth:`EnsembleModel.load` that also reads these members.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from awn.nlu.embeddings import get_embedder  # noqa: E402
from awn.nlu.model import (  # noqa: E402
    FORMAT_VERSION,
    EnsembleModel,
    IntentModel,
    _softmax,
    fit_temperature,
)


def _write_meta(
    folder: Path, kind: str, meta: dict[str, Any], embedder: str, labels: list[str], temperature: float, **extra: Any
) -> None:
    """``meta.json`` of a bench member: its kind, embedder, labels, temperature and own settings."""
    meta = {**meta, "format": FORMAT_VERSION, "kind": kind, "embedder": embedder, "labels": labels, **extra,
            "temperature": temperature}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _read_meta(folder: Path, kind: str) -> dict[str, Any]:
    """The ``meta.json`` that :func:`_write_meta` wrote for a member of ``kind``; its embedder must be available."""
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT_VERSION or meta.get("kind") != kind:
        raise ValueError(f"{folder}: not a {kind} model of format {FORMAT_VERSION}")
    get_embedder(meta["embedder"])  # fail now, clearly, if it is not installed
    return meta


@dataclass(frozen=True)
class NeighbourSpec:
    embedder: str
    k: int


class _EmbeddingMember:
    """What the bench's embedding-only members share: label scores from sentence vectors, and
    probabilities ``softmax(scores / temperature)`` with the engine's ``predict_proba`` signature."""

    embedder: str
    temperature: float

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        if embeddings is None:
            embeddings = get_embedder(self.embedder).embed(raw)
        return _softmax(self.scores(embeddings), self.temperature)


@dataclass
class NeighbourModel(_EmbeddingMember):
    """Label scores from the nearest training examples in a sentence-embedding space.

    The score of a label is the mean cosine similarity of the ``k`` training examples of that label
    most similar to the message (``k=1``: the most similar one), and the probabilities are
    ``softmax(score / temperature)``. It remembers rare phrasings that a linear model averages
    away, so it is a useful ensemble member beside the linear models (``bench/arbanking77.py``).
    The training vectors are stored grouped by label; ``offsets[i]:offsets[i + 1]`` are the rows
    of ``labels[i]``.
    """

    embedder: str
    labels: list[str]
    vectors: np.ndarray  # (n_examples, dim) float32, L2-normalised rows, grouped by label
    offsets: np.ndarray  # (n_labels + 1,) int64
    k: int = 1
    temperature: float = 0.05
    meta: dict[str, Any] = field(default_factory=dict)
    _index: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def spec(self) -> NeighbourSpec:
        """What :class:`EnsembleModel` reads of a member's spec (``embedder``)."""
        return NeighbourSpec(self.embedder, self.k)

    @classmethod
    def train(
        cls,
        raw: Sequence[str],
        labels: Sequence[str],
        embedder: str,
        k: int = 1,
        embeddings: np.ndarray | None = None,
    ) -> NeighbourModel:
        """Keep the training embeddings; the temperature is fitted on leave-one-out scores."""
        label_list = sorted(set(labels))
        if len(label_list) < 2:
            raise ValueError("training needs at least two different labels")
        index = {label: i for i, label in enumerate(label_list)}
        y = np.array([index[label] for label in labels])
        if embeddings is None:
            embeddings = get_embedder(embedder).embed(raw)
        order = np.argsort(y, kind="stable")
        offsets = np.concatenate([[0], np.cumsum(np.bincount(y, minlength=len(label_list)))]).astype(np.int64)
        k = max(1, min(k, int(np.diff(offsets).min()) - 1))
        model = cls(embedder, label_list, np.ascontiguousarray(embeddings[order], dtype=np.float32), offsets, k)
        loo = model._scores(model.vectors, exclude_self=True)
        model.temperature = fit_temperature(loo, y[order])
        model.meta = {"format": FORMAT_VERSION, "n_examples": len(y)}
        return model

    def _padded_index(self) -> np.ndarray:
        """``(n_labels, max_count)`` row numbers of each label's examples, ``-1`` as padding."""
        if self._index is None:
            counts = np.diff(self.offsets)
            index = np.full((len(self.labels), int(counts.max())), -1, dtype=np.int64)
            for i, (start, count) in enumerate(zip(self.offsets[:-1].tolist(), counts.tolist(), strict=True)):
                index[i, :count] = np.arange(start, start + count)
            self._index = index
        return self._index

    def _scores(self, queries: np.ndarray, exclude_self: bool = False) -> np.ndarray:
        index = self._padded_index()
        out = np.empty((len(queries), len(self.labels)), dtype=np.float32)
        for start in range(0, len(queries), 256):
            sims = np.asarray(queries[start : start + 256] @ self.vectors.T, dtype=np.float32)
            if exclude_self:  # leave-one-out: the queries are the training rows themselves
                rows = np.arange(len(sims))
                sims[rows, start + rows] = -np.inf
            sims = np.concatenate([sims, np.full((len(sims), 1), -np.inf, dtype=np.float32)], axis=1)
            grouped = sims[:, index]  # padding (-1) reads the -inf column
            if self.k == 1:
                out[start : start + 256] = grouped.max(axis=2)
            else:
                top = -np.partition(-grouped, self.k - 1, axis=2)[:, :, : self.k]
                out[start : start + 256] = top.mean(axis=2)
        return out

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        return self._scores(np.asarray(embeddings, dtype=np.float32))

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "arrays.npz", "wb") as fh:
            np.savez_compressed(fh, vectors=self.vectors.astype(np.float16), offsets=self.offsets)
        _write_meta(folder, "neighbours", self.meta, self.embedder, self.labels, self.temperature, k=self.k)

    @classmethod
    def load(cls, folder: str | Path) -> NeighbourModel:
        folder = Path(folder)
        meta = _read_meta(folder, "neighbours")
        with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
            vectors = arrays["vectors"].astype(np.float32)
            offsets = arrays["offsets"].astype(np.int64)
        return cls(meta["embedder"], list(meta["labels"]), vectors, offsets, int(meta["k"]), float(meta["temperature"]), meta)


@dataclass
class HeadModel(_EmbeddingMember):
    """The classification head trained together with a fine-tuned encoder, over its unit vectors.

    Fine-tuning trains the head on the encoder's un-normalised pooled vector; the exported body
    returns it scaled to unit length, so the head sees ``scale * vector`` with ``scale`` the
    median length on val (``research/e5-finetune/export_onnx.py``). Probabilities are
    ``softmax(scores / temperature)``, the temperature fitted on val like every other member's.
    Shares ``predict_proba`` with :class:`NeighbourModel` (:class:`_EmbeddingMember`).
    """

    embedder: str
    labels: list[str]
    weight: np.ndarray  # (n_labels, dim) float32
    bias: np.ndarray  # (n_labels,) float32
    scale: float
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> NeighbourSpec:
        return NeighbourSpec(self.embedder, 0)

    @classmethod
    def from_encoders(cls, folders: Sequence[str | Path], embedder: str) -> HeadModel:
        """The heads of the encoder folders behind ``embedder``, as one head: the mean of their scores.

        With ``n`` folders the embedder's vector is their unit vectors side by side, divided by
        sqrt(n) (:class:`arbanking77_encoder.FineTunedEncoder`); each head's weight goes in its
        own columns, times its scale over sqrt(n), so one matrix product gives the mean.
        """
        weights, biases, labels = [], [], None
        for folder in folders:
            with np.load(Path(folder) / "head.npz", allow_pickle=False) as head:
                if labels is not None and [str(label) for label in head["labels"]] != labels:
                    raise ValueError(f"{folder}/head.npz: labels differ from {folders[0]}'s")
                labels = [str(label) for label in head["labels"]]
                weights.append(head["weight"].astype(np.float32) * np.float32(head["scale"] / np.sqrt(len(folders))))
                biases.append(head["bias"].astype(np.float32))
        if labels is None:
            raise ValueError("no encoder folder given")
        return cls(
            embedder,
            labels,
            np.concatenate(weights, axis=1),
            np.mean(np.stack(biases), axis=0).astype(np.float32),
            1.0,
            meta={"format": FORMAT_VERSION, "source": [str(f) for f in folders]},
        )

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        return np.asarray(embeddings, dtype=np.float32) @ (self.scale * self.weight).T + self.bias

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "arrays.npz", "wb") as fh:
            np.savez(fh, weight=self.weight, bias=self.bias)
        _write_meta(folder, "head", self.meta, self.embedder, self.labels, self.temperature, scale=self.scale)

    @classmethod
    def load(cls, folder: str | Path) -> HeadModel:
        folder = Path(folder)
        meta = _read_meta(folder, "head")
        with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
            weight, bias = arrays["weight"], arrays["bias"]
        return cls(meta["embedder"], list(meta["labels"]), weight, bias, float(meta["scale"]), float(meta["temperature"]), meta)


def load_ensemble(folder: str | Path) -> EnsembleModel:
    """An ensemble saved by ``bench/arbanking77.py --save``, neighbour members included."""
    folder = Path(folder)
    manifest = json.loads((folder / "ensemble.json").read_text(encoding="utf-8"))
    members: list[Any] = []
    for name in manifest["members"]:
        meta = json.loads((folder / name / "meta.json").read_text(encoding="utf-8"))
        if meta.get("kind") == "neighbours":
            members.append(NeighbourModel.load(folder / name))
        elif meta.get("kind") == "head":
            members.append(HeadModel.load(folder / name))
        else:
            members.append(IntentModel.load(folder / name))
    return EnsembleModel(members, [float(w) for w in manifest["weights"]], float(manifest["temperature"]), manifest)


def load_saved(folder: str | Path) -> Any:
    """Whatever ``bench/arbanking77.py --save`` wrote: an ensemble or a single model."""
    folder = Path(folder)
    if (folder / "ensemble.json").is_file():
        return load_ensemble(folder)
    kind = json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("kind")
    return {"neighbours": NeighbourModel.load, "head": HeadModel.load}.get(kind, IntentModel.load)(folder)
