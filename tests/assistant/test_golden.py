"""Golden conversations: the brief's scenarios as data files (tests/assistant/golden/*.toml), played
through ``services.receive_buyer_message``, the code path of the web chat, the buyer API and WhatsApp.

Each file holds one scenario in Arabic, English and at least one dialect or Arabizi variant. A turn:

    say = "…" | choose = "<choice id>" | photo = "png" | "pdf"       what the buyer sends
    after = "49h"                                                     advance the clock first
    expect = ["substring", "re:regex"]   not_expect = […]             in the replies' text
    choices = ["order:81000001"]                                      quick replies offered (subset)
    action = "cancel_order"                                           an action a reply performed
    handoff = {queue = "payments", reason = "…", priority = 2}        the conversation went to people
    silent = true                                                     no reply (a person owns it)
    language = "en"                                                   the conversation's language after
    order_status = "cancelled"   case = {kind = "dispute", status = "awaiting_seller"}   the records after

Set AWN_GOLDEN_PRINT=1 to print every transcript.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.assistant.conftest import PDF, PNG

GOLDEN = Path(__file__).parent / "golden"
BIG = PNG + b"\0" * (10 * 1024 * 1024)
FILES = {"png": (PNG, "image/png", "image"), "pdf": (PDF, "application/pdf", "document"),
         "big": (BIG, "image/png", "image")}


def _load() -> list[Any]:
    params = []
    for path in sorted(GOLDEN.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for conversation in data["conversations"]:
            params.append(pytest.param(path.stem, conversation, id=f"{path.stem}:{conversation['name']}"))
    return params


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    assert match, f"after: not a duration: {text!r}"
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def _contains(text: str, pattern: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text, re.S) is not None
    return pattern in text


@pytest.mark.parametrize(("scenario", "conversation"), _load())
def test_golden_conversation(chat, scenario: str, conversation: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    from awn.cases.models import Case
    from awn.marketplace.models import Order

    c = chat(conversation.get("buyer"), language=conversation.get("language"),
             channel=conversation.get("channel", "web"), channel_ref=conversation.get("channel_ref", ""))
    transcript: list[str] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        where = f"{scenario}:{conversation['name']} turn {number}"
        kwargs: dict[str, Any] = {}
        if "after" in turn:
            kwargs["after"] = _duration(turn["after"])
        if "photo" in turn:
            content, content_type, kind = FILES[turn["photo"]]
            kwargs.update(photo=content, content_type=content_type, kind=kind)
        said = turn.get("say", "")
        c(said, choice=turn.get("choose", ""), **kwargs)
        transcript.append(f"> {said or turn.get('choose') or turn.get('photo')}\n{c.text}\n  {c.choice_titles}")
        if os.environ.get("AWN_GOLDEN_PRINT"):
            print(f"--- {where}\n{transcript[-1]}")
        shown = "\n\n".join(transcript)
        for pattern in turn.get("expect", []):
            assert _contains(c.text, pattern), f"{where}: expected {pattern!r} in:\n{shown}"
        for pattern in turn.get("not_expect", []):
            assert not _contains(c.text, pattern), f"{where}: did not expect {pattern!r} in:\n{shown}"
        for choice in turn.get("choices", []):
            assert choice in c.choices, f"{where}: expected choice {choice!r} in {c.choices}\n{shown}"
        assert all(len(t) <= 20 for t in c.choice_titles), f"{where}: quick-reply title over 20: {c.choice_titles}"
        if "action" in turn:
            names = [a.get("name") for a in c.actions]
            assert turn["action"] in names, f"{where}: expected action {turn['action']!r}, got {names}\n{shown}"
        if turn.get("silent"):
            assert not c.replies, f"{where}: expected silence, got:\n{c.text}"
        else:
            assert c.replies, f"{where}: no reply\n{shown}"
        if "handoff" in turn:
            handoff = c.handoff
            assert handoff is not None, f"{where}: expected a handoff\n{shown}"
            for key, value in turn["handoff"].items():
                assert getattr(handoff, key) == value, f"{where}: handoff.{key} = {getattr(handoff, key)!r}, not {value!r}"
            assert handoff.summary["who"] and handoff.summary_text
            assert c.conversation.owner == "nobody"
        elif not turn.get("silent"):
            assert c.conversation.owner == "assistant", f"{where}: unexpected handoff\n{shown}"
        if "language" in turn:
            assert c.conversation.language == turn["language"], f"{where}: language {c.conversation.language}"
        if "order_status" in turn:
            number_ = c.conversation.state.get("order") or turn.get("order")
            assert Order.objects.get(order_number=number_).status == turn["order_status"]
        if "case" in turn:
            spec = dict(turn["case"])
            order = spec.pop("order", None) or c.conversation.state.get("order")
            case = Case.objects.filter(order__order_number=order, kind=spec.pop("kind")).order_by("-id").first()
            assert case is not None, f"{where}: no case on {order}"
            for key, value in spec.items():
                assert getattr(case, key) == value, f"{where}: case.{key} = {getattr(case, key)!r}, not {value!r}"


def test_every_scenario_has_arabic_english_and_a_dialect() -> None:
    for path in sorted(GOLDEN.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        variants = {c.get("variant") for c in data["conversations"]}
        assert {"ar", "en"} <= variants, f"{path.name}: needs Arabic and English conversations, has {variants}"
        assert variants & {"dialect", "arabizi"}, f"{path.name}: needs a dialect or Arabizi conversation"
    scenarios = {tomllib.loads(p.read_text(encoding="utf-8"))["scenario"] for p in GOLDEN.glob("*.toml")}
    assert scenarios >= set(range(1, 12)), f"missing scenarios: {set(range(1, 12)) - scenarios}"
