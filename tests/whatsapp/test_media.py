"""Photos as evidence: fetched (id → URL → bytes, with the token) before the conversation sees the message."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from awn.channels.whatsapp import transport
from awn.channels.whatsapp.models import InboundMessage, InboundState
from awn.helpdesk.models import Attachment, Message
from tests.whatsapp.conftest import message_delivery, text_delivery
from tests.whatsapp.standin import TOKEN

PHOTO = b"\xff\xd8\xff\xe0" + b"broken-screen-photo" * 500


def image(media_id: str, sha256: str, *, wamid: str = "wamid.IMG", ts: int = 1796115600, caption: str = "الشاشة مكسورة"):
    return message_delivery({"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": sha256,
                                                        "caption": caption}}, wamid=wamid, timestamp=ts)


def test_an_image_is_downloaded_checked_and_handed_over_with_its_bytes(deliver, riyadh_buyer, assistant, graph, work, now):
    media = graph.add_media("777000111", PHOTO)
    deliver(image("777000111", media.sha256_b64))  # the webhook's hash is base64, the media endpoint's is hex
    work(now)
    info, download = [r for r in graph.requests if r.method == "GET"]
    assert info.path == "/v23.0/777000111" and info.query == {"phone_number_id": ["600000000000001"]}
    assert download.path == "/lookaside/whatsapp_business/attachments/"
    assert info.headers["Authorization"] == download.headers["Authorization"] == f"Bearer {TOKEN}"
    buyer = Message.objects.get(author="buyer")
    assert buyer.text == "الشاشة مكسورة"
    attachment = Attachment.objects.get(message=buyer)
    assert (attachment.kind, attachment.content_type, attachment.size) == ("image", "image/jpeg", len(PHOTO))
    assert attachment.sha256 == hashlib.sha256(PHOTO).hexdigest() and attachment.meta["sha256_verified"] is True
    with attachment.file.open("rb") as fh:
        assert fh.read() == PHOTO
    row = InboundMessage.objects.get()
    assert row.state == InboundState.DONE and not row.media_file  # Awn's copy lives on the attachment only
    assert len(assistant.calls) == 1


def test_a_hash_mismatch_is_refused_and_the_message_goes_on_without_the_file(deliver, riyadh_buyer, assistant, graph,
                                                                              work, now, settings):
    settings.AWN_WHATSAPP_MAX_MEDIA_ATTEMPTS = 2
    graph.add_media("777000112", PHOTO)
    deliver(image("777000112", hashlib.sha256(b"something else").hexdigest()))
    work(now)
    assert InboundMessage.objects.get().state == InboundState.MEDIA  # retried once more first
    work(now + timedelta(minutes=1))
    attachment = Attachment.objects.get()
    assert attachment.size == 0 and not attachment.file and attachment.meta["error"] == "sha256_mismatch"
    assert len(assistant.calls) == 1


def test_media_over_the_cap_is_not_downloaded(deliver, riyadh_buyer, assistant, graph, work, now, settings):
    settings.AWN_WHATSAPP_MAX_MEDIA_BYTES = 1000
    media = graph.add_media("777000113", PHOTO)
    deliver(image("777000113", media.sha256_b64))
    work(now)
    assert not [r for r in graph.requests if r.path.startswith("/lookaside/")]
    assert Attachment.objects.get().meta["error"].startswith("too_large")


def test_an_expired_url_is_asked_for_again(deliver, riyadh_buyer, assistant, graph, work, now):
    media = graph.add_media("777000114", PHOTO)
    graph.url_ttl = -1  # the 5 minutes are over by the time the URL is fetched
    deliver(image("777000114", media.sha256_b64))
    work(now)
    assert InboundMessage.objects.get().state == InboundState.MEDIA
    graph.url_ttl = 300
    work(now + timedelta(seconds=10))
    assert Attachment.objects.get().size == len(PHOTO)
    assert len([r for r in graph.requests if r.path == "/v23.0/777000114"]) == 2  # a fresh URL each time


def test_later_messages_wait_for_the_photo_before_them(deliver, riyadh_buyer, assistant, graph, work, now):
    media = graph.add_media("777000115", PHOTO)
    graph.fail("media_info", 2)  # Meta briefly unavailable
    t = int(now.timestamp())
    deliver(image("777000115", media.sha256_b64, ts=t))
    deliver(text_delivery("هذه صورة المنتج", wamid="wamid.AFTER", timestamp=t + 2))
    work(now)
    assert not Message.objects.exists()  # the text waits behind the photo
    work(now + timedelta(seconds=30))
    assert [m.external_id for m in Message.objects.filter(author="buyer").order_by("id")] == ["wamid.IMG", "wamid.AFTER"]


def test_the_token_never_travels_to_a_host_outside_meta(settings):
    graph = "https://graph.facebook.com/v23.0"
    assert transport.media_host_allowed("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", graph)
    assert not transport.media_host_allowed("http://lookaside.fbsbx.com/x", graph)  # not over plain HTTP
    assert not transport.media_host_allowed("https://fbsbx.com.evil.example/x", graph)
    assert not transport.media_host_allowed("https://127.0.0.1:9/x", graph)
    with pytest.raises(transport.GraphError) as info:
        transport.download("https://attacker.example/x", TOKEN, graph, max_bytes=10)
    assert info.value.kind == "permanent"


def test_a_photo_during_evidence_collection_becomes_the_disputes_evidence(deliver, riyadh_buyer, shenzhen_seller,
                                                                          assistant, graph, work, now):
    """The assistant's side is faked here (it is tested on its own); what matters is that the bytes it gets
    are the buyer's photo, so ``submit_evidence(kind="photo")`` accepts them."""
    from awn.cases.actions import open_dispute, submit_evidence
    from awn.cases.models import Evidence
    from tests.django import factories as f

    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    case = open_dispute(order, reason="damaged", actor="buyer", now=now)

    def respond(conversation, message, *, now):
        from awn.helpdesk.services import Reply

        for att in message.attachments.filter(kind="image"):
            with att.file.open("rb") as fh:
                submit_evidence(case, kind="photo", photo=fh.read(), content_type=att.content_type, actor="buyer", now=now)
        return [Reply(text="استلمنا الصورة.")]

    import sys

    sys.modules["awn.assistant"].respond = respond
    media = graph.add_media("777000116", PHOTO)
    deliver(image("777000116", media.sha256_b64))
    work(now)
    evidence = Evidence.objects.get(case=case, kind="photo")
    assert evidence.sha256 == hashlib.sha256(PHOTO).hexdigest() and evidence.size == len(PHOTO)
    assert [b["text"]["body"] for b in graph.sent("text")] == ["استلمنا الصورة."]
