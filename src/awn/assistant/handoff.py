"""Handing a conversation to people, with a summary nobody has to re-ask the buyer for.

Every escalation rule of the brief (escalate.when), an explicit request for a person, two unclear
turns in a row, an angry buyer, or a fault in the assistant end here: ``services.hand_off`` puts the
conversation in a queue with a priority and a due time for the first human reply, and the buyer is
told who will answer and by when. From then on the assistant is silent (services never calls it
while nobody or an agent owns the conversation).

The summary (``Handoff.summary``) has the keys the helpdesk model documents:
``who`` (the buyer, channel, language), ``order`` (number, status, items, amounts, seller),
``wants`` (the intent and the buyer's own words), ``rules`` (each rule consulted: id, state, what it
says), ``collected`` (evidence, cases, choices already made) and ``history`` (the last messages);
``summary_text`` is the same in English and Arabic for an agent's screen.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from awn import policy as rules
from awn.assistant.catalog import has, message
from awn.assistant.turn import Turn
from awn.cases.models import Escalation, Priority
from awn.helpdesk import services
from awn.helpdesk.models import Author, Handoff

# Queues agents work from (Handoff.queue).
PAYMENTS, DISPUTES, REFUNDS, ORDERS, ACCOUNTS, GENERAL = "payments", "disputes", "refunds", "orders", "accounts", "general"
QUEUES = (PAYMENTS, DISPUTES, REFUNDS, ORDERS, ACCOUNTS, GENERAL)

# The first human reply is due this long after the handoff, by priority.
FIRST_REPLY_WITHIN = {
    Priority.URGENT: timedelta(minutes=15),
    Priority.HIGH: timedelta(minutes=30),
    Priority.NORMAL: timedelta(hours=2),
    Priority.LOW: timedelta(hours=8),
}

TOPIC_QUEUE = {
    "payment_verification": PAYMENTS,
    "payment_problem": PAYMENTS,
    "seller_not_responding": ORDERS,
    "damaged_item": DISPUTES,
    "wrong_item": DISPUTES,
    "open_dispute": DISPUTES,
    "dispute_status": DISPUTES,
    "return_request": DISPUTES,
    "order_not_arrived": ORDERS,
    "track_order": ORDERS,
    "cancel_order": ORDERS,
    "modify_order": ORDERS,
    "missing_order": ORDERS,
    "refund_status": REFUNDS,
    "partial_refund": REFUNDS,
    "return_parcel_status": REFUNDS,
    "account_access": ACCOUNTS,
}

HISTORY = 10  # messages copied into the summary


def queue_for(turn: Turn) -> str:
    return TOPIC_QUEUE.get(turn.intent) or TOPIC_QUEUE.get(turn.state.topic) or GENERAL


def hand_off(
    turn: Turn,
    *,
    reason: str,
    queue: str | None = None,
    priority: int = Priority.NORMAL,
    rule_id: str = "",
    case: Any = None,
    tell: str = "",
) -> Handoff:
    """Hand the conversation to ``queue`` and tell the buyer what happens next.

    ``reason`` is a rule id of escalate.when or one of ``asked_for_human``, ``not_understood``,
    ``angry``, ``assistant_error``. ``tell`` is an optional message id said before the "who answers
    and when" line.
    """
    queue = queue or queue_for(turn)
    summary = build_summary(turn, reason=reason, queue=queue, priority=priority, rule_id=rule_id, case=case)
    text = "\n\n".join(summary_text(summary, lang) for lang in ("en", "ar"))
    handoff = services.hand_off(
        turn.conversation, queue=queue, priority=int(priority), reason=reason[:40], summary=summary,
        summary_text=text, rule_id=rule_id, order=turn.order, escalation=_escalation(turn, rule_id, case),
        first_reply_within=FIRST_REPLY_WITHIN.get(Priority(priority), timedelta(hours=2)), now=turn.now,
    )
    turn.state.pending = None
    turn.bubble()
    if tell:
        turn.say(tell)
    turn.say("handoff.next", team=turn.t(f"queue.{queue}"), due=turn.when(handoff.due_at))
    turn.rule(rule_id)
    turn.act("handoff", handoff_id=handoff.pk, queue=queue, priority=int(priority), reason=reason)
    return handoff


def _escalation(turn: Turn, rule_id: str, case: Any) -> Escalation | None:
    """The rule's escalation row, when the worker or an action already opened one (read only)."""
    if turn.order is None or not rule_id:
        return None
    qs = Escalation.objects.filter(order=turn.order)
    if case is not None:
        qs = qs.filter(case=case)
    by_rule = qs.filter(rule_id=rule_id).order_by("-created_at").first()
    return by_rule


def build_summary(turn: Turn, *, reason: str, queue: str, priority: int, rule_id: str, case: Any = None) -> dict[str, Any]:
    conversation, customer, order = turn.conversation, turn.customer, turn.order
    who: dict[str, Any] = {"channel": conversation.channel, "language": turn.lang, "conversation": conversation.pk}
    if customer is not None:
        who.update(customer=customer.external_ref, name=customer.display_name, market=customer.market, linked=True)
    else:
        who.update(linked=False, channel_ref=conversation.channel_ref, market=turn.market)
    order_part: dict[str, Any] | None = None
    if order is not None:
        order_part = {
            "number": order.order_number, "status": order.status, "market": order.market,
            "placed_at": order.placed_at.isoformat(), "currency": order.currency,
            "items_total": str(order.items_total), "shipping_fee": str(order.shipping_fee),
            "seller": order.seller.name, "archived": order.archived,
            "items": [{"product_number": i.product_number, "title_en": i.title_en, "title_ar": i.title_ar,
                       "quantity": i.quantity, "unit_price": str(i.unit_price)} for i in order.items.order_by("id")],
        }
        if order.closed_reason:
            order_part["closed_reason"] = order.closed_reason
    collected = dict(turn.state.collected)
    if case is not None:
        collected["case"] = {"id": case.pk, "kind": case.kind, "status": case.status, "reason": case.reason,
                             "evidence": sorted(set(case.evidence.values_list("kind", flat=True)))
                             if case.kind == "dispute" else []}
    history = [
        {"author": m.author, "text": m.text[:300], "at": m.created_at.isoformat(), **({"choice": m.choice_id} if m.choice_id else {})}
        for m in reversed(list(conversation.messages.exclude(author=Author.SYSTEM).order_by("-id")[:HISTORY]))
    ]
    # This turn's replies are stored after the assistant returns; the agent should see them too.
    history += [{"author": Author.ASSISTANT, "text": text[:300], "at": turn.now.isoformat()}
                for text in turn.said_so_far()]
    history = history[-HISTORY:]
    return {
        "reason": reason,
        "rule_id": rule_id,
        "queue": queue,
        "priority": int(priority),
        "who": who,
        "order": order_part,
        "wants": {"intent": turn.intent or turn.state.topic, "topic": turn.state.topic,
                  "buyer_said": turn.text[:500], "topic_started_with": turn.state.topic_text[:500]},
        "rules": list(turn.state.rules),
        "collected": collected,
        "history": history,
    }


def summary_text(summary: dict[str, Any], lang: str) -> str:
    """The summary as plain text for an agent, in ``lang``."""
    def t(key: str, **values: Any) -> str:
        return message(lang, key, **values)

    reason = summary["reason"]
    if reason in rules.ESCALATION_TOPICS:
        label = rules.ESCALATION_TOPICS[reason].get(lang)
    elif has(lang, f"reason.{reason}"):
        label = t(f"reason.{reason}")
    else:
        label = reason
    lines = [t("summary.title", reason=label,
               queue=t(f"queue.{summary['queue']}"), priority=summary["priority"])]
    who = summary["who"]
    if who.get("linked"):
        lines.append(t("summary.buyer", name=who["name"], ref=who["customer"], market=who["market"],
                       language=who["language"], channel=who["channel"]))
    else:
        lines.append(t("summary.buyer_unlinked", channel=who["channel"], ref=who.get("channel_ref", ""),
                       language=who["language"]))
    order = summary["order"]
    if order:
        items = "; ".join(f"{i['title_ar' if lang == 'ar' else 'title_en']} ({i['product_number']}) ×{i['quantity']}"
                          for i in order["items"])
        lines.append(t("summary.order", number=order["number"], status=t(f"status.{order['status']}"),
                       total=f"{order['currency']} {order['items_total']} + {order['shipping_fee']}", items=items,
                       seller=order["seller"]))
    else:
        lines.append(t("summary.no_order"))
    wants = summary["wants"]
    said = wants.get("topic_started_with") or wants.get("buyer_said") or ""
    intent = wants.get("intent") or "-"
    lines.append(t("summary.wants", intent=t(f"intent.{intent}") if has(lang, f"intent.{intent}") else intent,
                   said=said))
    for rule in summary["rules"]:
        lines.append(t("summary.rule", rule_id=rule.get("rule_id", ""), state=rule.get("state", ""),
                       says=_says(rule.get("says"), lang), order=rule.get("order") or "-"))
    collected = summary["collected"]
    if collected:
        parts = []
        for key, value in collected.items():
            if key == "case" and isinstance(value, dict):
                parts.append(t("summary.case", id=value.get("id"), kind=value.get("kind"), reason=value.get("reason") or "-",
                               status=value.get("status"), evidence=", ".join(value.get("evidence") or []) or "-"))
            else:
                parts.append(f"{key}: {str(value).rstrip('.')}")
        lines.append(t("summary.collected", items="; ".join(parts)))
    lines.append(t("summary.history", count=len(summary["history"])))
    return "\n".join(lines)


def _says(says: Any, lang: str) -> str:
    if isinstance(says, dict):
        return str(says.get(lang) or says.get("en") or "")
    return str(says or "")
