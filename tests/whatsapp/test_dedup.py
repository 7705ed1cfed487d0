"""Exactly once: duplicates inside a delivery, across deliveries, out-of-order statuses."""

from __future__ import annotations

import copy
from datetime import timedelta

from awn.channels.whatsapp import inbound
from awn.channels.whatsapp.models import Delivery, InboundMessage, Outbound, OutboundState, StatusUpdate
from awn.helpdesk.models import Message
from tests.whatsapp.conftest import envelope, replies, status_delivery, text_delivery


def test_the_same_message_twice_in_one_delivery_is_one_message_and_one_reply(deliver, assistant, graph, work, now):
    payload = text_delivery("السلام عليكم", timestamp=int(now.timestamp()))
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = value["messages"] * 2
    payload["entry"].append(copy.deepcopy(payload["entry"][0]))  # and again in a second entry
    deliver(payload)
    work(now)
    assert InboundMessage.objects.count() == 1
    assert Delivery.objects.get().summary["duplicates"] == 3
    assert Message.objects.filter(author="buyer").count() == 1
    assert len(assistant.calls) == 1
    assert len(replies(graph, assistant)) == 1


def test_the_same_delivery_seconds_apart_is_one_message_and_one_reply(deliver, assistant, graph, work, now):
    payload = text_delivery("وين طلبي", timestamp=int(now.timestamp()))
    deliver(payload)
    work(now)
    deliver(payload)  # Meta redelivers (no 200 seen, or at-least-once)
    work(now + timedelta(seconds=5))
    deliver(payload)  # a redelivery with different bytes (re-ordered keys) is still the same message
    work(now + timedelta(seconds=9))
    assert Delivery.objects.count() == 3
    assert InboundMessage.objects.count() == 1
    assert Message.objects.filter(author="buyer").count() == 1 and len(assistant.calls) == 1
    assert len(replies(graph, assistant)) == 1 and len(graph.sent("read")) == 1


def test_duplicate_stored_before_the_first_is_processed(deliver, assistant, graph, work, now):
    payload = text_delivery("مرحبا", timestamp=int(now.timestamp()))
    deliver(payload)
    deliver(payload)
    work(now)
    assert InboundMessage.objects.count() == 1 and len(assistant.calls) == 1 and len(replies(graph, assistant)) == 1


def test_several_messages_of_one_buyer_are_handed_over_in_whatsapp_timestamp_order(deliver, assistant, work, now):
    t = int(now.timestamp())
    later = text_delivery("ثانيًا", wamid="wamid.B", timestamp=t + 5)
    earlier = text_delivery("أولًا", wamid="wamid.A", timestamp=t)
    value = later["entry"][0]["changes"][0]["value"]
    value["messages"] += earlier["entry"][0]["changes"][0]["value"]["messages"]
    deliver(later)  # one delivery, newest first
    work(now + timedelta(seconds=10))
    assert list(Message.objects.filter(author="buyer").order_by("id").values_list("text", flat=True)) == ["أولًا", "ثانيًا"]


def test_a_message_for_an_unknown_number_is_kept_not_processed(deliver, assistant, work, now):
    deliver(text_delivery("hello", pnid="999999"))
    work(now)
    assert not InboundMessage.objects.exists() and not assistant.calls
    from awn.channels.whatsapp.models import ChannelEvent

    assert ChannelEvent.objects.get().kind == "unknown_number"


def test_a_number_signed_by_another_accounts_secret_is_refused(client, accounts, assistant, work, now):
    from awn.channels.whatsapp.models import ChannelEvent
    from tests.whatsapp.conftest import REAL_SECRET, meta_bytes, post

    body = meta_bytes(text_delivery("hello"))  # a number of the main account …
    assert post(client, body, secret=REAL_SECRET).status_code == 200  # … signed with the other app's secret
    work(now)
    assert not InboundMessage.objects.exists()
    assert ChannelEvent.objects.get().kind == "foreign_number"


def test_bsuid_only_message_without_phone_number(deliver, assistant, graph, work, now):
    payload = text_delivery("مرحبا", wa_id=None, bsuid="SA.77123456789012345678", timestamp=int(now.timestamp()))
    deliver(payload)
    work(now)
    row = InboundMessage.objects.select_related("contact").get()
    assert row.contact.wa_id is None and row.contact.bsuid == "SA.77123456789012345678"
    assert row.contact.channel_ref.endswith(":SA.77123456789012345678")
    sent = replies(graph, assistant)
    assert len(sent) == 1 and sent[0]["recipient"] == "SA.77123456789012345678" and "to" not in sent[0]


def test_a_later_message_with_both_ids_finds_the_phone_contact(deliver, assistant, work, now):
    t = int(now.timestamp())
    deliver(text_delivery("1", wamid="wamid.1", timestamp=t))
    deliver(text_delivery("2", wamid="wamid.2", timestamp=t + 1, bsuid="SA.1234"))
    work(now)
    rows = InboundMessage.objects.all()
    assert {r.contact_id for r in rows} == {rows[0].contact_id}
    assert rows[0].contact.bsuid == "SA.1234" and rows[0].contact.wa_id == "966500000201"
    assert Message.objects.filter(author="buyer").values("conversation").distinct().count() == 1


# --------------------------------------------------------------------------- statuses


def _sent_row(deliver, assistant, work, now) -> Outbound:
    deliver(text_delivery("مرحبا", timestamp=int(now.timestamp())))
    work(now)
    return Outbound.objects.get(state=OutboundState.SENT, message__author="assistant")


def test_statuses_only_move_forward_whatever_the_arrival_order(deliver, assistant, graph, work, now):
    row = _sent_row(deliver, assistant, work, now)
    t = int(now.timestamp())
    deliver(status_delivery(row.wamid, "read", timestamp=t + 30))  # read before delivered: Meta may skip it
    deliver(status_delivery(row.wamid, "delivered", timestamp=t + 20))
    deliver(status_delivery(row.wamid, "sent", timestamp=t + 10))
    work(now)
    row.refresh_from_db()
    assert row.delivery_status == "read"
    assert row.read_at.timestamp() == t + 30 and row.delivered_at.timestamp() == t + 20
    assert StatusUpdate.objects.count() == 3


def test_duplicate_statuses_are_one_row(deliver, assistant, graph, work, now):
    row = _sent_row(deliver, assistant, work, now)
    for _ in range(3):
        deliver(status_delivery(row.wamid, "delivered"))
    payload = status_delivery(row.wamid, "delivered")
    value = payload["entry"][0]["changes"][0]["value"]
    value["statuses"] *= 2
    deliver(payload)
    work(now)
    assert StatusUpdate.objects.count() == 1
    row.refresh_from_db()
    assert row.delivery_status == "delivered"


def test_failed_is_recorded_with_its_error_even_after_delivered_and_surfaced(deliver, assistant, graph, work, now):
    from awn.channels.whatsapp.models import ChannelEvent
    from awn.core.models import AuditEvent

    row = _sent_row(deliver, assistant, work, now)
    deliver(status_delivery(row.wamid, "delivered"))
    error = {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Unable to deliver"}}
    deliver(status_delivery(row.wamid, "failed", errors=[error]))
    deliver(status_delivery(row.wamid, "sent"))  # an old retry arriving last changes nothing
    work(now)
    row.refresh_from_db()
    assert row.delivery_status == "delivered"
    assert row.failed_at is not None and row.error_code == 131026 and row.error_title == "Message undeliverable"
    assert ChannelEvent.objects.filter(kind="send_failed", code=131026).count() == 1
    assert AuditEvent.objects.filter(subject_type="conversation", action="whatsapp_not_sent", new_value="131026").exists()


def test_status_before_the_send_is_recorded_is_applied_later(accounts, now):
    """A status can overtake the send's own response: it waits in StatusUpdate and is applied on record."""
    from awn.channels.whatsapp import outbound
    from awn.channels.whatsapp.models import Contact, SendAttempt

    contact = Contact.objects.create(number=accounts["sa"], wa_id="966500000201", channel_ref="x:1", created_at=now)
    row = Outbound.objects.create(number=accounts["sa"], contact=contact, kind="text", payload={"to": "1"},
                                  state=OutboundState.SENDING, attempts=1, next_attempt_at=now, created_at=now,
                                  updated_at=now)
    StatusUpdate.objects.create(number=accounts["sa"], wamid="wamid.EARLY", status="delivered", at=now, received_at=now,
                                raw={})
    attempt = SendAttempt.objects.create(outbound=row, number=1, started_at=now)
    outbound._finish(row, attempt, now, OutboundState.SENT, wamid="wamid.EARLY")
    row.refresh_from_db()
    assert (row.state, row.delivery_status) == (OutboundState.SENT, "delivered")


def test_a_status_for_a_message_awn_never_sent_is_kept(deliver, work, now):
    deliver(status_delivery("wamid.SOMEONE-ELSE", "read"))
    work(now)
    assert StatusUpdate.objects.get().wamid == "wamid.SOMEONE-ELSE"


def test_unreadable_delivery_is_kept_and_marked_failed(deliver, now):
    deliver(b"this is signed but not JSON")
    deliver(b"[1, 2]")
    assert inbound.read_deliveries(now) == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"failed"}


def test_other_fields_and_odd_shapes_are_kept_raw(deliver, now):
    from awn.channels.whatsapp.models import ChannelEvent

    payload = envelope({"message_echoes": [{"id": "wamid.X"}]})
    payload["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}})
    payload["entry"].append("not an object")
    deliver(payload)
    inbound.read_deliveries(now)
    kinds = list(ChannelEvent.objects.values_list("kind", "summary"))
    assert len(kinds) == 3 and {k for k, _ in kinds} == {"other_change"}
    assert Delivery.objects.get().state == "done"


def test_nul_characters_do_not_poison_the_worker(deliver, assistant, work, now):
    payload = text_delivery("a\u0000b", timestamp=int(now.timestamp()))
    deliver(payload)
    deliver(text_delivery("بعدها", wamid="wamid.NEXT", timestamp=int(now.timestamp()) + 1))
    work(now)
    assert set(Delivery.objects.values_list("state", flat=True)) == {"done"}
    assert list(Message.objects.filter(author="buyer").values_list("text", flat=True)) == ["ab", "بعدها"]
