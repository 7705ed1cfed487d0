"""Arabizi (Arabic in Latin letters with digits for missing sounds) and the shared skeleton.

Two tools, both small rule tables written for Awn (no model, no download):

* :func:`to_arabic` – a readable Arabizi -> Arabic-script transliteration ("fein el order bta3i"
  -> "فين ال اوردر بتاعي"). It is approximate (Arabizi does not write short vowels and spells
  the same sound several ways); it is shown to agents and used by the entity/language code, not
  trusted as a spelling.
* :func:`skeleton` – a *consonant skeleton* key that Arabic-script and Arabizi spellings of the
  same word share: "طلبي" and "talabi" both give "tlb", "موصلش" and "mawsalsh" both give "mslc".
  Vowels (written or not) are dropped, emphatic/plain pairs that Arabizi cannot tell apart are
  merged (ط/ت, ص/س, ض/د, ظ/ذ/ز, ح/ه), and the digits 2/3/5/6/7/8/9 are read as letters (2 as
  the Egyptian/Levantine ق: "ba2a" = بقى, "b2ali" = بقالي). The
  classifier reads character n-grams of this key beside the normal text, so an intent learnt
  from Arabic-script examples is recognised when it is typed in Arabizi, and vice versa.
"""

from __future__ import annotations

import re

# --- Arabic script -> skeleton -------------------------------------------------------------
_AR_SKEL = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "چ": "j", "ح": "h", "ه": "h",
    "ة": "", "خ": "x", "د": "d", "ض": "d", "ذ": "z", "ز": "z", "ظ": "z", "ر": "r", "س": "s",
    "ص": "s", "ش": "c", "ع": "3", "غ": "g", "ف": "f", "ڤ": "f", "ق": "q", "ك": "k", "ک": "k",
    "گ": "j", "ل": "l", "م": "m", "ن": "n", "و": "w", "ؤ": "w", "ي": "y", "ى": "", "ئ": "y",
    "ی": "y", "ا": "", "أ": "", "إ": "", "آ": "", "ء": "", "ٱ": "",
}

# --- Arabizi -> skeleton (longest match first) ----------------------------------------------
_LATIN_MULTI = [
    ("3'", "g"), ("7'", "x"), ("9'", "d"), ("6'", "z"),
    ("sch", "c"), ("sh", "c"), ("ch", "c"), ("kh", "x"), ("gh", "g"), ("th", "t"), ("dh", "z"),
    ("ou", "w"), ("oo", "w"), ("ee", "y"), ("ck", "k"), ("dj", "j"),
]
_LATIN_SINGLE = {
    "b": "b", "p": "b", "t": "t", "j": "j", "g": "j", "d": "d", "r": "r", "z": "z", "s": "s",
    "f": "f", "v": "f", "q": "q", "k": "k", "c": "k", "l": "l", "m": "m", "n": "n", "h": "h",
    "w": "w", "y": "y", "x": "ks",
    "2": "q", "3": "3", "4": "c", "5": "x", "6": "t", "7": "h", "8": "g", "9": "q",
    "a": "", "e": "", "i": "y", "o": "", "u": "",
}

_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3a-z0-9']+")
_HAS_LATIN = re.compile(r"[a-z]")
_HAS_ARABIC = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
# Article forms: "el", "al", "il", "l-" -> the skeleton of ال.
_ARTICLES = {"el", "al", "il", "ell", "l", "ال"}


def _squash(key: str) -> str:
    # Long vowels are consonantal only at the start of a word (و/w "and", ي/y); inside a word
    # Arabizi writes them inconsistently (fein/fin/feen), so they are dropped there.
    if len(key) > 1:
        key = key[0] + key[1:].replace("w", "").replace("y", "")
    # A final ه is mostly a vowel (كده = kida, لسه = lessa).
    if len(key) > 1 and key.endswith("h"):
        key = key[:-1]
    # Doubled consonants (shadda written out: "7abbet") count once.
    return re.sub(r"(.)\1+", r"\1", key)


def skeleton_word(word: str) -> str:
    """Consonant skeleton of one already-normalised word (Arabic script or Latin/Arabizi)."""
    if word in _ARTICLES:
        return "l"
    if _HAS_ARABIC.search(word):
        if word.startswith("ال") and len(word) > 3:
            return "l" + _squash("".join(_AR_SKEL.get(ch, "") for ch in word[2:]))
        return _squash("".join(_AR_SKEL.get(ch, "") for ch in word))
    if word.isdigit():
        return ""  # numbers are entities, not words
    out: list[str] = []
    i = 0
    while i < len(word):
        for pat, rep in _LATIN_MULTI:
            if word.startswith(pat, i):
                out.append(rep)
                i += len(pat)
                break
        else:
            out.append(_LATIN_SINGLE.get(word[i], ""))
            i += 1
    key = "".join(out)
    # "el-" glued to the next word ("elorder", "l3arbi").
    if (word.startswith("el") or word.startswith("al")) and len(word) > 4:
        key = "l" + _squash(key[1:]) if key.startswith("l") else _squash(key)
        return key
    return _squash(key)


def skeleton(normalized: str) -> str:
    """Skeleton of a normalised text: one key per word, space separated, empty keys dropped."""
    keys = (skeleton_word(w) for w in _TOKEN.findall(normalized))
    return " ".join(k for k in keys if k)


# --- Arabizi -> Arabic script (readable) -----------------------------------------------------
_TO_AR_MULTI = [
    ("3'", "غ"), ("7'", "خ"), ("9'", "ض"), ("6'", "ظ"),
    ("sh", "ش"), ("ch", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("dh", "ذ"),
    ("ou", "و"), ("oo", "و"), ("ee", "ي"), ("ei", "ي"), ("ai", "اي"), ("ay", "اي"), ("aa", "ا"),
]
_TO_AR_SINGLE = {
    "b": "ب", "p": "ب", "t": "ت", "j": "ج", "g": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س",
    "f": "ف", "v": "ف", "q": "ق", "k": "ك", "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه",
    "w": "و", "y": "ي", "x": "كس",
    "2": "ء", "3": "ع", "4": "ش", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ق",
    "i": "ي", "o": "و", "u": "و", "a": "", "e": "",
}


def to_arabic_word(word: str) -> str:
    """Readable Arabic-script spelling of one Arabizi word (approximate)."""
    if word in _ARTICLES:
        return "ال"
    if not _HAS_LATIN.search(word) or word.isdigit():
        return word
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if i == 0 and ch in "aeiou" and not word.startswith(("ou", "oo")):
            out.append("ا")  # a word-initial vowel is carried by an alef
            i += 1
            continue
        if i == n - 1 and ch == "a":
            out.append("ا")  # final -a is long in dialect spelling ("ma3ana" -> معانا)
            i += 1
            continue
        if i == n - 1 and ch == "e":
            out.append("ه")
            i += 1
            continue
        for pat, rep in _TO_AR_MULTI:
            if word.startswith(pat, i):
                out.append(rep)
                i += len(pat)
                break
        else:
            out.append(_TO_AR_SINGLE.get(ch, ch))
            i += 1
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def to_arabic(normalized: str) -> str:
    """Transliterate every Latin word of a normalised text (Arabic words pass through)."""
    return re.sub(r"[a-z0-9']+", lambda m: to_arabic_word(m.group(0)), normalized)
