"""Finding the order: typed numbers in any form, the only fitting order, choices, and someone else's order."""

from __future__ import annotations

import re

import pytest

from awn.helpdesk.models import Message
from tests.assistant.conftest import Chat


@pytest.mark.parametrize("typed", ["٨١٠٠٠٠٠٦", "#81000006", "8100-0006", "8100 0006", "طلب رقم ٨١٠٠-٠٠٠٦"])
def test_an_order_number_is_read_in_any_digits_and_separators(chat, typed):
    c: Chat = chat("demo-noura")
    c(f"وين الاسترجاع حق {typed}")
    assert "81000006" in c.text
    assert c.conversation.state["order"] == "81000006"


def test_the_only_fitting_order_is_used_without_asking(chat):
    c: Chat = chat("demo-mohamed")
    c("my payment is stuck in verification")  # Mohamed has one payment under verification
    assert "82000001" in c.text and not c.choices


def test_several_fitting_orders_are_offered_as_short_choices_and_remembered(chat):
    c: Chat = chat("demo-noura")
    c("الدفع ما زال قيد التحقق")
    assert c.choices == ["order:81000001", "order:81000002"]
    assert all(len(title) <= 20 for title in c.choice_titles)
    c("1")  # a typed position picks the choice (WhatsApp users often type it)
    assert "81000001" in c.text and c.conversation.state["order"] == "81000001"
    c("طيب وش صار على الطلب؟")  # the current order stays the subject
    assert "81000001" in c.text and not c.choices


def _not_found_reply(c: Chat, number: str) -> str:
    c(f"where is my order {number}?")
    return re.sub(number, "<n>", c.text)


def test_someone_elses_order_gets_exactly_the_answer_of_a_missing_one(chat):
    mine = chat("demo-noura", language="en")
    foreign = _not_found_reply(mine, "84000006")  # Youssef's other login
    missing = _not_found_reply(chat("demo-noura", language="en"), "89999999")
    assert foreign == missing
    assert "couldn't find order <n> in your account" in foreign
    for secret in ("Desk lamp", "Youssef", "يوسف", "processing", "Morocco", "MAD"):
        assert secret not in foreign
    assert "84000006" not in str(mine.conversation.state.get("order", ""))


def test_a_forged_order_choice_is_authorised_like_a_typed_number(chat):
    c: Chat = chat("demo-noura", language="en")
    c("", choice="order:84000006")
    assert "couldn't find order 84000006 in your account" in c.text
    assert "Desk lamp" not in c.text


def test_a_forged_case_in_the_conversation_state_is_ignored(chat):
    from awn.cases.models import Case

    c: Chat = chat("demo-noura", language="en")
    youssefs = Case.objects.get(order__order_number="84000004", kind="dispute")
    c.conversation.state = {"v": 1, "pending": {"kind": "evidence", "case": youssefs.pk, "asked": "description"}}
    c.conversation.save(update_fields=["state"])
    c("The glasses arrived broken, three of six")
    assert "84000004" not in c.text
    assert youssefs.evidence.count() == Case.objects.get(pk=youssefs.pk).evidence.count()
    assert not Message.objects.filter(conversation=c.conversation, text__contains="84000004").exists()


def test_a_buyer_with_a_single_open_order_is_answered_about_it(riyadh_buyer, shenzhen_seller, now, nlu_engine, db):
    from awn.helpdesk import services
    from tests.django import factories as f

    order = f.order(riyadh_buyer, shenzhen_seller, status="processing", placed_at=now,
                    processing_deadline=now.replace(day=4))
    conversation = services.start_conversation(riyadh_buyer, "web", now=now)
    replies = services.receive_buyer_message(conversation, text="وين طلبي؟", now=now).replies
    assert order.order_number in replies[0].text
    assert "يوم الجمعة 4 ديسمبر الساعة 12:00" in replies[0].text  # the processing deadline in Riyadh time
