"""Buyers' numbers: known phones continue the customer's conversation; unknown ones link by email code or by an agent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail

from awn.channels.whatsapp.linking import LinkError, link_conversation
from awn.channels.whatsapp.models import Contact, InboundMessage, LinkChallenge
from awn.core.models import AuditEvent
from awn.helpdesk.models import Conversation, Message
from awn.marketplace.models import CustomerIdentity
from tests.whatsapp.conftest import text_delivery

STRANGER = "966555555555"


@pytest.fixture
def say(deliver, work, now):
    counter = iter(range(1, 1000))

    def _say(text: str, *, wa_id: str = STRANGER, after: timedelta = timedelta(0)) -> None:
        n = next(counter)
        at = now + after + timedelta(seconds=n)
        deliver(text_delivery(text, wa_id=wa_id, wamid=f"wamid.L{n}", timestamp=int(at.timestamp())))
        work(at)

    return _say


def bodies(graph) -> list[str]:
    return [b["text"]["body"] for b in graph.sent("text")]


def test_a_known_phone_continues_the_customers_conversation(say, riyadh_buyer, assistant, graph):
    say("وين طلبي؟", wa_id="966500000201")
    say("شكرا", wa_id="966500000201")
    conversation = Conversation.objects.get()
    assert conversation.customer == riyadh_buyer and conversation.channel_ref == "600000000000001:966500000201"
    assert Contact.objects.get().linked_by == "phone"
    assert Message.objects.filter(author="buyer").count() == 2 and len(assistant.calls) == 2
    assert bodies(graph) == [assistant.text, assistant.text]  # no linking hint for a known buyer


def test_an_unknown_number_gets_a_conversation_without_a_customer_and_one_hint(say, riyadh_buyer, assistant, graph):
    say("مرحبا")
    say("وين طلبي؟")
    assert Conversation.objects.get().customer is None
    sent = bodies(graph)
    assert sent.count(assistant.text) == 2
    assert len([b for b in sent if "البريد الإلكتروني" in b]) == 1


def test_linking_by_a_code_sent_to_the_accounts_email(say, riyadh_buyer, assistant, graph):
    say("مرحبا")
    calls = len(assistant.calls)
    say("  Riyadh@Test.Example ")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["riyadh@test.example"]
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    assert code in mail.outbox[0].subject
    assert "رمزًا من 6 أرقام" in bodies(graph)[-1]
    challenge = LinkChallenge.objects.get()
    assert challenge.code_hash != code and code not in challenge.code_hash and challenge.email_masked == "r***@test.example"
    arabic_code = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    say(f"{arabic_code[:3]} {arabic_code[3:]}")
    assert "تم ربط رقمك" in bodies(graph)[-1]
    conversation = Conversation.objects.get()
    assert conversation.customer == riyadh_buyer
    assert CustomerIdentity.objects.filter(customer=riyadh_buyer, kind="whatsapp", value=STRANGER, verified=True).exists()
    assert AuditEvent.objects.filter(subject_type="conversation", subject_id=conversation.pk, action="linked",
                                     actor="buyer").exists()
    # Neither the email nor the code reached the assistant or the conversation's buyer messages.
    assert len(assistant.calls) == calls
    texts = list(Message.objects.filter(author="buyer").values_list("text", flat=True))
    assert texts == ["مرحبا"]
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {"done", "linking"}
    say("وين طلبي؟")  # now the assistant sees the customer
    assert Message.objects.filter(author="buyer").last().conversation.customer == riyadh_buyer


def test_an_unknown_email_gets_the_same_answer_and_no_mail(say, riyadh_buyer, graph):
    say("nobody@nowhere.example")
    assert not mail.outbox
    assert "رمزًا من 6 أرقام" in bodies(graph)[-1]
    say("123456")
    assert "غير صحيح" in bodies(graph)[-1] and Conversation.objects.get().customer is None


def test_wrong_codes_are_limited(say, riyadh_buyer, graph):
    say("riyadh@test.example")
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        say(wrong)
        assert bodies(graph)[-1].endswith(f"{left}.")
    say(wrong)
    say(code)  # the right code, too late
    assert "انتهت صلاحية الرمز" in bodies(graph)[-1]
    assert Conversation.objects.get().customer is None


def test_codes_expire_after_ten_minutes(say, riyadh_buyer, graph):
    say("riyadh@test.example")
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    say(code, after=timedelta(minutes=10, seconds=1))
    assert "انتهت صلاحية الرمز" in bodies(graph)[-1] and Conversation.objects.get().customer is None


def test_at_most_three_codes_an_hour(say, riyadh_buyer, graph):
    for _ in range(3):
        say("riyadh@test.example")
    say("riyadh@test.example")
    assert len(mail.outbox) == 3 and "حاول مرة أخرى بعد ساعة" in bodies(graph)[-1]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    say(code)  # only the newest code counts
    assert Conversation.objects.get().customer == riyadh_buyer


def test_an_agent_links_a_conversation_audited_and_idempotent(say, riyadh_buyer, outsider, agent, now):
    say("مرحبا")
    conversation = Conversation.objects.get()
    link_conversation(conversation, riyadh_buyer, actor="agent", actor_ref=agent.username, now=now)
    link_conversation(conversation, riyadh_buyer, actor="agent", actor_ref=agent.username, now=now)
    conversation.refresh_from_db()
    assert conversation.customer == riyadh_buyer
    assert Contact.objects.get().linked_by == "agent:agent-amal"
    audit = AuditEvent.objects.get(action="linked")
    assert (audit.actor, audit.actor_ref, audit.new_value) == ("agent", "agent-amal", "riyadh")
    with pytest.raises(LinkError) as info:
        link_conversation(conversation, outsider, actor="agent", now=now)
    assert info.value.code == "already_linked"


def test_a_whatsapp_id_of_another_customer_cannot_be_linked(accounts, riyadh_buyer, outsider, now):
    CustomerIdentity.objects.create(customer=outsider, kind="whatsapp", value="SA.999")
    Contact.objects.create(number=accounts["sa"], bsuid="SA.999", channel_ref="600000000000001:SA.999", created_at=now)
    conversation = Conversation.objects.create(channel="whatsapp", channel_ref="600000000000001:SA.999",
                                               created_at=now, updated_at=now)
    with pytest.raises(LinkError) as info:
        link_conversation(conversation, riyadh_buyer, now=now)
    assert info.value.code == "identity_taken"
    conversation.refresh_from_db()
    assert conversation.customer is None
