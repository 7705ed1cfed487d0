"""The intent classifier: n-gram TF-IDF views, a linear model, temperature-calibrated softmax.

Features (each a TF-IDF block, L2-normalised per block, then weighted):

* character n-grams (within word boundaries) of the normalised text – robust to typos,
  dialect spelling and clitics ("وطلبي", "بالطلب");
* word uni/bi-grams of the normalised text – negations and short phrases ("ما وصل", "not arrived");
* character n-grams of the consonant skeleton (:func:`awn.nlu.arabizi.skeleton`) – the bridge
  between Arabic script and Arabizi;
* optionally a dense sentence embedding (:mod:`awn.nlu.embeddings`).

A linear SVM (or logistic regression) scores the labels; the scores go through a softmax whose
temperature is fitted on out-of-fold scores of the training data (never on the test split), so
that a confidence of 0.9 is right about 90% of the time.

A trained model is a folder of plain files – ``meta.json``, ``vocab.json``, ``arrays.npz`` – and
no pickle, so loading an operator's model folder executes no code.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC

from awn.nlu.arabizi import skeleton
from awn.nlu.embeddings import get_embedder
from awn.nlu.entities import extract_entities
from awn.nlu.lexicon import concept_text

FORMAT_VERSION = 1
WORD_TOKENS = r"(?u)[^\W\d_]+|\d+|[^\w\s]"


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """One TF-IDF block. ``source`` is ``text`` (normalised), ``skeleton`` or ``concepts``."""

    name: str
    source: str
    analyzer: str  # "char_wb" | "char" | "word"
    ngram: tuple[int, int]
    weight: float = 1.0
    min_df: int = 1
    max_features: int | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything that decides how a model is trained (stored with the model)."""

    views: tuple[ViewSpec, ...]
    classifier: str = "svm"  # "svm" (LinearSVC) | "lr" (multinomial logistic regression)
    C: float = 0.5
    class_weight: str | None = "balanced"
    embedder: str | None = None
    embed_weight: float = 1.0
    calibration_folds: int = 5
    seed: int = 13

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        views = tuple(ViewSpec(**{**v, "ngram": tuple(v["ngram"])}) for v in data["views"])
        return cls(**{**data, "views": views})


DEFAULT_SPEC = ModelSpec(
    views=(
        ViewSpec("char", "text", "char_wb", (2, 5)),
        ViewSpec("word", "text", "word", (1, 2)),
        ViewSpec("skel", "skeleton", "char_wb", (2, 4)),
        ViewSpec("concepts", "concepts", "word", (1, 2)),
    ),
)


def source_texts(source: str, normalized: Sequence[str]) -> list[str]:
    if source == "text":
        return list(normalized)
    if source == "skeleton":
        return [skeleton(t) for t in normalized]
    if source == "concepts":
        return [concept_text(t, [e.type for e in extract_entities(t)]) for t in normalized]
    raise ValueError(f"unknown view source {source!r}")


def _vectorizer(view: ViewSpec, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    kwargs: dict[str, Any] = {
        "analyzer": view.analyzer,
        "ngram_range": view.ngram,
        "sublinear_tf": True,
        "lowercase": False,  # normalize() already case-folds
        "dtype": np.float32,
        "vocabulary": vocabulary,
    }
    if vocabulary is None:
        kwargs["min_df"] = view.min_df
        kwargs["max_features"] = view.max_features
    if view.analyzer == "word":
        kwargs["token_pattern"] = WORD_TOKENS
    return TfidfVectorizer(**kwargs)


@dataclass
class Featurizer:
    spec: ModelSpec
    vectorizers: list[TfidfVectorizer] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        n = sum(len(v.vocabulary_) for v in self.vectorizers)
        if self.spec.embedder:
            n += get_embedder(self.spec.embedder).dim
        return n

    def fit_transform(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> sp.csr_matrix:
        self.vectorizers = [_vectorizer(v) for v in self.spec.views]
        blocks = [
            vec.fit_transform(source_texts(view.source, normalized)) * view.weight
            for vec, view in zip(self.vectorizers, self.spec.views, strict=True)
        ]
        return self._stack(blocks, raw, embeddings)

    def transform(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> sp.csr_matrix:
        """The same matrix as ``vec.transform`` per view, stacked – computed directly.

        scikit-learn's ``TfidfVectorizer.transform`` validates its input and builds a sparse matrix
        per view, then ``hstack`` copies them: for the one message of a chat turn that overhead is
        most of the engine's time. Here each view's n-grams are counted against its vocabulary and
        weighted exactly as scikit-learn does (sublinear tf, idf, L2 per row, the view's weight),
        straight into one CSR matrix, bit for bit the same values as the scikit-learn path. An
        embedding block, if the spec has one, goes beside them.
        """
        if not self.vectorizers or not all(
                hasattr(v, "idf_") and v.norm in ("l2", None) and v.use_idf for v in self.vectorizers):
            blocks = [
                vec.transform(source_texts(view.source, normalized)) * view.weight
                for vec, view in zip(self.vectorizers, self.spec.views, strict=True)
            ]
            return self._stack(blocks, raw, embeddings)
        ngrams = self._ngrams(normalized)
        return self._stack([ngrams], raw, embeddings) if self.spec.embedder else ngrams

    def _ngrams(self, normalized: Sequence[str]) -> sp.csr_matrix:
        """The n-gram views of ``normalized``, counted and weighted directly (see :meth:`transform`)."""
        n = len(normalized)
        rows: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
        offset = 0
        for vec, view in zip(self.vectorizers, self.spec.views, strict=True):
            analyze, vocab, idf = self._prepared(vec)
            for r, doc in enumerate(source_texts(view.source, normalized)):
                counts: dict[int, int] = {}
                for feature in analyze(doc):
                    i = vocab.get(feature)
                    if i is not None:
                        counts[i] = counts.get(i, 0) + 1
                if not counts:
                    continue
                idx = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
                data = np.fromiter((counts[i] for i in idx.tolist()), dtype=vec.dtype, count=len(idx))
                if vec.sublinear_tf:
                    np.log(data, data)
                    data += 1.0
                data *= idf[idx]
                if vec.norm == "l2":
                    norm = math.sqrt(float(np.sum((data * data).astype(np.float64))))
                    if norm != 0.0:  # divided in double precision, as scikit-learn does
                        data = (data.astype(np.float64) / norm).astype(data.dtype)
                rows[r].append((idx + offset, data * view.weight))
            offset += len(vocab)
        indptr = np.zeros(n + 1, dtype=np.int32)
        for r, parts in enumerate(rows):
            indptr[r + 1] = indptr[r] + sum(len(p[0]) for p in parts)
        flat = [p for parts in rows for p in parts]
        indices = np.concatenate([p[0] for p in flat]) if flat else np.zeros(0, dtype=np.int32)
        values = np.concatenate([p[1] for p in flat]).astype(np.float32) if flat else np.zeros(0, dtype=np.float32)
        return sp.csr_matrix((values, indices, indptr), shape=(n, offset), dtype=np.float32)

    @staticmethod
    def _prepared(vec: TfidfVectorizer) -> tuple[Any, dict[str, int], np.ndarray]:
        """The view's analyzer, vocabulary and idf, built once per (fitted) vectorizer."""
        cached = getattr(vec, "_awn_prepared", None)
        if cached is None or cached[1] is not vec.vocabulary_:
            cached = (vec.build_analyzer(), vec.vocabulary_, np.asarray(vec.idf_))
            vec._awn_prepared = cached  # noqa: SLF001 - a cache on our own fitted object
        return cached

    def _stack(self, blocks: list[Any], raw: Sequence[str], embeddings: np.ndarray | None) -> sp.csr_matrix:
        if self.spec.embedder:
            if embeddings is None:
                embeddings = get_embedder(self.spec.embedder).embed(raw)
            blocks.append(sp.csr_matrix(embeddings * self.spec.embed_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return np.asarray(z)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of held-out scores."""

    def nll(log_t: float) -> float:
        p = _softmax(scores, math.exp(log_t))
        return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).mean())

    res = minimize_scalar(nll, bounds=(-6.0, 4.0), method="bounded")
    return float(math.exp(res.x))


def _linear(spec: ModelSpec) -> LinearSVC | LogisticRegression:
    if spec.classifier == "svm":
        return LinearSVC(C=spec.C, class_weight=spec.class_weight, random_state=spec.seed, max_iter=5000)
    if spec.classifier == "lr":
        return LogisticRegression(C=spec.C, class_weight=spec.class_weight, max_iter=3000, random_state=spec.seed)
    raise ValueError(f"unknown classifier {spec.classifier!r}")


def _weights(clf: LinearSVC | LogisticRegression, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    coef = np.asarray(clf.coef_, dtype=np.float32)
    intercept = np.asarray(clf.intercept_, dtype=np.float32)
    if n_labels == 2:  # binary models keep one row: expand to two symmetric scores
        coef = (np.vstack([-coef, coef]) / 2).astype(np.float32)
        intercept = (np.array([-intercept[0], intercept[0]]) / 2).astype(np.float32)
    return coef.T.copy(), intercept


@dataclass
class IntentModel:
    """A trained classifier: label scores -> calibrated probabilities."""

    spec: ModelSpec
    labels: list[str]
    featurizer: Featurizer
    weights: np.ndarray  # (n_features, n_labels) float32
    bias: np.ndarray  # (n_labels,)
    temperature: float
    meta: dict[str, Any] = field(default_factory=dict)

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(np.asarray(X @ self.weights) + self.bias)

    def predict_proba(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        X = self.featurizer.transform(normalized, raw, embeddings)
        return _softmax(self.scores(X), self.temperature)

    # --- training ---------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        normalized: Sequence[str],
        raw: Sequence[str],
        labels: Sequence[str],
        spec: ModelSpec = DEFAULT_SPEC,
        embeddings: np.ndarray | None = None,
        groups: Sequence[str] | None = None,
    ) -> IntentModel:
        """Fit on all examples; the softmax temperature is fitted on out-of-fold scores.

        ``groups`` keeps related examples (the same sentence written in several varieties) in
        the same fold, so the held-out scores look like scores of genuinely new sentences and
        the confidence is not inflated by near-copies.
        """
        started = time.perf_counter()
        label_list = sorted(set(labels))
        if len(label_list) < 2:
            raise ValueError("training needs at least two different labels")
        index = {label: i for i, label in enumerate(label_list)}
        y = np.array([index[label] for label in labels])
        if spec.embedder and embeddings is None:
            embeddings = get_embedder(spec.embedder).embed(raw)

        temperature = 1.0
        min_count = int(np.bincount(y).min())
        folds = min(spec.calibration_folds, min_count)
        oof_scores = None
        if folds >= 2:
            oof_scores = np.zeros((len(y), len(label_list)), dtype=np.float32)
            cv: StratifiedKFold | StratifiedGroupKFold
            if groups is not None:
                cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=spec.seed)
            else:
                cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=spec.seed)
            for train_idx, held_idx in cv.split(np.zeros(len(y)), y, groups):
                feat = Featurizer(spec)
                sub = [normalized[i] for i in train_idx]
                sub_raw = [raw[i] for i in train_idx]
                emb_tr = embeddings[train_idx] if embeddings is not None else None
                X_tr = feat.fit_transform(sub, sub_raw, emb_tr)
                clf = _linear(spec).fit(X_tr, y[train_idx])
                W, b = _weights(clf, len(label_list))
                emb_held = embeddings[held_idx] if embeddings is not None else None
                X_held = feat.transform(
                    [normalized[i] for i in held_idx], [raw[i] for i in held_idx], emb_held
                )
                oof_scores[held_idx] = np.asarray(X_held @ W) + b
            temperature = fit_temperature(oof_scores, y)

        featurizer = Featurizer(spec)
        X = featurizer.fit_transform(normalized, raw, embeddings)
        clf = _linear(spec).fit(X, y)
        W, b = _weights(clf, len(label_list))
        meta = {
            "format": FORMAT_VERSION,
            "n_examples": len(y),
            "train_seconds": round(time.perf_counter() - started, 2),
        }
        model = cls(spec, label_list, featurizer, W, b, temperature, meta)
        if oof_scores is not None:
            model.meta["oof_accuracy"] = float((oof_scores.argmax(axis=1) == y).mean())
        return model

    # --- persistence ------------------------------------------------------------------------
    def save(self, folder: str | Path, extra_meta: dict[str, Any] | None = None) -> None:
        """Write the model as plain files into ``folder`` (created; files replaced)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        vocab: dict[str, list[str]] = {}
        arrays: dict[str, np.ndarray] = {}
        for view, vec in zip(self.spec.views, self.featurizer.vectorizers, strict=True):
            terms = [""] * len(vec.vocabulary_)
            for term, i in vec.vocabulary_.items():
                terms[i] = term
            vocab[view.name] = terms
            arrays[f"idf_{view.name}"] = vec.idf_.astype(np.float32)
        # float16 halves the file; scores move by ~1e-3, far below any decision margin.
        arrays["weights"] = self.weights.astype(np.float16)
        arrays["bias"] = self.bias.astype(np.float32)
        meta = {
            **self.meta,
            **(extra_meta or {}),
            "format": FORMAT_VERSION,
            "labels": self.labels,
            "temperature": self.temperature,
            "spec": self.spec.to_dict(),
        }
        tmp_suffix = ".tmp"
        (folder / ("vocab.json" + tmp_suffix)).write_text(
            json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        with open(folder / ("arrays.npz" + tmp_suffix), "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        (folder / ("meta.json" + tmp_suffix)).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        for name in ("vocab.json", "arrays.npz", "meta.json"):  # meta last: it marks completeness
            (folder / (name + tmp_suffix)).replace(folder / name)

    @classmethod
    def load(cls, folder: str | Path) -> IntentModel:
        folder = Path(folder)
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{folder}: not a model folder (no meta.json)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{folder}: model format {meta.get('format')} (this engine reads {FORMAT_VERSION})")
        spec = ModelSpec.from_dict(meta["spec"])
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
            featurizer = Featurizer(spec)
            for view in spec.views:
                terms = vocab[view.name]
                vec = _vectorizer(view, {t: i for i, t in enumerate(terms)})
                vec.idf_ = arrays[f"idf_{view.name}"].astype(np.float64)
                featurizer.vectorizers.append(vec)
            weights = arrays["weights"].astype(np.float32)
            bias = arrays["bias"].astype(np.float32)
        if spec.embedder:
            get_embedder(spec.embedder)  # fail now, clearly, if it is not installed
        return cls(spec, list(meta["labels"]), featurizer, weights, bias, float(meta["temperature"]), meta)


def with_overrides(spec: ModelSpec, **changes: Any) -> ModelSpec:
    """A copy of ``spec`` with some fields changed (for benchmarks and tuning)."""
    return replace(spec, **changes)


@dataclass
class EnsembleModel:
    """Several models over the same labels, combined as a weighted product of their
    probabilities: ``softmax(sum_i w_i * log p_i / T)``.

    Diverse members (n-gram SVM, a classifier on sentence embeddings) make different errors; the
    weights and the temperature ``T`` are chosen on held-out data by whoever builds the ensemble
    (``bench/arbanking77.py`` uses the validation split). A shared embedder runs once per batch.
    """

    members: list[IntentModel]
    weights: list[float]
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.members or len(self.members) != len(self.weights):
            raise ValueError("an ensemble needs one weight per member")
        if any(m.labels != self.members[0].labels for m in self.members):
            raise ValueError("ensemble members must have the same labels")

    @property
    def labels(self) -> list[str]:
        return self.members[0].labels

    def log_scores(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        if embeddings is None:
            names = {m.spec.embedder for m in self.members if m.spec.embedder}
            if len(names) == 1:
                embeddings = get_embedder(names.pop()).embed(raw)
        total = np.zeros((len(normalized), len(self.labels)), dtype=np.float64)
        for model, weight in zip(self.members, self.weights, strict=True):
            if weight == 0:
                continue
            emb = embeddings if model.spec.embedder else None
            total += weight * np.log(np.clip(model.predict_proba(normalized, raw, emb), 1e-9, None))
        return total

    def predict_proba(
        self, normalized: Sequence[str], raw: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        return _softmax(self.log_scores(normalized, raw, embeddings), self.temperature)

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for i, member in enumerate(self.members):
            member.save(folder / f"member-{i}")
        manifest = {
            **self.meta,
            "format": FORMAT_VERSION,
            "kind": "ensemble",
            "members": [f"member-{i}" for i in range(len(self.members))],
            "weights": self.weights,
            "temperature": self.temperature,
            "labels": self.labels,
        }
        (folder / "ensemble.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> EnsembleModel:
        folder = Path(folder)
        manifest = json.loads((folder / "ensemble.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"{folder}: ensemble format {manifest.get('format')} (this engine reads {FORMAT_VERSION})")
        members = [IntentModel.load(folder / name) for name in manifest["members"]]
        return cls(members, [float(w) for w in manifest["weights"]], float(manifest["temperature"]), manifest)


def load_model(folder: str | Path) -> IntentModel | EnsembleModel:
    """Load a model folder written by :meth:`IntentModel.save` or :meth:`EnsembleModel.save`."""
    folder = Path(folder)
    if (folder / "ensemble.json").is_file():
        return EnsembleModel.load(folder)
    return IntentModel.load(folder)
