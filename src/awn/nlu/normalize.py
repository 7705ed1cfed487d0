"""Text normalisation for matching (never for display).

Two views of a message are produced here:

* :func:`normalize` – the *matching* form the classifier sees: NFKC, no diacritics or tatweel,
  alef/hamza, alef maqsura and ta marbuta unified, all digits ASCII, Arabic punctuation mapped
  to ASCII, elongation collapsed, bidi/zero-width controls removed, Latin lower-cased, emoji kept.
* :func:`fold_digits` – a *same-length* view of the original text (digits and Arabic
  punctuation mapped one character to one character) so that entity offsets found in it are
  offsets into the original text.

The original text is always kept by the caller for display.
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanween, shadda, sukun, dagger alef, Quranic annotation marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
# Bidi embeddings/overrides/isolates, LRM/RLM/ALM, zero-width space/joiners, BOM, word joiner,
# soft hyphen and emoji variation selectors: invisible, and they break n-grams and regexes.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe0e\ufe0f\ufeff]")

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}

# One character to one character: safe for the same-length view used by entity extraction.
_FOLD_1TO1 = {
    **_DIGITS,
    ord("\u060c"): ",",  # Arabic comma
    ord("\u061b"): ";",  # Arabic semicolon
    ord("\u061f"): "?",  # Arabic question mark
    ord("\u066a"): "%",  # Arabic percent sign
    ord("\u066b"): ".",  # Arabic decimal separator
    ord("\u066c"): ",",  # Arabic thousands separator
    ord("\u06d4"): ".",  # Arabic full stop
    # Full-width digits and '+', '#' (NFKC would do it, but we need the 1:1 view too).
    **{0xFF10 + i: str(i) for i in range(10)},
    0xFF0B: "+",
    0xFF03: "#",
    ord("\u2010"): "-",
    ord("\u2011"): "-",
    ord("\u2012"): "-",
    ord("\u2013"): "-",
    ord("\u2014"): "-",
    ord("\u2212"): "-",
    ord("\u00a0"): " ",
    ord("\u202f"): " ",
}

# Letter unification for matching only.
_LETTERS = {
    ord("\u0623"): "\u0627",  # أ -> ا
    ord("\u0625"): "\u0627",  # إ -> ا
    ord("\u0622"): "\u0627",  # آ -> ا
    ord("\u0671"): "\u0627",  # ٱ -> ا
    ord("\u0672"): "\u0627",
    ord("\u0673"): "\u0627",
    ord("\u0624"): "\u0648",  # ؤ -> و
    ord("\u0626"): "\u064a",  # ئ -> ي
    ord("\u0649"): "\u064a",  # ى -> ي
    ord("\u06cc"): "\u064a",  # Persian ی -> ي
    ord("\u06d2"): "\u064a",  # ے -> ي
    ord("\u0629"): "\u0647",  # ة -> ه
    ord("\u06c0"): "\u0647",  # ۀ -> ه
    ord("\u06c1"): "\u0647",  # ہ -> ه
    ord("\u06a9"): "\u0643",  # Persian ک -> ك
    ord("\u06af"): "\u0643",  # گ -> ك (Gulf/Iraqi "g" written with the Persian letter)
    ord("\u06a4"): "\u0641",  # ڤ -> ف (v in Maghrebi/Gulf loanwords)
    ord("\u067e"): "\u0628",  # پ -> ب
    ord("\u0686"): "\u062c",  # چ -> ج
}

_ARABIC_LETTER = "\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff"
# Three or more of the same Arabic letter is elongation (Arabic writes doubled consonants
# with a shadda, so a run of two is kept: "للتواصل").
_ELONG_AR = re.compile(f"([{_ARABIC_LETTER}])\\1{{2,}}")
# Latin: three or more -> two ("sooo" -> "soo", but "good", "refund" untouched). Digits are never
# collapsed: they are order numbers.
_ELONG_LATIN = re.compile(r"([a-z])\1{2,}")
# Repeated punctuation collapses to one mark.
_PUNCT_RUN = re.compile(r"([?!.,;:~*])\1+")
_SPACE = re.compile(r"\s+")


def fold_digits(text: str) -> str:
    """Same-length view of ``text`` with ASCII digits and ASCII punctuation.

    ``len(fold_digits(t)) == len(t)`` always holds, so a span found in the folded view is a span
    of the original text.
    """
    return text.translate(_FOLD_1TO1)


def strip_invisible(text: str) -> str:
    """Remove bidi controls, zero-width characters and variation selectors."""
    return _INVISIBLE.sub("", text)


def collapse_elongation(text: str) -> str:
    """Collapse letter elongation: Arabic runs of 3+ to one letter, Latin runs of 3+ to two."""
    text = _ELONG_AR.sub(r"\1", text)
    return _ELONG_LATIN.sub(r"\1\1", text)


def _collapse_symbol_runs(text: str) -> str:
    # "😡😡😡" -> "😡": repetition adds intensity, not meaning, for intent matching.
    out: list[str] = []
    prev = ""
    for ch in text:
        if ch == prev and unicodedata.category(ch) == "So":
            continue
        out.append(ch)
        prev = ch
    return "".join(out)


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (see module docstring). Idempotent."""
    if not text:
        return ""
    text = strip_invisible(text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_FOLD_1TO1)
    text = _DIACRITICS.sub("", text.replace(_TATWEEL, ""))
    text = text.translate(_LETTERS)
    text = text.casefold()
    text = collapse_elongation(text)
    text = _PUNCT_RUN.sub(r"\1", text)
    text = _collapse_symbol_runs(text)
    text = _SPACE.sub(" ", text).strip()
    return text
