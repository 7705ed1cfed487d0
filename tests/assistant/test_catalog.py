"""The message catalogs: the same ids and placeholders in Arabic and English, short quick replies,
and every message id the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from awn.assistant.catalog import LANGUAGES, catalog, placeholders

SOURCE = Path(__file__).resolve().parents[2] / "src" / "awn" / "assistant"
PREFIXES = ("greeting", "thanks", "affirm", "deny", "unclear", "language", "account", "order", "payment",
            "seller", "dispute", "photo", "refund", "partial", "return", "cancel", "modify", "track", "missing",
            "contact", "handoff", "choice", "summary")


def test_both_languages_have_the_same_ids_and_placeholders():
    ar, en = catalog("ar"), catalog("en")
    assert set(ar) == set(en), set(ar) ^ set(en)
    for key in ar:
        assert placeholders(ar[key]) == placeholders(en[key]), key
        assert ar[key].strip() and en[key].strip(), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_reply_titles_fit_a_whatsapp_button(lang):
    for key, text in catalog(lang).items():
        if key.startswith("choice."):
            assert len(text) <= 20, (key, text)


def test_arabic_messages_are_in_arabic_and_english_ones_are_not():
    arabic = re.compile("[\u0600-\u06ff]")
    for key, text in catalog("ar").items():
        if key.startswith(("method.apple_pay",)):
            continue
        assert arabic.search(text), key
    for key, text in catalog("en").items():
        assert not arabic.search(text), key


def test_every_message_id_named_in_the_code_exists():
    ids = set(catalog("en"))
    named: set[str] = set()
    # Literal ids passed to say()/t(), as tell=/intro=/key=, or as the other branch of a conditional.
    prefixes = "|".join(PREFIXES)
    pattern = re.compile(r"""(?:\b(?:say|t)\(|\b(?:tell|intro|key)\s*=\s*|\belse\s+)["']((?:"""
                         + prefixes + r""")\.[a-z_.]+)["']""")
    for path in SOURCE.rglob("*.py"):
        named |= set(pattern.findall(path.read_text(encoding="utf-8")))
    missing = {key for key in named if key not in ids}
    assert not missing, missing
    assert len(named) > 150  # the scan sees the code
