"""Labelled examples: Awn's own intent files and an operator's CSV / JSON lines.

Awn's own data lives in ``src/awn/nlu/data/intents/{train,test}/<intent>.tsv`` (UTF-8, header
``variety\\ttext``, one example per line). The ``test`` split is frozen: it is never trained
or tuned on; :func:`overlap` checks that no test sentence also occurs in train once normalised.

Every loader fails with a :class:`DataError` that names ``file:line``, so a person can fix the
data without reading this code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from awn.nlu.normalize import normalize

#: The stable intent labels of DOMAIN.md, in its order. ``out_of_scope`` is everything else.
INTENTS: tuple[str, ...] = (
    "greeting",
    "thanks_goodbye",
    "track_order",
    "order_not_arrived",
    "payment_verification",
    "payment_problem",
    "seller_not_responding",
    "cancel_order",
    "modify_order",
    "return_request",
    "damaged_item",
    "wrong_item",
    "refund_status",
    "partial_refund",
    "return_parcel_status",
    "missing_order",
    "account_access",
    "open_dispute",
    "dispute_status",
    "human_agent",
    "contact_channels",
    "affirm",
    "deny",
    "out_of_scope",
)
OUT_OF_SCOPE = "out_of_scope"

#: Language varieties an example is tagged with.
VARIETIES: tuple[str, ...] = ("msa", "egy", "gulf", "lev", "mag", "irq", "arabizi", "en")

INTENTS_DIR = Path(__file__).parent / "data" / "intents"
MIN_TRAIN_PER_INTENT = 80
MIN_TEST_PER_INTENT = 20


class DataError(ValueError):
    """A labelled-data file is malformed; the message starts with ``file:line``."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    variety: str | None = None
    source: str = ""  # "file:line", for error messages and reports


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Decoded lines of ``path`` without line endings; invalid UTF-8 names its line."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}:{number}: invalid UTF-8 ({exc.reason})") from None
        yield number, text.removesuffix("\r")


def read_intent_file(
    path: Path, *, intents: Iterable[str] = INTENTS, errors: list[DataError] | None = None
) -> list[Example]:
    """Read one ``<intent>.tsv`` file, validating it fully.

    A malformed line raises :class:`DataError`; if ``errors`` is given, it is appended there
    instead and the line is skipped (used by ``awn nlu check`` to list every problem at once).
    """
    path = Path(path)
    try:
        return _read_intent_file(path, set(intents), errors)
    except DataError as exc:
        if errors is None:
            raise
        errors.append(exc)
        return []


def _read_intent_file(path: Path, intents: set[str], errors: list[DataError] | None) -> list[Example]:
    def fail(message: str) -> None:
        if errors is None:
            raise DataError(message)
        errors.append(DataError(message))

    intent = path.stem
    if intent not in intents:
        raise DataError(f"{path}:1: intent {intent!r} is not one of the {len(INTENTS)} labels")
    lines = list(_lines(path))
    while lines and not lines[-1][1].strip():
        lines.pop()  # trailing blank lines at the end of the file are harmless
    if not lines or lines[0][1] != "variety\ttext":
        got = lines[0][1] if lines else ""
        raise DataError(f"{path}:1: header must be 'variety<TAB>text', got {got!r}")
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in lines[1:]:
        where = f"{path}:{number}"
        fields = line.split("\t")
        if len(fields) < 2:
            fail(f"{where}: expected 'variety<TAB>text', got {line!r}")
            continue
        if len(fields) > 2:
            fail(f"{where}: tab in text (only one tab, after the variety, is allowed)")
            continue
        variety, text = fields[0].strip(), fields[1].strip()
        if variety not in VARIETIES:
            fail(f"{where}: unknown variety {variety!r} (expected one of {', '.join(VARIETIES)})")
            continue
        if not text:
            fail(f"{where}: empty text")
            continue
        if text in seen:
            fail(f"{where}: duplicate line (same text as line {seen[text]})")
            continue
        seen[text] = number
        examples.append(Example(text=text, intent=intent, variety=variety, source=where))
    return examples


def load_intents(
    split: str, root: Path | None = None, *, errors: list[DataError] | None = None
) -> list[Example]:
    """All examples of Awn's ``train`` or ``test`` split, file by file in label order.

    With ``errors`` given, problems are collected there instead of raised (see
    :func:`read_intent_file`).
    """
    if split not in ("train", "test"):
        raise ValueError("split must be 'train' or 'test'")
    folder = (root or INTENTS_DIR) / split
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder")
    examples: list[Example] = []
    for path in sorted(folder.glob("*.tsv")):
        examples.extend(read_intent_file(path, errors=errors))
    if not examples:
        raise DataError(f"{folder}: no <intent>.tsv files")
    return examples


def fingerprint(split: str = "train", root: Path | None = None) -> str:
    """SHA-256 of a split's files (names and bytes): identifies the data a model was trained on."""
    digest = hashlib.sha256()
    folder = (root or INTENTS_DIR) / split
    for path in sorted(folder.glob("*.tsv")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_labelled(path: str | Path) -> list[Example]:
    """An operator's data: CSV with a ``label,text`` header, or JSON lines ``{"text", "intent"}``.

    The format is chosen by the extension (``.csv``; ``.jsonl``/``.json``/``.ndjson``), else by
    the first character (``{`` means JSON lines). A JSON line may carry a ``variety`` too, which
    ``eval`` then reports on.
    """
    path = Path(path)
    try:
        head = path.read_bytes()[:1].lstrip(b"\xef\xbb\xbf")
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror}") from None
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson") or head == b"{":
        examples = _load_jsonl(path)
    else:
        examples = _load_csv(path)
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def _load_jsonl(path: Path) -> list[Example]:
    examples: list[Example] = []
    for number, line in _lines(path):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DataError(f"{where}: expected an object with 'text' and 'intent'")
        text, intent = obj.get("text"), obj.get("intent", obj.get("label"))
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{where}: empty or missing 'text'")
        if not isinstance(intent, str) or not intent.strip():
            raise DataError(f"{where}: empty or missing 'intent'")
        variety = obj.get("variety")
        examples.append(
            Example(text.strip(), intent.strip(), variety if isinstance(variety, str) else None, where)
        )
    return examples


def _load_csv(path: Path) -> list[Example]:
    decoded = "\n".join(line for _, line in _lines(path))
    reader = csv.reader(io.StringIO(decoded))
    header = next(reader, None)
    if header is None:
        raise DataError(f"{path}:1: empty file")
    columns = [h.strip().lower() for h in header]
    if "label" not in columns or "text" not in columns:
        raise DataError(f"{path}:1: header must name 'label' and 'text' columns, got {header!r}")
    i_label, i_text = columns.index("label"), columns.index("text")
    i_variety = columns.index("variety") if "variety" in columns else None
    examples: list[Example] = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) <= max(i_label, i_text):
            raise DataError(f"{where}: expected columns {header!r}, got {row!r}")
        label, text = row[i_label].strip(), row[i_text].strip()
        if not text:
            raise DataError(f"{where}: empty text")
        if not label:
            raise DataError(f"{where}: empty label")
        variety = row[i_variety].strip() if i_variety is not None and len(row) > i_variety else None
        examples.append(Example(text, label, variety or None, where))
    return examples


@dataclass(frozen=True, slots=True)
class Overlap:
    test: Example
    train: Example


def overlap(train: Iterable[Example], test: Iterable[Example]) -> list[Overlap]:
    """Test examples whose normalised text also occurs in train (a leak of the frozen split)."""
    index: dict[str, Example] = {}
    for ex in train:
        index.setdefault(_key(ex.text), ex)
    return [Overlap(ex, index[_key(ex.text)]) for ex in test if _key(ex.text) in index]


def _key(text: str) -> str:
    # Punctuation and spacing differences do not make a sentence new.
    return " ".join("".join(ch for ch in normalize(text) if ch.isalnum() or ch.isspace()).split())


def conflicts(examples: Iterable[Example]) -> list[tuple[Example, Example]]:
    """Pairs of examples with the same normalised text and different intents."""
    first: dict[str, Example] = {}
    out: list[tuple[Example, Example]] = []
    for ex in examples:
        key = _key(ex.text)
        if key in first and first[key].intent != ex.intent:
            out.append((first[key], ex))
        first.setdefault(key, ex)
    return out
