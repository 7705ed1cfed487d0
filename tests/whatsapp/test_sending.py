"""Sending over real HTTP to the Graph API stand-in: every kind of body, retries, permanent errors, idempotency."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile

from awn.channels.whatsapp import outbound, tasks
from awn.channels.whatsapp.models import Account, ChannelEvent, Outbound, OutboundState, SendAttempt
from awn.helpdesk import services
from awn.helpdesk.models import Attachment, Message
from tests.whatsapp.conftest import status_delivery, text_delivery
from tests.whatsapp.paths import OUTBOUND_EXAMPLES
from tests.whatsapp.standin import TOKEN

S = OutboundState


def example(name: str) -> dict[str, Any]:
    return json.loads((OUTBOUND_EXAMPLES / name).read_text())


def shape(value: Any) -> Any:
    """The structure of a JSON value (keys and nesting), without its leaf values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if not isinstance(value, str) else "str"


@pytest.fixture(autouse=True)
def _clock(clock_at_now):
    """The helpdesk's on-commit hook queues with the wall clock; the worker runs at ``now``."""
    return clock_at_now


@pytest.fixture
def chat(deliver, riyadh_buyer, assistant, graph, work, now):
    """A Riyadh buyer has just written on WhatsApp; the greeting went out; the stand-in log is clear."""
    deliver(text_delivery("مرحبا", timestamp=int(now.timestamp())))
    work(now)
    graph.requests.clear()
    return Message.objects.get(author="buyer").conversation


def agent_says(conversation, agent, text, capture, now):
    with capture(execute=True):
        return services.post_agent_message(conversation, agent, text, now=now)


def assistant_says(conversation, now, text="", choices=()):
    message = Message.objects.create(conversation=conversation, author="assistant", text=text, choices=list(choices),
                                     created_at=now)
    outbound.enqueue_message(message, now=now)
    return message


def test_text_goes_to_the_phone_number_id_with_the_token_in_meta_shape(chat, agent, graph, work, now,
                                                                        django_capture_on_commit_callbacks):
    agent_says(chat, agent, "سنتابع طلبك مع البائع اليوم.", django_capture_on_commit_callbacks, now)
    work(now)
    [request] = [r for r in graph.requests if r.method == "POST"]
    assert request.path == "/v23.0/600000000000001/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    body = request.json
    assert body["to"] == "966500000201" and body["text"]["body"] == "سنتابع طلبك مع البائع اليوم."
    assert body["biz_opaque_callback_data"].startswith("awn:")
    expected = shape(example("req_send_text_message.json"))
    assert {k: v for k, v in shape(body).items() if k != "biz_opaque_callback_data"} == expected
    row = Outbound.objects.get(message__author="agent")
    assert row.state == S.SENT and row.wamid.startswith("wamid.STANDIN")
    assert row.send_attempts.get().outcome == "sent"


def test_three_choices_become_reply_buttons_with_arabic_titles_cut_between_letters(chat, graph, work, now):
    choices = [{"id": "order:81000001", "title": "طلب ٨١٠٠٠٠٠١ - سمّاعات لاسلكيّة"},
               {"id": "order:81000002", "title": "طلب ٨١٠٠٠٠٠٢ - ساعة ذكيّة"},
               {"id": "human", "title": "موظف"}]
    assistant_says(chat, now, "أيّ طلب تقصد؟", choices)
    work(now)
    [body] = graph.sent("interactive")
    assert shape(body["interactive"]) == shape(example("req_send_reply_button.json")["interactive"])
    buttons = body["interactive"]["action"]["buttons"]
    titles = [b["reply"]["title"] for b in buttons]
    assert [b["reply"]["id"] for b in buttons] == ["order:81000001", "order:81000002", "human"]
    assert all(len(t) <= 20 for t in titles) and len(set(titles)) == 3
    assert titles[0] == "طلب ٨١٠٠٠٠٠١ - سمّاعات…" or titles[0].endswith("…")
    assert not titles[0].rstrip("…").endswith(("\u0651", "\u0650"))  # never a mark cut off from its letter


def test_many_choices_become_lists_of_ten_rows(chat, graph, work, now):
    choices = [{"id": f"order:{8100 + i}", "title": f"طلب رقم {8100 + i} — منتج بعنوان طويل جدًا"} for i in range(12)]
    assistant_says(chat, now, "اختر الطلب:", choices)
    work(now)
    lists = graph.sent("interactive")
    assert [len(b["interactive"]["action"]["sections"][0]["rows"]) for b in lists] == [10, 2]
    first = lists[0]["interactive"]
    assert first["type"] == "list" and first["body"]["text"] == "اختر الطلب:" and first["action"]["button"] == "الخيارات"
    rows = first["action"]["sections"][0]["rows"]
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    assert rows[0]["description"] == choices[0]["title"]  # the full title, since the row title was cut
    example_row = example("req_send_list_message.json")["interactive"]["action"]["sections"][0]["rows"][0]
    assert set(rows[0]) == set(example_row)


def test_a_list_reply_maps_back_to_the_choice(chat, deliver, assistant, graph, work, now):
    long_id = "order:" + "9" * 300  # too long for WhatsApp: sent as awn:<n> and mapped back
    assistant_says(chat, now, "اختر:", [{"id": long_id, "title": "أ"}, {"id": "b", "title": "ب"}])
    work(now)
    sent = Outbound.objects.get(kind="buttons")
    assert sent.payload["interactive"]["action"]["buttons"][0]["reply"]["id"] == "awn:0"
    reply = {"type": "interactive", "context": {"from": "966110000000", "id": sent.wamid},
             "interactive": {"type": "button_reply", "button_reply": {"id": "awn:0", "title": "أ"}}}
    from tests.whatsapp.conftest import message_delivery

    deliver(message_delivery(reply, wamid="wamid.PICK", timestamp=int(now.timestamp()) + 5))
    work(now + timedelta(seconds=10))
    assert Message.objects.get(external_id="wamid.PICK").choice_id == long_id[:100]


def test_images_and_documents_are_uploaded_then_sent_by_id(chat, graph, work, now):
    message = Message.objects.create(conversation=chat, author="agent", text="إليك الإيصال", created_at=now)
    for kind, name, mime in (("image", "photo.jpg", "image/jpeg"), ("document", "receipt.pdf", "application/pdf")):
        att = Attachment(message=message, kind=kind, content_type=mime, meta={"filename": name})
        att.file.save(name, ContentFile(b"%PDF-or-JPEG " + kind.encode()), save=True)
    outbound.enqueue_message(message, now=now)
    work(now)
    uploads = [r for r in graph.requests if r.path.endswith("/media")]
    assert len(uploads) == 2 and all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in uploads)
    image, = graph.sent("image")
    document, = graph.sent("document")
    assert set(image) >= set(example("req_send_image_message_by_id.json")) and image["image"]["id"] in graph.media
    assert document["document"]["filename"] == "receipt.pdf" and document["document"]["id"] in graph.media
    assert graph.media[image["image"]["id"]].content == b"%PDF-or-JPEG image"
    assert graph.sent("text")[0]["text"]["body"] == "إليك الإيصال"


def test_templates_go_out_even_when_the_window_is_closed(chat, graph, work, now):
    later = now + timedelta(hours=30)
    components = example("req_send_message_template_text.json")["template"]["components"]
    outbound.enqueue_template(chat, "order_update", "ar", components, now=later)
    work(later)
    [body] = graph.sent("template")
    assert body["template"]["name"] == "order_update" and body["template"]["language"] == {"code": "ar"}
    assert shape(body["template"]) == shape(example("req_send_message_template_text.json")["template"])


def test_free_form_outside_the_window_is_refused_and_recorded_never_sent(chat, agent, graph, work, now,
                                                                          django_capture_on_commit_callbacks):
    from awn.channels.whatsapp.window import window_state
    from awn.core.models import AuditEvent

    later = now + timedelta(hours=24, seconds=1)
    assert window_state(chat, later)["open"] is False
    agent_says(chat, agent, "هل ما زلت بحاجة إلى مساعدة؟", django_capture_on_commit_callbacks, later)
    work(later)
    assert not graph.requests
    row = Outbound.objects.get(message__author="agent")
    assert (row.state, row.error_title) == (S.REFUSED, "window_closed")
    audit = AuditEvent.objects.get(action="whatsapp_not_sent")
    assert audit.subject_id == chat.pk and audit.data["templates_only"] is True
    assert outbound.delivery_report(chat)[-1]["templates_only"] is True


def test_mark_read_with_typing_indicator_matches_meta_example(deliver, assistant, graph, work, now):
    deliver(text_delivery("مرحبا", wamid="wamid.READ-ME", timestamp=int(now.timestamp())))
    work(now)
    [body] = graph.sent("read")
    expected = example("req_send_typing_indicator_and_read_receipt.json")
    assert body == {**expected, "message_id": "wamid.READ-ME"}


# --------------------------------------------------------------------------- errors and retries


def _attempts(row: Outbound) -> list[str]:
    return list(SendAttempt.objects.filter(outbound=row).order_by("id").values_list("outcome", flat=True))


@pytest.mark.parametrize("code", [130429, 131056, 1, 2])
def test_retryable_errors_back_off_then_succeed(chat, graph, work, now, code):
    graph.fail("messages", code, times=2)
    assistant_says(chat, now, "نص")
    work(now)
    row = Outbound.objects.get(message__text="نص")
    assert row.state == S.RETRY and row.error_code == code
    first_wait = row.next_attempt_at - now
    assert timedelta(seconds=1) <= first_wait <= timedelta(seconds=13)  # 2 s ±20 %, or 6 s for the pair rate limit
    work(now + first_wait / 2)
    assert len(graph.sent("text")) == 0 and Outbound.objects.get(pk=row.pk).attempts == 1  # not before its time
    work(now + timedelta(seconds=15))
    row.refresh_from_db()
    assert row.state == S.RETRY and row.next_attempt_at - (now + timedelta(seconds=15)) > first_wait * 0.8 * 1.5
    work(now + timedelta(minutes=5))
    row.refresh_from_db()
    assert row.state == S.SENT and _attempts(row) == ["retry", "retry", "sent"]
    assert len(graph.sent("text")) == 1


def test_retries_are_bounded(chat, graph, work, now, settings):
    settings.AWN_WHATSAPP_MAX_SEND_ATTEMPTS = 3
    graph.fail("messages", 130429, times=10)
    assistant_says(chat, now, "نص")
    for minute in range(0, 60, 5):
        work(now + timedelta(minutes=minute))
    row = Outbound.objects.get(message__text="نص")
    assert row.state == S.FAILED and row.error_code == 130429 and _attempts(row) == ["retry", "retry", "failed"]
    assert ChannelEvent.objects.filter(kind="send_failed", code=130429).exists()


def test_connection_refused_is_retried_it_never_left(chat, accounts, graph, work, now):
    Account.objects.filter(pk=accounts["main"].pk).update(graph_base_url="http://127.0.0.1:9")  # discard port: closed
    assistant_says(chat, now, "نص")
    work(now)
    row = Outbound.objects.get(message__text="نص")
    assert row.state == S.RETRY and "ConnectError" in row.error_title


@pytest.mark.parametrize("code, title", [
    (131047, "Re-engagement message"),
    (131026, "Message undeliverable"),
    (132001, "Template name does not exist"),
    (100, "Invalid parameter"),
])
def test_permanent_errors_are_recorded_and_surfaced_never_retried(chat, graph, work, now, code, title):
    from awn.core.models import AuditEvent

    graph.fail("messages", code)
    assistant_says(chat, now, "نص")
    for minute in range(0, 60, 10):
        work(now + timedelta(minutes=minute))
    row = Outbound.objects.get(message__text="نص")
    assert (row.state, row.error_code, row.error_title) == (S.FAILED, code, title)
    assert _attempts(row) == ["failed"]
    assert len(graph.sent("text", attempted=True)) == 1
    assert AuditEvent.objects.filter(action="whatsapp_not_sent", new_value=str(code)).count() == 1
    report = outbound.delivery_report(chat)[-1]
    assert report["failed"] and report["error_code"] == code and report["templates_only"] == (code == 131047)


def test_expired_token_pauses_the_account_holds_messages_and_a_new_token_releases_them(chat, accounts, graph, work, now,
                                                                                       caplog):
    caplog.set_level(logging.DEBUG)
    graph.fail("messages", 190)
    assistant_says(chat, now, "الأولى")
    assistant_says(chat, now, "الثانية")
    work(now)
    account = Account.objects.get(pk=accounts["main"].pk)
    assert account.sending_paused_reason.startswith("190")
    assert set(Outbound.objects.filter(message__text__in=["الأولى", "الثانية"]).values_list("state", flat=True)) == {S.HELD}
    assert ChannelEvent.objects.filter(kind="auth_failed", code=190).count() == 1
    work(now + timedelta(hours=1))
    assert len([r for r in graph.requests if r.method == "POST"]) == 1  # not retried blindly
    account.set_access_token(TOKEN)
    account.save()
    work(now + timedelta(hours=1))
    assert [b["text"]["body"] for b in graph.sent("text")] == ["الأولى", "الثانية"]
    # The token never shows up in logs, rows or reprs.
    assert TOKEN not in caplog.text and TOKEN not in repr(account) and TOKEN not in str(account.__dict__)
    for model in (Outbound, SendAttempt, ChannelEvent):
        assert TOKEN not in json.dumps(list(model.objects.values()), default=str)


def test_a_timeout_after_sending_waits_for_the_status_instead_of_sending_twice(chat, deliver, graph, work, now,
                                                                                settings):
    settings.AWN_WHATSAPP_HTTP_TIMEOUT = 0.3
    graph.hang("messages", 1.0)  # Meta got the request; the answer came too late
    assistant_says(chat, now, "نص")
    work(now)
    row = Outbound.objects.get(message__text="نص")
    assert row.state == S.UNCERTAIN and row.wamid is None
    accepted = graph.sent("text", attempted=True)[0]  # received; its answer was lost
    # Meta's "sent" status arrives, carrying the row id Awn put in biz_opaque_callback_data.
    deliver(status_delivery("wamid.FROM-META", "sent", callback=accepted["biz_opaque_callback_data"]))
    work(now + timedelta(minutes=5))
    row.refresh_from_db()
    assert (row.state, row.wamid, row.delivery_status) == (S.SENT, "wamid.FROM-META", "sent")
    assert len(graph.sent("text", attempted=True)) == 1  # never sent a second time


def test_an_uncertain_send_with_no_news_is_sent_again_after_the_grace_period(chat, graph, work, now, settings):
    settings.AWN_WHATSAPP_HTTP_TIMEOUT = 0.3
    graph.hang("messages", 1.0)
    assistant_says(chat, now, "نص")
    work(now)
    work(now + timedelta(seconds=30))
    assert len(graph.sent("text", attempted=True)) == 1  # still waiting for a status
    work(now + timedelta(seconds=61))
    row = Outbound.objects.get(message__text="نص")
    assert row.state == S.SENT and _attempts(row) == ["uncertain", "sent"]


def test_a_row_left_sending_by_a_dead_worker_is_not_resent_blindly(chat, graph, work, now):
    message = assistant_says(chat, now, "نص")
    claimed = outbound.claim(now, worker="dead")  # the worker claimed it, then died before recording anything
    assert [r.message_id for r, _ in claimed] == [message.pk]
    work(now + timedelta(seconds=60))
    assert not graph.sent("text")  # its lease (120 s) has not run out
    work(now + timedelta(seconds=121))
    assert Outbound.objects.get(message=message).state == S.UNCERTAIN and not graph.sent("text")
    work(now + timedelta(seconds=182))
    assert Outbound.objects.get(message=message).state == S.SENT and len(graph.sent("text")) == 1


def test_two_workers_never_claim_the_same_row(chat, now):
    assistant_says(chat, now, "نص")
    first = outbound.claim(now, worker="a")
    second = outbound.claim(now, worker="b")
    assert len(first) == 1 and second == []


def test_messages_to_one_buyer_keep_their_order_behind_a_retry(chat, graph, work, now):
    graph.fail("messages", 130429)
    assistant_says(chat, now, "الأولى")
    assistant_says(chat, now, "الثانية")
    work(now)
    assert [b["text"]["body"] for b in graph.sent("text", attempted=True)] == ["الأولى"]  # refused with 130429
    assert Outbound.objects.get(message__text="الثانية").state == S.QUEUED  # waits behind the first
    work(now + timedelta(minutes=1))
    assert [b["text"]["body"] for b in graph.sent("text")] == ["الأولى", "الثانية"]


def test_enqueueing_twice_queues_once(chat, now):
    message = assistant_says(chat, now, "نص")
    assert outbound.enqueue_message(message, now=now) == []
    tasks.send_message(message)
    assert Outbound.objects.filter(message=message).count() == 1
