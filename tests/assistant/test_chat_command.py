"""``awn chat``: the terminal channel, through the same services as the web."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from awn.helpdesk.models import Conversation, Message


def _chat(monkeypatch, lines: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    out = io.StringIO()
    call_command("chat", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_piped_lines_are_a_conversation_and_numbers_pick_quick_replies(demo, monkeypatch):
    out = _chat(monkeypatch, "الدفع ما زال قيد التحقق\n1\n/quit\nnever read\n", "--customer", "demo-noura")
    assert "[1] 81000001" in out and "[2] 81000002" in out
    assert "منذ" in out and "قيد التحقق" in out
    conversation = Conversation.objects.get(channel="terminal")
    picked = Message.objects.get(conversation=conversation, choice_id="order:81000001")
    assert picked.author == "buyer"
    assert not Message.objects.filter(text="never read").exists()


def test_the_buyer_can_be_named_by_phone_and_the_handoff_is_shown(demo, monkeypatch):
    out = _chat(monkeypatch, "I want to talk to a person\nhello?\n", "--customer", "+971 50 000 0103",
                "--language", "en")
    assert "Sarah Haddad" in out and "Of course" in out
    assert "with people now" in out


def test_a_photo_can_be_sent_from_a_file(demo, monkeypatch, tmp_path):
    from tests.assistant.conftest import PNG

    photo = tmp_path / "broken.png"
    photo.write_bytes(PNG)
    out = _chat(monkeypatch, f"/photo {photo}\n", "--customer", "demo-noura")
    assert "شكرًا على الصورة" in out


def test_an_unknown_buyer_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="--customer"):
        call_command("chat", "--customer", "nobody-here", stdout=io.StringIO())
