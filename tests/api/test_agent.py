"""Reading conversations and handoffs, and agents replying through the API until their console exists."""

from __future__ import annotations

import sys
import types

import pytest

from awn.helpdesk import services
from awn.helpdesk.models import Conversation, Handoff, Message
from tests.api.helpers import error

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_off(riyadh_buyer, assistant):  # type: ignore[no-untyped-def]
    conversation = services.start_conversation(riyadh_buyer, "web")
    services.receive_buyer_message(conversation, text="أبغى أكلم موظف", client_message_id="m-1")
    services.hand_off(conversation, queue="general", priority=2, reason="asked_for_human",
                      summary={"who": "riyadh", "wants": "a person"}, summary_text="Buyer asked for a person.")
    return Conversation.objects.get(pk=conversation.pk)


def test_conversations_are_listed_and_read_with_messages_and_handoffs(operator, handed_off):
    r = operator.get("/api/v1/conversations?customer=riyadh")
    assert [c["id"] for c in r.json()["items"]] == [handed_off.pk]
    r = operator.get(f"/api/v1/conversations/{handed_off.pk}")
    body = r.json()
    assert [m["author"] for m in body["messages"]] == ["buyer", "assistant"]
    assert body["messages"][1]["intent"] == "greeting"
    assert body["handoffs"][0]["summary_text"] == "Buyer asked for a person."
    assert body["status"] == "handed_off"
    error(operator.get("/api/v1/conversations/999999"), 404, "conversation_not_found")


def test_the_handoff_queue(operator, handed_off):
    r = operator.get("/api/v1/handoffs?status=waiting")
    items = r.json()["items"]
    assert [(h["queue"], h["priority"], h["reason"]) for h in items] == [("general", 2, "asked_for_human")]
    assert operator.get("/api/v1/handoffs?status=resolved").json()["items"] == []


def test_paging_with_before(operator, riyadh_buyer, cairo_buyer, dubai_buyer):
    ids = [services.start_conversation(c, "web").pk for c in (riyadh_buyer, cairo_buyer, dubai_buyer)]
    first = operator.get("/api/v1/conversations?limit=2").json()
    assert [c["id"] for c in first["items"]] == ids[::-1][:2]
    rest = operator.get(f"/api/v1/conversations?limit=2&before={first['next_before']}").json()
    assert [c["id"] for c in rest["items"]] == [ids[0]] and rest["next_before"] is None


def test_an_agent_reply_takes_over_and_reaches_the_buyer(operator, handed_off, agent, buyer_api, riyadh_buyer):
    r = operator.post(f"/api/v1/conversations/{handed_off.pk}/agent-messages",
                      {"agent": "agent-amal", "text": "مرحبًا، معك أمل"})
    assert r.status_code == 201
    assert r.json()["message"]["author"] == "agent" and r.json()["message"]["agent"] == "agent-amal"
    assert r.json()["whatsapp_window"] is None
    conversation = Conversation.objects.get(pk=handed_off.pk)
    assert (conversation.owner, conversation.agent) == ("agent", agent)
    handoff = Handoff.objects.get()
    assert handoff.status == "assigned" and handoff.first_reply_at is not None
    polled = buyer_api(riyadh_buyer).get(f"/api/v1/buyer/conversations/{handed_off.pk}/messages?after=0").json()
    assert polled["messages"][-1]["text"] == "مرحبًا، معك أمل"


def test_agent_refusals(operator, handed_off, agent):
    path = f"/api/v1/conversations/{handed_off.pk}/agent-messages"
    error(operator.post(path, {"agent": "nobody", "text": "hi"}), 422, "agent_not_found")
    error(operator.post(path, {"agent": "agent-amal", "text": " "}), 422, "empty_message")
    error(operator.post(path, {"agent": "agent-amal", "text": "x" * 4097}), 422, "text_too_long")
    assert not Message.objects.filter(author="agent").exists()


def test_take_over_and_hand_back(operator, handed_off, agent, assistant):
    r = operator.post(f"/api/v1/conversations/{handed_off.pk}/take-over", {"agent": "agent-amal"})
    assert (r.json()["owner"], r.json()["agent"]) == ("agent", "agent-amal")
    r = operator.post(f"/api/v1/conversations/{handed_off.pk}/hand-back", {"agent": "agent-amal"})
    assert (r.json()["owner"], r.json()["status"]) == ("assistant", "open")
    assert r.json()["handoffs"][0]["status"] == "resolved"


@pytest.fixture
def whatsapp_conversation(riyadh_buyer):  # type: ignore[no-untyped-def]
    return services.start_conversation(riyadh_buyer, "whatsapp", channel_ref="123:966500000201")


def _window(monkeypatch: pytest.MonkeyPatch, state: dict | None) -> None:  # type: ignore[type-arg]
    module = types.ModuleType("awn.channels.whatsapp.window")
    module.window_state = lambda conversation, now: state  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "awn.channels.whatsapp.window", module)


def test_a_whatsapp_reply_outside_the_24_hour_window_is_refused(operator, whatsapp_conversation, agent, monkeypatch):
    _window(monkeypatch, {"open": False, "closes_at": "2026-12-01T08:00:00+00:00"})
    r = operator.post(f"/api/v1/conversations/{whatsapp_conversation.pk}/agent-messages",
                      {"agent": "agent-amal", "text": "hello"})
    body = error(r, 409, "outside_customer_service_window")
    assert "template" in body["message"] and body["details"]["closes_at"] == "2026-12-01T08:00:00+00:00"
    assert not Message.objects.exists()


def test_a_whatsapp_reply_inside_the_window_goes_out(operator, whatsapp_conversation, agent, monkeypatch):
    _window(monkeypatch, {"open": True, "closes_at": "2026-12-02T08:00:00+00:00"})
    r = operator.post(f"/api/v1/conversations/{whatsapp_conversation.pk}/agent-messages",
                      {"agent": "agent-amal", "text": "hello"})
    assert r.status_code == 201 and r.json()["whatsapp_window"]["open"] is True


def test_without_the_whatsapp_window_module_replies_are_not_blocked(operator, whatsapp_conversation, agent, monkeypatch):
    monkeypatch.setitem(sys.modules, "awn.channels.whatsapp.window", None)  # importing it raises ImportError
    r = operator.post(f"/api/v1/conversations/{whatsapp_conversation.pk}/agent-messages",
                      {"agent": "agent-amal", "text": "hello"})
    assert r.status_code == 201 and r.json()["whatsapp_window"] is None
