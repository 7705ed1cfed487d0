"""A normalised view of a text that remembers where each character came from.

Entity extraction runs its patterns on this view (digits already ASCII, alef/ta marbuta
unified, tatweel, diacritics and invisible controls gone, elongation collapsed) and maps every
match back to offsets in the *original* text, so the assistant can highlight or quote exactly
what the buyer typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from awn.nlu.normalize import _DIACRITICS, _FOLD_1TO1, _INVISIBLE, _LETTERS, _TATWEEL

_AR_LO, _AR_HI = "\u0621", "\u06d3"


@dataclass(frozen=True, slots=True)
class AlignedText:
    """``text`` is the matching view; ``text[i]`` came from ``original[index[i]:ends[i]]``."""

    original: str
    text: str
    index: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the view slice ``text[start:end]`` (``end > start``)."""
        return self.index[start], self.ends[end - 1]


def align(original: str) -> AlignedText:
    """Build the aligned matching view of ``original`` (linear time)."""
    chars: list[str] = []
    index: list[int] = []
    for pos, ch in enumerate(original):
        if ch == _TATWEEL or _INVISIBLE.match(ch) or _DIACRITICS.match(ch):
            continue
        mapped = ch.translate(_FOLD_1TO1)
        if mapped == ch and ord(ch) > 0x7F:
            mapped = unicodedata.normalize("NFKC", ch)
        mapped = mapped.translate(_LETTERS)
        for out in mapped:
            chars.append(out.lower() if out.isascii() else out)
            index.append(pos)
    # Arabic elongation, as normalize() does it: a run of three or more of the same letter
    # becomes one letter (the first one's offset is kept).
    keep_chars: list[str] = []
    keep_index: list[int] = []
    keep_ends: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        j = i + 1
        while j < n and chars[j] == chars[i]:
            j += 1
        run = j - i
        if run >= 3 and _AR_LO <= chars[i] <= _AR_HI:
            keep_chars.append(chars[i])
            keep_index.append(index[i])
            keep_ends.append(index[j - 1] + 1)
        else:
            keep_chars.extend(chars[i:j])
            keep_index.extend(index[i:j])
            keep_ends.extend(k + 1 for k in index[i:j])
        i = j
    return AlignedText(original, "".join(keep_chars), tuple(keep_index), tuple(keep_ends))
