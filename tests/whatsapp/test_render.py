"""Plain-Python units: cutting Arabic and emoji titles, Meta's limits, parsing odd shapes, secrets at rest."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awn.channels.whatsapp import render
from awn.channels.whatsapp.parse import parse_delivery, parse_timestamp
from awn.channels.whatsapp.text import ELLIPSIS, fit, graphemes, unique_titles


def test_short_titles_are_untouched():
    assert fit("موظف", 20) == "موظف"


def test_arabic_with_harakat_is_cut_between_letters_never_between_a_letter_and_its_marks():
    title = "اخْتَرْ رَقْمَ الطَّلَبِ المُرَادِ تَتَبُّعُهُ"
    cut = fit(title, 20)
    assert len(cut) <= 20 and cut.endswith(ELLIPSIS)
    body = cut[: -len(ELLIPSIS)]
    assert title.startswith(body)
    assert unicodedata.category(title[len(body)]) != "Mn"  # the next character starts a new letter


def test_word_boundary_is_preferred_when_it_keeps_half_the_room():
    assert fit("طلب رقم 81000001 سماعات لاسلكية", 20) == "طلب رقم 81000001…"


def test_emoji_sequences_and_flags_stay_whole():
    assert graphemes("👍🏽🇸🇦👨‍👩‍👧") == ["👍🏽", "🇸🇦", "👨‍👩‍👧"]
    cut = fit("🇸🇦🇸🇦🇸🇦🇸🇦", 6)
    assert cut == "🇸🇦🇸🇦" + ELLIPSIS


@given(st.text(alphabet=st.sampled_from(list("ابتثجحخدذرسشعغقكلمنهوي ًٌٍَُِّْٰـ👍🏽‍🇸🇦x")), min_size=0, max_size=80),
       st.integers(min_value=2, max_value=30))
def test_fit_never_exceeds_the_limit_and_never_orphans_a_mark(text, limit):
    cut = fit(text, limit)
    assert len(cut) <= limit
    body = cut[: -len(ELLIPSIS)] if cut.endswith(ELLIPSIS) and cut != " ".join(text.split()) else cut
    clusters = graphemes(" ".join(text.split()))
    assert body == "" or any("".join(clusters[:i]).startswith(body) for i in range(len(clusters) + 1))


def test_duplicate_cut_titles_are_made_unique():
    titles = unique_titles(["سماعات لاسلكية بلوتوث أ", "سماعات لاسلكية بلوتوث ب"], 20)
    assert len(set(titles)) == 2 and all(len(t) <= 20 for t in titles)


def test_three_choices_are_buttons_four_are_a_list_eleven_are_two_lists():
    choices = [{"id": str(i), "title": f"خيار {i}"} for i in range(11)]
    assert [p.kind for p in render.message_parts("نص", choices[:3], "ar")] == ["buttons"]
    assert [p.kind for p in render.message_parts("نص", choices[:4], "ar")] == ["list"]
    assert [p.kind for p in render.message_parts("نص", choices, "ar")] == ["list", "list"]
    assert [p.kind for p in render.message_parts("x" * 2000, choices[:2], "en")] == ["list"]  # body > 1024
    assert [p.kind for p in render.message_parts("x" * 5000, choices[:2], "en")] == ["text", "list"]


def test_templates_and_read_receipts_need_no_window():
    assert render.template_part("t", "ar").free_form is False
    assert render.mark_read_part("wamid.x").free_form is False
    assert render.text_part("x").free_form is True


def test_reply_ids_map_back():
    choices = [{"id": "a" * 300, "title": "x"}]
    assert render.choice_for_reply("awn:0", choices) == "a" * 300
    assert render.choice_for_reply("awn:9", choices) == ""
    assert render.choice_for_reply("order:1", choices) == "order:1"


@pytest.mark.parametrize("value, expected", [("1749416383", 1749416383), (1749416383, 1749416383), ("x", None),
                                             (None, None), ("-5", None), ("99999999999999", None)])
def test_timestamps_are_read_defensively(value, expected):
    parsed = parse_timestamp(value)
    assert (parsed.timestamp() if parsed else None) == expected


@pytest.mark.parametrize("data", [
    {}, {"entry": None}, {"entry": [None]}, {"entry": [{"changes": "x"}]},
    {"entry": [{"changes": [{"field": "messages", "value": []}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [None, {"type": "text"}]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": "w", "type": "text", "text": "x"}],
                                                            "contacts": "x", "statuses": [{"id": 5}]}}]}]},
])
def test_malformed_shapes_never_crash_and_are_kept(data):
    parsed = parse_delivery(data)
    assert parsed.others or parsed.messages or parsed.statuses


def test_unknown_message_types_are_kept_as_unsupported():
    data = {"entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "1"}, "messages": [
        {"from": "1", "id": "w1", "timestamp": "1", "type": "poll_vote", "poll_vote": {"x": 1}},
        {"from": "1", "id": "w2", "timestamp": "1", "type": "interactive", "interactive": {"type": "nfm_reply"}},
        {"from": "1", "id": "w3", "timestamp": "1", "type": "order", "order": {"catalog_id": "c"}},
    ]}}]}]}
    messages = parse_delivery(data).messages
    assert [(m.supported, m.attachment["kind"]) for m in messages] == [(False, "unsupported")] * 3
    assert messages[0].raw["poll_vote"] == {"x": 1}


def test_secrets_round_trip_and_detect_tampering(settings):
    from awn.channels.whatsapp import crypto

    token = crypto.encrypt("EAAG-secret-تجربة")
    assert "EAAG" not in token and crypto.decrypt(token) == "EAAG-secret-تجربة"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # a fresh nonce each time
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    settings.AWN_WHATSAPP_SECRET_KEY = "another key"
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)
