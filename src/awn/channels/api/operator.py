"""The operator's endpoints: views parse, authenticate (API key) and delegate to ``records``,
``awn.cases.actions`` or ``awn.helpdesk.services``; they write nothing themselves."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from awn.cases.models import Case
from awn.channels.api import present, records, tokens
from awn.channels.api import schemas as s
from awn.channels.api.errors import ApiError, ErrorOut, not_found
from awn.channels.api.fields import MARKETS, REF_PATTERN, clean_identifier, normalize_order_number
from awn.core import clock
from awn.core.models import Actor
from awn.helpdesk import services
from awn.helpdesk.models import Conversation, Handoff, OfficialChannel
from awn.marketplace.models import Customer, Order, Product

router = Router()

COMMON = (400, 401, 413, 422)


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The documented responses of an operation: its successes and every error it can answer."""
    return {**ok, **{code: ErrorOut for code in sorted({*COMMON, *errors})}}


def _key(request: HttpRequest) -> str:
    return str(request.auth.name)  # type: ignore[attr-defined]


def _status(result: records.Upserted) -> int:
    return 201 if result.created else 200


def _path_ref(value: str, what: str) -> str:
    clean = clean_identifier(value)
    if not REF_PATTERN.match(clean):
        message = f"not a valid {what}: letters, digits and . _ : @ - (at most 64)"
        raise ApiError(422, "validation_error", message,
                       fields=[{"field": what, "location": "path", "type": "value_error", "message": message}])
    return clean


def _path_order(value: str) -> str:
    try:
        return normalize_order_number(value)
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc),
                       fields=[{"field": "order_number", "location": "path", "type": "value_error", "message": str(exc)}]) from exc


def _path_market(value: str) -> str:
    market = value.strip().upper()
    if market not in MARKETS:
        raise ApiError(404, "market_not_found", f"Awn serves {', '.join(MARKETS)}")
    return market


# --------------------------------------------------------------------------- records


@router.put("/customers/{external_ref}", response=responses({200: s.CustomerOut, 201: s.CustomerOut}, 409),
            summary="Create or update a customer and their logins")
def put_customer(request: HttpRequest, external_ref: str, body: s.CustomerIn) -> Status[Any]:
    result = records.upsert_customer(_path_ref(external_ref, "external_ref"), body, key=_key(request))
    return Status(_status(result), present.customer(result.obj))


@router.get("/customers/{external_ref}", response=responses({200: s.CustomerOut}, 404))
def get_customer(request: HttpRequest, external_ref: str) -> Any:
    customer = Customer.objects.filter(external_ref=_path_ref(external_ref, "external_ref")).first()
    if customer is None:
        raise not_found("customer")
    return present.customer(customer)


@router.put("/sellers/{external_ref}", response=responses({200: s.SellerOut, 201: s.SellerOut}))
def put_seller(request: HttpRequest, external_ref: str, body: s.SellerIn) -> Status[Any]:
    result = records.upsert_seller(_path_ref(external_ref, "external_ref"), body, key=_key(request))
    return Status(_status(result), present.seller(result.obj))


@router.put("/products/{product_number}", response=responses({200: s.ProductOut, 201: s.ProductOut}))
def put_product(request: HttpRequest, product_number: str, body: s.ProductIn) -> Status[Any]:
    result = records.upsert_product(_path_ref(product_number, "product_number"), body, key=_key(request))
    return Status(_status(result), present.product(result.obj))


@router.get("/products/{product_number}", response=responses({200: s.ProductOut}, 404))
def get_product(request: HttpRequest, product_number: str) -> Any:
    product = Product.objects.select_related("seller").filter(
        product_number=_path_ref(product_number, "product_number")).first()
    if product is None:
        raise not_found("product")
    return present.product(product)


@router.put("/orders/{order_number}", response=responses({200: s.OrderOut, 201: s.OrderOut}),
            summary="Create or update an order (status changes go to its history and the audit log)")
def put_order(request: HttpRequest, order_number: str, body: s.OrderIn) -> Status[Any]:
    result = records.upsert_order(_path_order(order_number), body, key=_key(request))
    return Status(_status(result), present.order(_order(result.obj.order_number)))


def _order(number: str) -> Order:
    order = Order.objects.select_related("customer", "seller").filter(order_number=number).first()
    if order is None:
        raise not_found("order")
    return order


@router.get("/orders/{order_number}", response=responses({200: s.OrderOut}, 404))
def get_order(request: HttpRequest, order_number: str) -> Any:
    return present.order(_order(_path_order(order_number)))


@router.put("/orders/{order_number}/payments/{payment_ref}",
            response=responses({200: s.PaymentOut, 201: s.PaymentOut}, 404, 409),
            summary="A payment submitted for verification, and the bank's verdict")
def put_payment(request: HttpRequest, order_number: str, payment_ref: str, body: s.PaymentIn) -> Status[Any]:
    ref = _path_ref(payment_ref, "payment_ref")
    result = records.upsert_payment(_path_order(order_number), ref, body, key=_key(request))
    return Status(_status(result), present.payment(result.obj, ref))


@router.put("/orders/{order_number}/shipments/{tracking_number}",
            response=responses({200: s.ShipmentOut, 201: s.ShipmentOut}, 404, 409),
            summary="The order handed to a carrier, and the carrier's tracking events")
def put_shipment(request: HttpRequest, order_number: str, tracking_number: str, body: s.ShipmentIn) -> Status[Any]:
    result = records.upsert_shipment(_path_order(order_number), _path_ref(tracking_number, "tracking_number"), body,
                                     key=_key(request))
    return Status(_status(result), present.shipment(result.obj))


@router.post("/orders/{order_number}/seller-messages", response=responses({200: s.SellerThreadOut}, 404),
             summary="Mirror the buyer–seller messages of an order (duplicates are skipped)")
def post_seller_messages(request: HttpRequest, order_number: str, body: s.SellerMessagesIn) -> Any:
    thread, added = records.add_seller_messages(_path_order(order_number), body, key=_key(request))
    return {"order_number": thread.order.order_number, "last_buyer_message_at": thread.last_buyer_message_at,
            "last_seller_message_at": thread.last_seller_message_at, "messages": thread.messages.count(),
            "added": added}


@router.put("/orders/{order_number}/returns/{return_ref}", response=responses({200: s.CaseOut, 201: s.CaseOut}, 404, 409),
            summary="A return, moved forward to the status sent (requested → approved → in_transit → received)")
def put_return(request: HttpRequest, order_number: str, return_ref: str, body: s.ReturnIn) -> Status[Any]:
    result = records.upsert_return(_path_order(order_number), _path_ref(return_ref, "return_ref"), body,
                                   key=_key(request))
    return Status(_status(result), present.case(_case(result.obj.pk)))


@router.put("/orders/{order_number}/refunds/{refund_ref}", response=responses({200: s.CaseOut, 201: s.CaseOut}, 404, 409),
            summary="An itemised refund approved, and later paid out")
def put_refund(request: HttpRequest, order_number: str, refund_ref: str, body: s.RefundIn) -> Status[Any]:
    result = records.upsert_refund(_path_order(order_number), _path_ref(refund_ref, "refund_ref"), body,
                                   key=_key(request))
    return Status(_status(result), present.case(_case(result.obj.pk)))


@router.put("/markets/{market}/official-channels", response=responses({200: list[s.OfficialChannelOut]}, 404),
            summary="The market's official contact channels: the only ones the assistant quotes")
def put_official_channels(request: HttpRequest, market: str, body: s.OfficialChannelsIn) -> Any:
    channels = records.set_official_channels(_path_market(market), body, key=_key(request))
    return [present.official_channel(c) for c in channels]


@router.get("/markets/{market}/official-channels", response=responses({200: list[s.OfficialChannelOut]}, 404))
def get_official_channels(request: HttpRequest, market: str) -> Any:
    qs = OfficialChannel.objects.filter(market=_path_market(market)).order_by("kind", "value")
    return [present.official_channel(c) for c in qs]


@router.post("/chat-tokens", response=responses({201: s.ChatTokenOut}),
             summary="A short-lived token for a buyer your site has signed in (for the web chat or your app)")
def post_chat_token(request: HttpRequest, body: s.ChatTokenIn) -> Status[Any]:
    customer = Customer.objects.filter(external_ref=body.customer).first()
    if customer is None:
        raise ApiError(422, "customer_not_found", f"no customer {body.customer!r}", field="customer")
    minted = tokens.mint(customer, ttl=timedelta(seconds=body.ttl_seconds))
    return Status(201, {"token": minted.token, "customer": customer.external_ref, "expires_at": minted.expires_at})


# --------------------------------------------------------------------------- reading


class ListQuery(Schema):
    limit: int = 50
    before: int | None = None


def _page(qs: Any, query: ListQuery, present_one: Any) -> dict[str, Any]:
    limit = max(1, min(query.limit, 200))
    if query.before is not None:
        qs = qs.filter(pk__lt=query.before)
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [present_one(r) for r in rows], "next_before": rows[-1].pk if more and rows else None}


class ConversationQuery(ListQuery):
    customer: str | None = None
    status: str | None = None
    channel: str | None = None


@router.get("/conversations", response=responses({200: s.ConversationPage}))
def list_conversations(request: HttpRequest, query: Query[ConversationQuery]) -> Any:
    qs = Conversation.objects.select_related("customer")
    if query.customer:
        qs = qs.filter(customer__external_ref=clean_identifier(query.customer))
    if query.status:
        qs = qs.filter(status=query.status)
    if query.channel:
        qs = qs.filter(channel=query.channel)
    return _page(qs, query, present.conversation_summary)


def _conversation(pk: int) -> Conversation:
    conversation = Conversation.objects.select_related("customer", "agent").filter(pk=pk).first()
    if conversation is None:
        raise not_found("conversation")
    return conversation


@router.get("/conversations/{conversation_id}", response=responses({200: s.ConversationOut}, 404))
def get_conversation(request: HttpRequest, conversation_id: int) -> Any:
    return present.conversation(_conversation(conversation_id))


class HandoffQuery(ListQuery):
    status: str | None = None
    queue: str | None = None


@router.get("/handoffs", response=responses({200: s.HandoffPage}))
def list_handoffs(request: HttpRequest, query: Query[HandoffQuery]) -> Any:
    qs = Handoff.objects.select_related("order", "assigned_to")
    if query.status:
        qs = qs.filter(status=query.status)
    if query.queue:
        qs = qs.filter(queue=query.queue)
    return _page(qs, query, present.handoff)


class CaseQuery(ListQuery):
    order: str | None = None
    customer: str | None = None
    kind: str | None = None
    status: str | None = None


def _case(pk: int) -> Case:
    case = Case.objects.select_related("order", "customer", "seller").filter(pk=pk).first()
    if case is None:
        raise not_found("case")
    return case


@router.get("/cases", response=responses({200: s.CasePage}))
def list_cases(request: HttpRequest, query: Query[CaseQuery]) -> Any:
    qs = Case.objects.select_related("order", "customer", "seller")
    if query.order:
        qs = qs.filter(order__order_number=_path_order(query.order))
    if query.customer:
        qs = qs.filter(customer__external_ref=clean_identifier(query.customer))
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.status:
        qs = qs.filter(status=query.status)
    return _page(qs, query, present.case)


@router.get("/cases/{case_id}", response=responses({200: s.CaseOut}, 404),
            summary="A case with its refund lines, evidence and audit timeline")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return present.case(_case(case_id))


# --------------------------------------------------------------------------- agents (until their console exists)


def _agent(username: str) -> Any:
    agent = get_user_model().objects.filter(username=username, is_active=True, is_staff=True).first()
    if agent is None:
        raise ApiError(422, "agent_not_found", f"no active staff user {username!r}", field="agent")
    return agent


def whatsapp_window(conversation: Conversation) -> dict[str, Any] | None:
    """WhatsApp's customer-service window for this conversation, when the WhatsApp channel is installed.

    Outside the 24 hours after the buyer's last message only approved templates may be sent, so a
    free-text agent reply must be refused there rather than fail at Meta."""
    if conversation.channel != "whatsapp":
        return None
    try:
        window = importlib.import_module("awn.channels.whatsapp.window")
    except ImportError:
        return None
    state = window.window_state(conversation, clock.now())
    return dict(state) if state is not None else None


@router.post("/conversations/{conversation_id}/agent-messages", response=responses({201: s.AgentReplyOut}, 404, 409),
             summary="An agent's reply (takes the conversation over: the assistant goes silent)")
def post_agent_message(request: HttpRequest, conversation_id: int, body: s.AgentReplyIn) -> Status[Any]:
    conversation = _conversation(conversation_id)
    agent = _agent(body.agent)
    window = whatsapp_window(conversation)
    if window is not None and not window.get("open"):
        raise ApiError(409, "outside_customer_service_window",
                       "WhatsApp's 24-hour customer-service window is closed: only approved templates can go out",
                       closes_at=window.get("closes_at"))
    message = services.post_agent_message(conversation, agent, body.text)
    return Status(201, {"message": present.message(message), "whatsapp_window": window})


@router.post("/conversations/{conversation_id}/take-over", response=responses({200: s.ConversationOut}, 404))
def post_take_over(request: HttpRequest, conversation_id: int, body: s.AgentIn) -> Any:
    conversation = services.take_over(_conversation(conversation_id), _agent(body.agent))
    return present.conversation(_conversation(conversation.pk))


@router.post("/conversations/{conversation_id}/hand-back", response=responses({200: s.ConversationOut}, 404),
             summary="The agent is done: open handoffs are resolved and the assistant answers again")
def post_hand_back(request: HttpRequest, conversation_id: int, body: s.AgentIn) -> Any:
    conversation = services.hand_back(_conversation(conversation_id), _agent(body.agent))
    return present.conversation(_conversation(conversation.pk))




# A WhatsApp number Awn could not match to an account (issue 5, item 5) is linked by an agent here.
LINK_STATUS = {"already_linked": 409, "identity_taken": 409, "not_whatsapp": 409}


@router.post("/conversations/{conversation_id}/link", response=responses({200: s.ConversationOut}, 404, 409),
             summary="Link an unlinked WhatsApp conversation (and its number) to a customer; idempotent, audited")
def post_link(request: HttpRequest, conversation_id: int, body: s.LinkIn) -> Any:
    from awn.channels.whatsapp.linking import LinkError, link_conversation

    conversation = _conversation(conversation_id)
    customer = Customer.objects.filter(external_ref=body.customer_ref).first()
    if customer is None:
        raise not_found("customer", field="customer_ref")
    if body.agent is not None:
        actor, actor_ref = Actor.AGENT, _agent(body.agent).username
    else:
        actor, actor_ref = Actor.OPERATOR, _key(request)
    try:
        link_conversation(conversation, customer, actor=actor, actor_ref=actor_ref, now=clock.now())
    except LinkError as exc:
        raise ApiError(LINK_STATUS.get(exc.code, 409), exc.code, str(exc)) from exc
    return present.conversation(_conversation(conversation.pk))
