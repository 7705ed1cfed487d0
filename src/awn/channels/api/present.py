"""Records as the API shows them (plain dicts that the response schemas validate)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awn.cases.models import Case
from awn.channels.api.models import OperatorRef, RefKind
from awn.core.models import AuditEvent
from awn.helpdesk.models import Conversation, Handoff, Message, OfficialChannel
from awn.marketplace.models import Customer, Order, Payment, Product, Seller, Shipment


def customer(c: Customer) -> dict[str, Any]:
    return {
        "external_ref": c.external_ref, "display_name": c.display_name, "market": c.market,
        "preferred_language": c.preferred_language, "timezone": c.timezone, "created_at": c.created_at,
        "identities": [{"kind": i.kind, "value": i.value, "verified": i.verified}
                       for i in c.identities.order_by("kind", "value")],
    }


def seller(x: Seller) -> dict[str, Any]:
    return {"external_ref": x.external_ref, "name": x.name, "country": x.country, "timezone": x.timezone}


def product(p: Product) -> dict[str, Any]:
    return {"product_number": p.product_number, "seller": p.seller.external_ref, "title_ar": p.title_ar,
            "title_en": p.title_en, "price": p.price, "currency": p.currency}


def _refs(kind: str, ids: Iterable[int]) -> dict[int, str]:
    return dict(OperatorRef.objects.filter(kind=kind, object_id__in=list(ids)).values_list("object_id", "external_ref"))


def payment(p: Payment, ref: str | None = None) -> dict[str, Any]:
    if ref is None:
        ref = _refs(RefKind.PAYMENT, [p.pk]).get(p.pk)
    return {"ref": ref, "order_number": p.order.order_number, "method": p.method, "amount": p.amount,
            "currency": p.currency, "submitted_at": p.submitted_at, "verification_status": p.verification_status,
            "verified_at": p.verified_at, "outcome": p.outcome, "escalate_at": p.escalate_at}


def shipment(x: Shipment) -> dict[str, Any]:
    return {
        "order_number": x.order.order_number, "carrier": x.carrier, "tracking_number": x.tracking_number,
        "shipped_at": x.shipped_at, "expected_from": x.expected_from, "expected_to": x.expected_to,
        "delivered_at": x.delivered_at,
        "events": [{"at": e.at, "code": e.code, "location": e.location, "description": e.description}
                   for e in x.events.all()],
    }


def order_items(o: Order) -> list[dict[str, Any]]:
    return [{"product_number": i.product_number, "title_ar": i.title_ar, "title_en": i.title_en,
             "quantity": i.quantity, "unit_price": i.unit_price} for i in o.items.order_by("id")]


def order(o: Order) -> dict[str, Any]:
    payments = list(o.payments.select_related("order").order_by("submitted_at", "id"))
    refs = _refs(RefKind.PAYMENT, [p.pk for p in payments])
    return {
        "order_number": o.order_number, "customer": o.customer.external_ref, "seller": o.seller.external_ref,
        "market": o.market, "status": o.status, "closed_reason": o.closed_reason, "currency": o.currency,
        "items_total": o.items_total, "shipping_fee": o.shipping_fee, "placed_at": o.placed_at,
        "confirmed_at": o.confirmed_at, "processing_deadline": o.processing_deadline,
        "shipping_address": o.shipping_address, "archived": o.archived, "items": order_items(o),
        "status_history": [{"old_status": c.old_status, "new_status": c.new_status, "at": c.at, "actor": c.actor,
                            "note": c.note} for c in o.status_history.all()],
        "payments": [payment(p, refs.get(p.pk)) for p in payments],
        "shipments": [shipment(x) for x in o.shipments.select_related("order").order_by("shipped_at", "id")],
        "cases": list(o.cases.order_by("id").values_list("id", flat=True)),
    }


def audit(rows: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    return [{"at": r.at, "action": r.action, "old": r.old_value, "new": r.new_value, "actor": r.actor,
             "actor_ref": r.actor_ref, "rule_id": r.rule_id, "reason": r.reason, "data": r.data} for r in rows]


def case(c: Case) -> dict[str, Any]:
    kind = {"return": RefKind.RETURN, "refund": RefKind.REFUND}.get(c.kind)
    return {
        "id": c.pk, "ref": _refs(kind, [c.pk]).get(c.pk) if kind else None, "kind": c.kind, "status": c.status,
        "order_number": c.order.order_number, "customer": c.customer.external_ref, "seller": c.seller.external_ref,
        "market": c.market, "reason": c.reason, "description": c.description, "opened_by": c.opened_by,
        "opened_at": c.opened_at, "updated_at": c.updated_at, "deadline_at": c.deadline_at, "currency": c.currency,
        "amount": c.amount, "approved_at": c.approved_at, "expected_from": c.expected_from,
        "expected_to": c.expected_to, "refunded_at": c.refunded_at, "related_case": c.related_case_id,
        "refund_lines": [{"kind": x.kind, "amount": x.amount, "description": x.description}
                         for x in c.refund_lines.order_by("id")],
        "evidence": [{"kind": e.kind, "value": e.value, "content_type": e.content_type, "size": e.size,
                      "sha256": e.sha256, "submitted_by": e.submitted_by, "submitted_at": e.submitted_at}
                     for e in c.evidence.order_by("submitted_at", "id")],
        "timeline": audit(AuditEvent.objects.filter(subject_type="case", subject_id=c.pk).order_by("at", "id")),
    }


def message(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk, "author": m.author, "text": m.text, "choices": m.choices or [], "choice_id": m.choice_id,
        "intent": m.intent, "confidence": m.confidence, "rule_ids": m.rule_ids or [], "action": m.action or {},
        "client_message_id": m.client_message_id, "reply_to": m.reply_to_id,
        "agent": m.agent.get_username() if m.agent_id else None,
        "attachments": [{"id": a.pk, "kind": a.kind, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                        for a in m.attachments.all()],
        "created_at": m.created_at,
    }


def buyer_message(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk, "author": m.author, "text": m.text, "choices": m.choices or [], "choice_id": m.choice_id,
        "client_message_id": m.client_message_id, "reply_to": m.reply_to_id,
        "attachments": [{"id": a.pk, "kind": a.kind, "content_type": a.content_type, "size": a.size}
                        for a in m.attachments.all()],
        "created_at": m.created_at,
    }


def handoff(h: Handoff) -> dict[str, Any]:
    return {
        "id": h.pk, "conversation": h.conversation_id, "order_number": h.order.order_number if h.order_id else None,
        "queue": h.queue, "priority": h.priority, "reason": h.reason, "rule_id": h.rule_id, "summary": h.summary,
        "summary_text": h.summary_text, "status": h.status,
        "assigned_to": h.assigned_to.get_username() if h.assigned_to_id else None,
        "created_at": h.created_at, "due_at": h.due_at, "first_reply_at": h.first_reply_at,
        "resolved_at": h.resolved_at,
    }


def conversation_summary(c: Conversation) -> dict[str, Any]:
    return {"id": c.pk, "customer": c.customer.external_ref if c.customer_id else None, "channel": c.channel,
            "language": c.language, "owner": c.owner, "status": c.status, "created_at": c.created_at,
            "updated_at": c.updated_at}


def conversation(c: Conversation) -> dict[str, Any]:
    messages = c.messages.select_related("agent").prefetch_related("attachments").order_by("id")
    return {
        **conversation_summary(c), "channel_ref": c.channel_ref, "agent": c.agent.get_username() if c.agent_id else None,
        "last_buyer_message_at": c.last_buyer_message_at, "messages": [message(m) for m in messages],
        "handoffs": [handoff(h) for h in c.handoffs.select_related("order", "assigned_to").order_by("id")],
    }


def official_channel(c: OfficialChannel) -> dict[str, Any]:
    return {"market": c.market, "kind": c.kind, "value": c.value, "label_ar": c.label_ar, "label_en": c.label_en,
            "active": c.active}
