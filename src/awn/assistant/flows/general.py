"""Greetings, thanks, yes/no without a question, things outside Awn's remit, people and accounts."""

from __future__ import annotations

from awn import policy as rules
from awn.assistant import handoff
from awn.assistant.turn import Turn
from awn.cases.models import Priority

# What the assistant can help with, as quick replies (id "intent:<label>").
MENU = ("track_order", "refund_status", "damaged_item", "human_agent")

# The general rule behind a topic, told to a buyer whose account is not linked to this chat.
TOPIC_RULE = {
    "payment_verification": "payment.verification_sla",
    "payment_problem": "payment.verification_sla",
    "seller_not_responding": "seller.reply_window",
    "damaged_item": "issue.required_evidence",
    "wrong_item": "issue.required_evidence",
    "open_dispute": "issue.required_evidence",
    "dispute_status": "issue.platform_review",
    "refund_status": "refund.processing_window",
    "partial_refund": "refund.partial_reasons",
    "return_parcel_status": "return.auto_refund",
    "return_request": "issue.seller_response_window",
    "cancel_order": "order.wrong_address",
    "modify_order": "order.no_modification",
    "missing_order": "order.missing",
}


def menu(turn: Turn) -> None:
    turn.offer([(f"intent:{intent}", turn.t(f"choice.menu.{intent}")) for intent in MENU])


def first_name(turn: Turn) -> str:
    if turn.customer is None:
        return ""
    return (turn.customer.display_name or "").split(" ")[0]


def greeting(turn: Turn) -> None:
    name = first_name(turn)
    turn.say("greeting.hello_name" if name else "greeting.hello", name=name)
    turn.say("greeting.menu")
    if turn.customer is None:
        turn.say("account.unlinked")
    menu(turn)


def thanks(turn: Turn) -> None:
    turn.say("thanks.reply")


def affirm(turn: Turn) -> None:
    turn.say("affirm.no_context")
    menu(turn)


def deny(turn: Turn) -> None:
    turn.say("deny.no_context")


def out_of_scope(turn: Turn) -> None:
    """Something Awn does not do (or nothing readable at all): say what it does. Counts as unclear."""
    unclear(turn, key="unclear.out_of_scope" if turn.u.language in ("ar", "en") else "unclear.first")


def unclear(turn: Turn, *, key: str = "unclear.first") -> None:
    """A turn the assistant could not act on; the second in a row goes to a person."""
    turn.state.unclear += 1
    if turn.state.unclear >= 2:
        turn.state.unclear = 0
        handoff.hand_off(turn, reason="not_understood", tell="handoff.not_understood")
        return
    turn.say(key)
    menu(turn)


def human(turn: Turn) -> None:
    handoff.hand_off(turn, reason="asked_for_human", tell="handoff.human")


def angry(turn: Turn) -> None:
    handoff.hand_off(turn, reason="angry", priority=Priority.HIGH, tell="handoff.angry")


def account(turn: Turn) -> None:
    """Account and sign-in problems always go to people (escalate.when: account_access)."""
    turn.say("account.sorry")
    turn.say("account.safety")
    handoff.hand_off(turn, reason="account_access", rule_id="escalate.when", queue=handoff.ACCOUNTS,
                     priority=Priority.HIGH)


def unlinked(turn: Turn, topic: str) -> None:
    """A chat with no account behind it (an unknown WhatsApp number) can look nothing up."""
    turn.say("account.unlinked_topic")
    rule_id = TOPIC_RULE.get(topic)
    if rule_id and rule_id in rules.RULES:
        turn.say("account.general_rule", rule=rules.RULES[rule_id].description.get(turn.lang))
        turn.rule(rule_id)
