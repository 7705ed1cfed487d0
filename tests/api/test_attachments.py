"""The buyer fetches the bytes of their own photos: ``GET …/conversations/{id}/attachments/{id}``.

Only an attachment of a message of one of the token holder's web/API conversations is served; any
other id, existing or not, is the same 404, so ids cannot be probed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from awn.helpdesk import services
from awn.helpdesk.models import Attachment
from tests.api.helpers import PNG, ApiClient, error, operation

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 28


@pytest.fixture
def noura(buyer_api, riyadh_buyer):  # type: ignore[no-untyped-def]
    return buyer_api(riyadh_buyer)


@pytest.fixture
def ahmed(buyer_api, cairo_buyer):  # type: ignore[no-untyped-def]
    return buyer_api(cairo_buyer)


def start(client: ApiClient, channel: str = "web") -> int:
    return int(client.post("/api/v1/buyer/conversations", {"channel": channel}).json()["id"])


def send_photo(client: ApiClient, cid: int, data: bytes = PNG, name: str = "broken.png") -> int:
    r = client.upload(f"/api/v1/buyer/conversations/{cid}/photos", {"photo": SimpleUploadedFile(name, data)})
    assert r.status_code == 201, r.content
    return int(r.json()["message"]["attachments"][0]["id"])


def url(cid: int, aid: int) -> str:
    return f"/api/v1/buyer/conversations/{cid}/attachments/{aid}"


def fetch(client: ApiClient, cid: int, aid: int) -> Any:
    """A successful answer is bytes, not JSON: check it is documented for its status and type."""
    response = client.client.get(url(cid, aid))
    op = operation("GET", url(cid, aid))
    documented = op["responses"].get(str(response.status_code), {})
    assert response["Content-Type"] in documented.get("content", {}), (response.status_code, response["Content-Type"])
    return response


def body(response: Any) -> bytes:
    # Reading it all closes the file (the test client closes a streamed response once it is read;
    # closing it again here would fire request_finished and close the test's database connection).
    return b"".join(response.streaming_content)


# --------------------------------------------------------------------------- the buyer's own photos


@pytest.mark.parametrize(("data", "content_type", "extension"), [
    (PNG, "image/png", "png"), (JPEG, "image/jpeg", "jpg"), (WEBP, "image/webp", "webp"),
])
def test_the_buyer_gets_the_exact_bytes_of_their_photo(noura, assistant, data, content_type, extension):
    cid = start(noura)
    aid = send_photo(noura, cid, data, name='../../etc/"evil"\r\nX-Injected: 1.png')
    r = fetch(noura, cid, aid)
    assert r.status_code == 200
    assert body(r) == data
    assert r["Content-Type"] == content_type
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "private, max-age=3600"
    # The file name is made from the id: nothing the buyer's browser said reaches a header.
    assert r["Content-Disposition"] == f'inline; filename="photo-{aid}.{extension}"'
    assert r["Content-Length"] == str(len(data))
    assert "Authorization" in r["Vary"] and r["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "X-Injected" not in r


def test_a_photo_in_the_history_and_in_a_poll_can_be_fetched(noura, assistant):
    cid = start(noura)
    aid = send_photo(noura, cid)
    history = noura.get(f"/api/v1/buyer/conversations/{cid}").json()["messages"]
    polled = noura.get(f"/api/v1/buyer/conversations/{cid}/messages?after=0").json()["messages"]
    for messages in (history, polled):
        attachment = next(a for m in messages for a in m["attachments"])
        assert attachment == {"id": aid, "kind": "image", "content_type": "image/png", "size": len(PNG)}
    assert body(fetch(noura, cid, aid)) == PNG


def test_an_attachment_that_is_not_a_photo_is_a_download_never_inline(noura, riyadh_buyer, assistant):
    cid = start(noura)
    html = b"<html><script>alert(1)</script></html>"
    for kind, content_type in (("document", "text/html"), ("image", "image/svg+xml")):
        turn = services.receive_buyer_message(cid, attachments=[services.IncomingAttachment(
            kind=kind, content=html, content_type=content_type)], customer_id=riyadh_buyer.pk, channels=("web",))
        aid = turn.message.attachments.get().pk
        r = fetch(noura, cid, aid)
        assert r.status_code == 200 and body(r) == html
        assert r["Content-Type"] == "application/octet-stream"
        assert r["Content-Disposition"] == f'attachment; filename="attachment-{aid}.bin"'
        assert r["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- nothing else, and no probing


def test_another_buyers_conversation_is_the_same_404_as_none(noura, ahmed, assistant):
    cid = start(noura)
    aid = send_photo(noura, cid)
    theirs = error(ahmed.get(url(cid, aid)), 404, "conversation_not_found")
    missing = error(ahmed.get(url(cid + 1000, aid)), 404, "conversation_not_found")
    assert theirs == missing
    assert error(noura.get(url(cid + 1000, aid)), 404, "conversation_not_found") == missing


def test_an_attachment_of_another_conversation_is_the_same_404_as_none(noura, ahmed, assistant):
    cid = start(noura)
    aid = send_photo(noura, cid)
    # Ahmed's own conversation, with Noura's attachment id.
    his = start(ahmed)
    his_aid = send_photo(ahmed, his)
    foreign = error(ahmed.get(url(his, aid)), 404, "attachment_not_found")
    missing = error(ahmed.get(url(his, aid + his_aid + 1000)), 404, "attachment_not_found")
    assert foreign == missing
    # Noura's other conversation (the API channel) does not serve her web conversation's photo either.
    other = start(noura, channel="api")
    assert other != cid
    assert error(noura.get(url(other, aid)), 404, "attachment_not_found") == missing
    # Each still gets their own.
    assert body(fetch(noura, cid, aid)) == PNG and body(fetch(ahmed, his, his_aid)) == PNG


def test_a_whatsapp_conversations_attachment_is_not_served_here(noura, riyadh_buyer, assistant):
    wa = services.start_conversation(riyadh_buyer, "whatsapp", channel_ref="1:966500000201")
    turn = services.receive_buyer_message(wa, attachments=[services.IncomingAttachment(
        kind="image", content=PNG, content_type="image/png")], customer_id=riyadh_buyer.pk)
    aid = turn.message.attachments.get().pk
    error(noura.get(url(wa.pk, aid)), 404, "conversation_not_found")


def test_an_attachment_without_a_file_or_whose_file_is_gone_is_404_not_500(noura, riyadh_buyer, assistant, caplog):
    cid = start(noura)
    turn = services.receive_buyer_message(cid, attachments=[services.IncomingAttachment(
        kind="location", meta={"latitude": 24.7, "longitude": 46.7})], customer_id=riyadh_buyer.pk, channels=("web",))
    error(noura.get(url(cid, turn.message.attachments.get().pk)), 404, "attachment_not_found")

    aid = send_photo(noura, cid)
    stored = Attachment.objects.get(pk=aid)
    stored.file.storage.delete(stored.file.name)
    with caplog.at_level(logging.WARNING, logger="awn.api"):
        r = noura.get(url(cid, aid))
    assert error(r, 404, "attachment_not_found") == error(noura.get(url(cid, aid + 1000)), 404, "attachment_not_found")
    assert any(rec.levelno == logging.WARNING and str(aid) in rec.getMessage() for rec in caplog.records)


def test_ids_that_are_not_numbers_are_refused(noura):
    cid = start(noura)
    error(noura.get(f"/api/v1/buyer/conversations/{cid}/attachments/abc"), 422, "validation_error")


def test_without_a_valid_token_nothing_is_served(noura, riyadh_buyer, api_key, assistant):
    import time_machine

    from awn.channels.api.tokens import mint

    cid = start(noura)
    aid = send_photo(noura, cid)
    error(ApiClient(None).get(url(cid, aid)), 401, "invalid_token")
    error(ApiClient(api_key).get(url(cid, aid)), 401, "invalid_token")  # the operator's key opens another door
    error(ApiClient(mint(riyadh_buyer).token + "x").get(url(cid, aid)), 401, "invalid_token")
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False) as traveller:
        client = ApiClient(mint(riyadh_buyer, ttl=timedelta(minutes=30)).token)
        ok = client.client.get(url(cid, aid))
        assert ok.status_code == 200 and body(ok) == PNG
        traveller.shift(timedelta(minutes=31))
        error(client.get(url(cid, aid)), 401, "token_expired")


def test_the_endpoint_is_documented(db):
    op = operation("GET", url(1, 1))
    assert op["summary"]
    assert {"200", "401", "404", "422"} <= set(op["responses"])
    assert set(op["responses"]["200"]["content"]) == {"image/jpeg", "image/png", "image/webp",
                                                      "application/octet-stream"}
    assert op["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert op.get("security")
