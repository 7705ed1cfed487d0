"""WhatsApp's 24-hour customer-service window, per conversation.

Meta: when the buyer messages the business a 24-hour window opens; each new buyer message restarts
it; the business's own messages do not. Inside it anything may be sent; outside it only approved
templates. The window starts at the buyer message's WhatsApp timestamp (``Contact.last_inbound_at``),
falling back to when Awn stored it (``Conversation.last_buyer_message_at``).

The agent API calls :func:`window_state` to refuse a free-form reply it could not deliver; the
sender checks the same function right before each free-form send.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from awn.helpdesk.models import Conversation


def window_length() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "AWN_WHATSAPP_WINDOW_SECONDS", 24 * 3600)))


def last_buyer_message_at(conversation: Conversation) -> datetime | None:
    from awn.channels.whatsapp.models import Contact

    contact_at = (Contact.objects.filter(channel_ref=conversation.channel_ref).values_list("last_inbound_at", flat=True)
                  .first()) if conversation.channel_ref else None
    return contact_at or conversation.last_buyer_message_at


def window_state(conversation: Conversation, now: datetime) -> dict[str, Any]:
    """``{"applies", "open", "closes_at", "last_buyer_message_at", "templates_only", "reason"}``.

    ``applies`` is False for channels without a window (web chat): then ``open`` is always True.
    ``reason`` is "" when open, else ``no_buyer_message`` or ``window_closed``; times are ISO 8601 UTC.
    """
    if conversation.channel != "whatsapp":
        return {"applies": False, "open": True, "closes_at": None, "last_buyer_message_at": None,
                "templates_only": False, "reason": ""}
    last = last_buyer_message_at(conversation)
    closes = last + window_length() if last is not None else None
    is_open = closes is not None and now < closes
    reason = "" if is_open else ("no_buyer_message" if last is None else "window_closed")
    return {
        "applies": True, "open": is_open, "closes_at": closes.isoformat() if closes else None,
        "last_buyer_message_at": last.isoformat() if last else None, "templates_only": not is_open, "reason": reason,
    }


def is_open(conversation: Conversation, now: datetime) -> bool:
    return bool(window_state(conversation, now)["open"])
