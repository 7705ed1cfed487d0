"""The assistant's message catalog: every sentence it says, per language, keyed by message id.

``messages/ar.toml`` and ``messages/en.toml`` hold the same ids with the same ``{named}``
placeholders (a test checks). Translators edit those files only; code refers to ids. Values are
filled with already-formatted strings (dates in the buyer's timezone, amounts with currency), so
templates never format anything themselves.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from types import MappingProxyType
from typing import Any

LANGUAGES = ("ar", "en")
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"


class MissingMessage(KeyError):
    pass


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            out[name] = value.strip("\n")
        else:
            raise TypeError(f"{name}: a message must be a string, got {type(value).__name__}")
    return out


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """All messages of one language, ids flattened ("seller.options_intro")."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalog for {lang!r}")
    with (MESSAGES_DIR / f"{lang}.toml").open("rb") as handle:
        return MappingProxyType(_flatten(tomllib.load(handle)))


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def message(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled."""
    try:
        template = catalog(lang if lang in LANGUAGES else "ar")[key]
    except KeyError:
        raise MissingMessage(f"{lang}:{key}") from None
    return template.format(**{k: "" if v is None else v for k, v in values.items()})


def has(lang: str, key: str) -> bool:
    return key in catalog(lang)
