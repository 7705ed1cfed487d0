"""Cutting text to WhatsApp's limits without breaking a letter.

WhatsApp counts characters; Awn counts code points (never fewer than what a person sees) and cuts
only between grapheme clusters: an Arabic letter keeps its harakat and shadda, an emoji keeps its
skin tone, variation selector and ZWJ sequence, a flag keeps both regional indicators. When
the cut leaves at least half of the room, it falls at a word boundary. Cut text ends with "…".
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
_ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """Characters that belong to the cluster before them (a simplified UAX #29 Extend/SpacingMark)."""
    cp = ord(ch)
    if unicodedata.category(ch) in ("Mn", "Me", "Mc"):
        return True  # harakat, shadda, superscript alef, combining marks, enclosing keycaps
    return (
        ch in (_ZWJ, "\u200c")
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0xE0100 <= cp <= 0xE01EF
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    clusters: list[str] = []
    for ch in text:
        if clusters:
            last = clusters[-1]
            joins = _extends(ch) or last.endswith(_ZWJ) or (last == "\r" and ch == "\n")
            pair = _regional(ch) and len(last) == 1 and _regional(last)
            if joins or pair:
                clusters[-1] = last + ch
                continue
        clusters.append(ch)
    return clusters


def fit(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else a cut on a cluster (preferably word) boundary + "…"."""
    text = " ".join(text.split())  # titles and labels: one line, single spaces
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for cluster in graphemes(text):
        if used + len(cluster) > room:
            break
        kept.append(cluster)
        used += len(cluster)
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space >= room // 2:
        cut = cut[:space]
    cut = cut.rstrip(" \u0640-–—,.،؛:")  # no trailing tatweel or punctuation before the ellipsis
    return (cut or "".join(kept)) + ELLIPSIS


def unique_titles(titles: list[str], limit: int) -> list[str]:
    """Fit every title, then make cut titles unique (WhatsApp refuses duplicate button titles)."""
    out: list[str] = []
    for title in titles:
        candidate = fit(title, limit) or "-"
        n = 2
        while candidate in out:
            suffix = f" {n}"
            candidate = fit(title, limit - len(suffix)) + suffix
            n += 1
        out.append(candidate)
    return out
