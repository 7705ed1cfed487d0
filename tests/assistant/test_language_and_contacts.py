"""Reply language, official contact channels and scam warnings, and chats with no account behind them."""

from __future__ import annotations

import re

import pytest

from awn.core.models import AuditEvent
from awn.helpdesk.models import OfficialChannel
from tests.assistant.conftest import Chat


def test_a_clear_message_in_the_other_language_switches_and_is_recorded(chat):
    c: Chat = chat("demo-noura")  # prefers Arabic
    assert c.conversation.language == "ar"
    c("where is my refund for order 81000006")
    assert c.conversation.language == "en" and "Refund for order 81000006" in c.text
    assert AuditEvent.objects.filter(subject_type="conversation", subject_id=c.conversation.pk, action="language",
                                     old_value="ar", new_value="en").exists()
    c("ok")  # a word is not a language choice
    assert c.conversation.language == "en"
    c("fein el refund bta3i")  # Arabizi is Arabic
    assert c.conversation.language == "ar"


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("English please", "ar", "I'll continue in English"),
    ("ممكن تكلمني بالعربي", "en", "سأكمل معك بالعربية"),
])
def test_an_explicit_request_switches_the_language_and_does_nothing_else(chat, text, language, expected):
    c: Chat = chat("demo-sarah", language=language)
    c(text)
    assert expected in c.text and c.conversation.owner == "assistant"


def test_the_official_number_is_confirmed_and_only_official_numbers_are_quoted(chat):
    c: Chat = chat("demo-mohamed", language="en")
    c("is +20 100 000 0900 your official whatsapp?")
    assert "Yes: +20 10 00000900 is one of our official channels for Egypt" in c.text
    official = {re.sub(r"\D", "", ch.value) for ch in OfficialChannel.objects.filter(market="EG", kind="whatsapp")}
    quoted = {re.sub(r"\D", "", n) for n in re.findall(r"\+[\d ()-]{8,}\d", c.text)}
    assert quoted <= official


def test_an_unknown_number_gets_a_warning_and_no_invented_number(chat):
    c: Chat = chat("demo-noura")
    c("وصلتني رسالة واتساب من 0555555555 يقولون إنهم خدمة العملاء، هل هو رقمكم؟")
    assert "لا، +966 55 555 5555 ليس ضمن قائمة قنواتنا الرسمية في السعودية" in c.text
    assert "احتيال" in c.text
    quoted = {re.sub(r"\D", "", n) for n in re.findall(r"\+[\d ()-]{8,}\d", c.text)}
    assert quoted == {"966555555555", "966500000900"}


def test_with_no_official_channels_configured_no_number_is_given(chat):
    OfficialChannel.objects.filter(market="AE").update(active=False)
    c: Chat = chat("demo-sarah")
    c("what's your customer service whatsapp number?")
    assert "can't share a contact number right now" in c.text
    assert not re.search(r"\+\d", c.text)


def test_an_unlinked_whatsapp_chat_answers_general_questions_and_explains_linking(chat):
    c: Chat = chat(None, channel="whatsapp", channel_ref="1234567890:201000000555")  # an Egyptian number
    c("السلام عليكم")
    assert "غير مرتبطة بحساب" in c.text
    c("فلوسي المرتجعة اتأخرت")
    assert "رمزًا يُستخدم مرة واحدة" in c.text
    assert "من يوم عمل واحد إلى 10 أيام عمل" in c.text  # the general rule, nothing private
    c("رقم الواتساب بتاعكم ايه؟")
    assert "قنواتنا الرسمية في مصر" in c.text and "+20 10 00000900" in c.text
    c("", choice="order:82000004")  # a forged choice from an unlinked chat looks nothing up
    assert "82000004" not in c.text and "1,275" not in c.text
