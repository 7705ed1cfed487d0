"""The hard parts of the dialogue: confirmations, evidence re-asks, unclear turns, anger, errors."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from awn.cases.models import Case
from awn.helpdesk import services
from awn.helpdesk.models import Handoff
from awn.marketplace.models import Order
from tests.assistant.conftest import PNG, Chat

# --------------------------------------------------------------------------- confirmations


def test_nothing_is_cancelled_until_the_buyer_says_yes(chat):
    c: Chat = chat("demo-sarah")
    c("please cancel order 83000002")
    assert c.choices == ["yes", "no"]
    assert Order.objects.get(order_number="83000002").status == "confirmed"
    c("what about my refund?")  # a new question drops the pending confirmation
    c("yes")
    assert Order.objects.get(order_number="83000002").status == "confirmed"


@pytest.mark.parametrize("answer", ["نعم", "ايوه", "أيوه ألغيه", "yes please", "ok"])
def test_a_typed_yes_confirms(chat, answer):
    c: Chat = chat("demo-sarah", language="ar")
    c("ألغِ الطلب 83000002 من فضلك")
    c(answer)
    assert Order.objects.get(order_number="83000002").status == "cancelled", c.text
    assert {"name": "cancel_order"}.items() <= c.actions[0].items()


def test_a_confirmation_tapped_twice_cancels_once(chat):
    c: Chat = chat("demo-sarah")
    c("cancel order 83000002")
    c("", choice="yes")
    c("", choice="yes")  # the pending question is gone: a plain "yes" now
    assert Case.objects.filter(order__order_number="83000002", kind="cancellation").count() == 1
    assert "Done" not in c.text


def test_a_shipped_order_is_not_offered_cancellation(chat):
    c: Chat = chat("demo-sarah")
    c("cancel order 83000003")
    assert "yes" not in c.choices
    assert "can no longer be cancelled" in c.text
    assert Order.objects.get(order_number="83000003").status == "shipped"


# --------------------------------------------------------------------------- evidence


def _start_damaged_dispute(chat) -> Chat:  # type: ignore[no-untyped-def]
    c: Chat = chat("demo-noura", language="en")
    c("the TV from order 81000005 arrived with a cracked screen")
    c("", choice="yes")
    c("", choice="item:P-100001")
    assert "send a clear photo" in c.text
    return c


def test_an_image_over_the_limit_or_not_an_image_is_refused_and_asked_again(chat):
    c = _start_damaged_dispute(chat)
    c(photo=PNG + b"\0" * (10 * 1024 * 1024))
    assert "up to 10 MB" in c.text
    c(photo=b"GIF89a....", content_type="image/gif")
    assert "JPEG, PNG or WebP" in c.text
    c(photo=PNG)
    assert "Photo received" in c.text
    case = Case.objects.get(order__order_number="81000005", kind="dispute")
    assert list(case.evidence.values_list("kind", flat=True).order_by("id")) == ["order_number", "product_number", "photo"]


def test_three_unusable_answers_in_a_row_go_to_a_person_with_what_was_collected(chat):
    c = _start_damaged_dispute(chat)
    c("hmm")
    c("wait")
    assert c.conversation.owner == "assistant"
    c("what")
    handoff = c.handoff
    assert handoff is not None and handoff.reason == "not_understood"
    assert handoff.summary["collected"]["case"]["evidence"] == ["order_number", "product_number"]
    assert handoff.summary["collected"]["product_number"] == "P-100001"


def test_a_clear_request_for_a_person_leaves_the_evidence_flow(chat):
    c = _start_damaged_dispute(chat)
    c("I want to talk to a human")
    assert c.handoff.reason == "asked_for_human" and c.handoff.queue == "disputes"


def test_the_seller_window_is_told_in_the_buyers_timezone(chat):
    c = _start_damaged_dispute(chat)
    c(photo=PNG)
    c("The screen is cracked from corner to corner.")
    case = Case.objects.get(order__order_number="81000005", kind="dispute")
    assert case.status == "awaiting_seller"
    deadline = case.deadline_at
    assert deadline == c.now + timedelta(hours=48)
    riyadh = (c.now + timedelta(hours=48)).astimezone(ZoneInfo("Asia/Riyadh"))
    assert f"Thursday 3 December at {riyadh:%H:%M}" in c.text and riyadh.hour == 12
    assert c.handoff.queue == "disputes" and c.handoff.reason == "damaged_or_defective"


# --------------------------------------------------------------------------- unclear, anger, faults


def test_one_unclear_turn_is_forgiven_when_the_next_is_clear(chat):
    c: Chat = chat("demo-sarah")
    c("qwpoeiru zxmcn")
    c("where is my order 83000003")
    c("asdkjh qweoiu")
    assert c.conversation.owner == "assistant"


@pytest.mark.parametrize("text", ["you are thieves, I want my money NOW", "انتوا نصابين", "WORST SERVICE EVER!!! STILL NOTHING"])
def test_an_angry_buyer_goes_to_a_person_with_high_priority(chat, text):
    c: Chat = chat("demo-sarah")
    c(text)
    assert c.handoff.reason == "angry" and c.handoff.priority == 2


def test_asking_whether_a_number_is_a_scam_is_not_anger(chat):
    c: Chat = chat("demo-noura")
    c("هل الرقم +966511111111 نصب؟ يقول إنه خدمة العملاء")
    assert c.conversation.owner == "assistant"
    assert "احتيال" in c.text


def test_a_fault_in_the_assistant_becomes_an_apology_and_a_handoff(chat, monkeypatch):
    import awn.assistant
    from awn.assistant.flows import refunds

    monkeypatch.setattr(awn.assistant, "RAISE_ERRORS", False)

    def broken(turn):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(__import__("awn.assistant.dialogue", fromlist=["HANDLERS"]).HANDLERS, "refund_status", broken)
    c: Chat = chat("demo-noura", language="en")
    c("where is my refund for order 81000006")
    assert "something went wrong on my side" in c.text
    assert c.handoff.reason == "assistant_error" and c.handoff.priority == 2
    assert refunds  # imported module untouched


def test_the_assistant_is_silent_while_a_person_owns_the_conversation_and_back_after(chat, agent):
    c: Chat = chat("demo-noura", language="en")
    c("I need a human")
    assert c.conversation.owner == "nobody"
    assert c("hello?") == ""
    services.post_agent_message(c.conversation, agent, "Hi Noura, Amal here.", now=c.now)
    assert c("thanks Amal") == ""
    services.hand_back(c.conversation, agent, now=c.now)
    c.conversation.refresh_from_db()
    c("where is my refund for 81000006")
    assert "81000006" in c.text


# --------------------------------------------------------------------------- what services refuse


def test_empty_and_oversized_messages_are_refused_by_services_and_nothing_is_stored(chat):
    c: Chat = chat("demo-noura")
    for text in ("", "   \n", "x" * (services.MAX_TEXT + 1)):
        with pytest.raises(services.MessageRejected):
            c(text)
    assert not c.conversation.messages.exists()


@pytest.mark.parametrize("text", ["🙂", "؟؟؟", "<script>alert(1)</script>", "x" * services.MAX_TEXT,
                                  "81000006 " * 400])
def test_odd_messages_get_a_sane_reply(chat, text):
    c: Chat = chat("demo-noura")
    c(text)
    assert c.replies and all(r.text for r in c.replies)
    assert "<script>" not in c.text


# --------------------------------------------------------------------------- handoff summary


def test_the_handoff_summary_lets_an_agent_act_without_asking_again(chat):
    c: Chat = chat("demo-noura")
    c("دفعت للطلب ٨١٠٠٠٠٠٢ وما زال الدفع معلقًا")
    handoff: Handoff = c.handoff
    s = handoff.summary
    assert s["who"]["customer"] == "demo-noura" and s["who"]["market"] == "SA" and s["who"]["language"] == "ar"
    assert s["order"]["number"] == "81000002" and s["order"]["status"] == "pending_payment"
    assert s["order"]["items"][0]["product_number"] == "P-100005"
    assert s["wants"]["intent"] == "payment_verification" and "٨١٠٠٠٠٠٢" in s["wants"]["buyer_said"]
    rule = s["rules"][-1]
    assert rule["rule_id"] == "payment.verification_escalate" and rule["state"] == "overdue"
    assert "30 business hours" in rule["says"]["en"]
    assert [m["author"] for m in s["history"]] == ["buyer", "assistant"]
    assert handoff.escalation is not None and handoff.escalation.rule_id == "payment.verification_escalate"
    assert handoff.due_at == c.now + timedelta(minutes=30)
    text = handoff.summary_text
    assert "81000002" in text and "payments" in text and "المدفوعات" in text and "Leather handbag" in text


def test_a_short_follow_up_continues_the_topic_but_gibberish_does_not(chat):
    c: Chat = chat("demo-noura")
    c("ما زال الدفع للطلب 81000001 قيد التحقق")
    c("لسه؟", after=timedelta(hours=2))
    assert "الطلب 81000001" in c.text and "منذ 3 ساعات" in c.text
    c("asdf qwer zxcv")
    assert "لم أفهم" in c.text
