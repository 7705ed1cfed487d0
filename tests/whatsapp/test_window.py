"""The 24-hour customer-service window, at named instants: a second before, at, and after it closes."""

from __future__ import annotations

from datetime import timedelta

from awn.channels.whatsapp.window import window_state
from awn.helpdesk.models import Conversation
from tests.whatsapp.conftest import text_delivery


def test_window_opens_at_the_buyers_whatsapp_timestamp_and_closes_24_hours_later(deliver, riyadh_buyer, assistant,
                                                                                   work, now):
    sent_at = now - timedelta(minutes=3)  # WhatsApp's timestamp; Awn processes it at `now`
    deliver(text_delivery("مرحبا", timestamp=int(sent_at.timestamp())))
    work(now)
    conversation = Conversation.objects.get()
    closes = sent_at + timedelta(hours=24)
    before = window_state(conversation, closes - timedelta(seconds=1))
    assert before == {"applies": True, "open": True, "closes_at": closes.isoformat(),
                      "last_buyer_message_at": sent_at.isoformat(), "templates_only": False, "reason": ""}
    at = window_state(conversation, closes)
    assert (at["open"], at["templates_only"], at["reason"]) == (False, True, "window_closed")
    assert window_state(conversation, closes + timedelta(seconds=1))["open"] is False


def test_a_new_buyer_message_restarts_it_our_messages_do_not(deliver, riyadh_buyer, assistant, work, now):
    deliver(text_delivery("1", wamid="wamid.W1", timestamp=int(now.timestamp())))
    work(now)
    later = now + timedelta(hours=20)
    deliver(text_delivery("2", wamid="wamid.W2", timestamp=int(later.timestamp())))
    work(later)
    conversation = Conversation.objects.get()
    assert window_state(conversation, now + timedelta(hours=30))["open"] is True
    assert window_state(conversation, later + timedelta(hours=24))["open"] is False
    # An old redelivery of the first message does not move the window back.
    deliver(text_delivery("1", wamid="wamid.W1", timestamp=int(now.timestamp())))
    work(later)
    assert window_state(conversation, now + timedelta(hours=30))["open"] is True


def test_no_buyer_message_yet_and_other_channels(db, riyadh_buyer, now):
    wa = Conversation.objects.create(customer=riyadh_buyer, channel="whatsapp", channel_ref="x:1", created_at=now,
                                     updated_at=now)
    assert window_state(wa, now)["reason"] == "no_buyer_message"
    web = Conversation.objects.create(customer=riyadh_buyer, channel="web", created_at=now, updated_at=now)
    assert window_state(web, now) == {"applies": False, "open": True, "closes_at": None, "last_buyer_message_at": None,
                                      "templates_only": False, "reason": ""}
