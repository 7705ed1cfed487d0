"""Every captured payload in ``shared/whatsapp/payloads`` posted to the webhook, then read by the worker.

Each file is signed with the test account's secret over its exact bytes (file 21, the real Meta
delivery, carries its own real signature). Each test has a fresh database, so the wamids the
examples share are not (correctly) dropped as duplicates of one another.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from awn.channels.whatsapp import inbound
from awn.channels.whatsapp.models import (
    ChannelEvent,
    Contact,
    Delivery,
    DeliveryState,
    InboundMessage,
    InboundState,
    StatusUpdate,
)
from awn.channels.whatsapp.parse import parse_timestamp
from awn.helpdesk.models import Message
from tests.whatsapp.conftest import REAL, post
from tests.whatsapp.paths import PAYLOADS

FILES = sorted(p.name for p in PAYLOADS.glob("*.json") if not p.name.endswith(".headers.json"))


def _one_message() -> InboundMessage:
    return InboundMessage.objects.select_related("contact").get()


def check_01(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.text, m.state) == ("text", "Does it come in another color?", InboundState.PENDING)
    assert m.contact.wa_id == "16505551234" and m.contact.bsuid is None and m.contact.customer is None
    assert m.contact.profile_name == "Sheena Nelson"
    assert m.sent_at.isoformat() == "2025-06-08T20:59:43+00:00"


def check_02(_: Any) -> None:
    m = _one_message()
    assert m.text == "Hello! Can I get more info on this?"
    assert m.content["referral"]["source_type"] == "ad" and m.content["referral"]["ctwa_clid"].startswith("Aff-")


def check_03(_: Any) -> None:
    m = _one_message()
    assert m.text == "Is this still available?"
    assert m.content["context"]["referred_product"] == {"catalog_id": "194836987003835", "product_retailer_id": "di9ozbzfi4"}


def check_04(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.state, m.text) == ("image", InboundState.MEDIA, "Taj Mahal")  # fetched before it is handed over
    assert m.content["media"] == {"kind": "image", "media_id": "1003383421387256", "mime_type": "image/jpeg",
                                  "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", "caption": "Taj Mahal",
                                  "filename": ""}


def check_05(_: Any) -> None:
    m = _one_message()
    assert m.type == "location" and m.state == InboundState.PENDING
    assert m.content["attachment"] == {"kind": "location", "meta": {
        "latitude": 37.44221496582, "longitude": -122.16165924072, "name": "Philz Coffee",
        "address": "101 Forest Ave, Palo Alto, CA 94301", "url": "https://philzcoffee.com/"}}


def check_06(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.state) == ("reaction", InboundState.RECORDED)  # not a buyer turn
    assert m.content["reaction"] == {"message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA",
                                     "emoji": "👍", "removed": False}


def check_07(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.choice_id, m.text) == ("interactive", "cancel-button", "Cancel")
    assert m.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"


def check_08(_: Any) -> None:
    m = _one_message()
    assert (m.choice_id, m.text) == ("priority_express", "Priority Mail Express")


def check_09(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.choice_id, m.text) == ("button", "Unsubscribe", "Unsubscribe")


def check_10(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.supported, m.state) == ("unsupported", False, InboundState.PENDING)  # shown, as unsupported
    assert m.content["attachment"]["kind"] == "unsupported"
    assert m.content["errors"][0]["code"] == 131051


def check_11(_: Any) -> None:
    m = _one_message()
    assert m.type == "contacts"
    assert m.content["attachment"]["meta"]["names"] == ["Lucía Gómez"]
    assert m.content["attachment"]["meta"]["contacts"][0]["phones"][0]["wa_id"] == "19835552319"


def check_12(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.state) == ("system", InboundState.RECORDED)
    assert m.content["system"]["type"] == "user_changed_number"
    contact = Contact.objects.get(pk=m.contact_id)
    assert contact.channel_ref == "106540352242922:16505551234"  # found by the phone it wrote from …
    assert contact.wa_id == "12195555358"  # … then moved to the new number for replies


def check_13(_: Any) -> None:
    assert not InboundMessage.objects.exists()
    event = ChannelEvent.objects.get()
    assert (event.kind, event.code, event.phone_number_id) == ("value_error", 130429, "106540352242922")
    assert event.raw["error_data"]["details"].startswith("Message failed to send")


def check_14(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.state, m.text) == ("document", InboundState.MEDIA, "caption")
    assert m.content["media"]["filename"] == "filename.pdf" and m.content["context"] == {"forwarded": True}
    assert m.contact.bsuid == "US.13491208655302741918" and m.contact.wa_id == "972987654321"
    assert m.contact.parent_bsuid == "US.ENT.11815799212886844830"
    assert m.contact.channel_ref == "1122334455667:US.13491208655302741918"  # keyed by the BSUID when present


def check_15(_: Any) -> None:
    m = _one_message()
    assert m.content["reaction"] == {"message_id": "wamid.yzxyzx=", "emoji": "", "removed": True}


def check_16(_: Any) -> None:
    m = _one_message()
    assert m.content["attachment"]["meta"] == {"latitude": 12.25089, "longitude": 43.90539}


def _status(expected: str, code: int | None = None) -> Callable[[Any], None]:
    def check(_: Any) -> None:
        s = StatusUpdate.objects.get()
        assert (s.wamid, s.status, s.error_code) == ("wamid.xyzxyz", expected, code)
        assert not InboundMessage.objects.exists()  # the contacts array of a status is not an inbound message

    return check


def check_21(_: Any) -> None:
    m = _one_message()
    assert (m.type, m.text, m.number.phone_number_id) == ("text", "Hey there! I am using PyWa.", "277321005464405")


CHECKS: dict[str, Callable[[Any], None]] = {
    "01": check_01, "02": check_02, "03": check_03, "04": check_04, "05": check_05, "06": check_06, "07": check_07,
    "08": check_08, "09": check_09, "10": check_10, "11": check_11, "12": check_12, "13": check_13, "14": check_14,
    "15": check_15, "16": check_16, "17": _status("sent"), "18": _status("delivered"), "19": _status("read"),
    "20": _status("failed", 130472), "21": check_21,
}


def test_every_payload_file_has_a_check():
    assert {name[:2] for name in FILES} == set(CHECKS), "a new payload file needs its assertion here"


@pytest.mark.parametrize("name", FILES)
def test_post_every_payload_and_store_it(client, accounts, now, name):
    body = (PAYLOADS / name).read_bytes()
    signature = REAL["X-Hub-Signature-256"] if name.startswith("21_") else None
    response = post(client, body, signature=signature) if signature else post(client, body)
    assert response.status_code == 200 and response.content == b""
    assert Delivery.objects.get().state == DeliveryState.PENDING  # acknowledged first, read later
    assert not InboundMessage.objects.exists() and not StatusUpdate.objects.exists()
    assert inbound.read_deliveries(now) == 1
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.DONE, delivery.error
    CHECKS[name[:2]](delivery)
    # Posting the same file again stores nothing new.
    response = post(client, body, signature=signature) if signature else post(client, body)
    inbound.read_deliveries(now)
    assert InboundMessage.objects.count() <= 1 and StatusUpdate.objects.count() <= 1
    assert Delivery.objects.count() == 2


TURNS = {  # what the conversation shows for each buyer turn once handed over
    "01": ("Does it come in another color?", "", []),
    "02": ("Hello! Can I get more info on this?", "", []),
    "03": ("Is this still available?", "", []),
    "05": ("Philz Coffee", "", ["location"]),
    "07": ("Cancel", "cancel-button", []),
    "08": ("Priority Mail Express", "priority_express", []),
    "09": ("Unsubscribe", "Unsubscribe", []),
    "10": ("", "", ["unsupported"]),
    "11": ("", "", ["contacts"]),
    "16": ("", "", ["location"]),
    "21": ("Hey there! I am using PyWa.", "", []),
}


@pytest.mark.parametrize("name", [f for f in FILES if f[:2] in TURNS])
def test_buyer_turns_reach_the_conversation_and_get_an_answer(client, accounts, assistant, graph, work, name):
    body = (PAYLOADS / name).read_bytes()
    now = parse_timestamp(json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"])
    now += timedelta(minutes=1)  # answered a minute later: inside the 24-hour window
    post(client, body, signature=REAL["X-Hub-Signature-256"]) if name.startswith("21_") else post(client, body)
    work(now)
    row = InboundMessage.objects.get()
    assert row.state == InboundState.DONE, row.error
    text, choice, kinds = TURNS[name[:2]]
    buyer = Message.objects.get(author="buyer")
    assert (buyer.text, buyer.choice_id, buyer.external_id) == (text, choice, row.wamid)
    assert sorted(a.kind for a in buyer.attachments.all()) == kinds
    assert buyer.conversation.channel == "whatsapp" and buyer.conversation.customer is None  # unknown numbers
    assert len(assistant.calls) == 1
    assert len(graph.sent("read")) == 1 and graph.sent("read")[0]["message_id"] == row.wamid
    replies = [b for b in graph.sent() if b.get("type") == "text" and b["text"]["body"] == assistant.text]
    assert len(replies) == 1 and replies[0]["to"] == row.contact.wa_id
    assert graph.requests[-1].path.startswith(f"/v23.0/{row.number.phone_number_id}/messages")


@pytest.mark.parametrize("name", [f for f in FILES if f[:2] in ("06", "12", "13", "15", "17", "18", "19", "20")])
def test_records_that_are_not_turns_never_reach_the_assistant(client, accounts, assistant, graph, work, now, name):
    post(client, (PAYLOADS / name).read_bytes())
    work(now)
    assert not assistant.calls and not Message.objects.exists() and not graph.requests
