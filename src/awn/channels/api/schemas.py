"""Typed request and response bodies of the operator and buyer APIs (the OpenAPI schema's source)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from awn.channels.api.fields import (
    Amount,
    Country,
    Currency,
    Market,
    ProductNumber,
    Ref,
    Timezone,
    name,
    text,
)
from awn.helpdesk.services import MAX_TEXT

Name100 = name(100)
Name200 = name(200)
Name300 = name(300)
Text64 = text(64)
Text100 = text(100)
Text200 = text(200)
Text300 = text(300)
Text2000 = text(2000)
Lang = Literal["ar", "en"]
OrderStatusValue = Literal["pending_payment", "confirmed", "processing", "shipped", "delivered", "cancelled", "closed"]
PaymentMethodValue = Literal["card", "apple_pay", "bank_transfer", "wallet", "installments", "cod"]


class In(Schema):
    """Request bodies refuse unknown fields: a misspelt ``client_message_id`` must not silently
    turn a safe retry into a second message."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- records the operator sends


class IdentityIn(In):
    kind: Literal["email", "phone", "whatsapp"]
    value: str = Field(min_length=1, max_length=254, description="normalised: E.164 phones (Arabic-Indic digits accepted), lower-case email")
    verified: bool = False


class CustomerIn(In):
    display_name: Name200
    market: Market
    preferred_language: Lang = "ar"
    timezone: Timezone = ""
    identities: list[IdentityIn] | None = Field(
        default=None, max_length=20, description="the full set of the buyer's logins; omitted: unchanged")


class IdentityOut(Schema):
    kind: str
    value: str
    verified: bool


class CustomerOut(Schema):
    external_ref: str
    display_name: str
    market: str
    preferred_language: str
    timezone: str
    identities: list[IdentityOut]
    created_at: datetime


class SellerIn(In):
    name: Name200
    country: Country
    timezone: Timezone = Field(min_length=1)


class SellerOut(Schema):
    external_ref: str
    name: str
    country: str
    timezone: str


class ProductIn(In):
    seller: Ref
    title_ar: Name300
    title_en: Name300
    price: Amount
    currency: Currency


class ProductOut(Schema):
    product_number: str
    seller: str
    title_ar: str
    title_en: str
    price: Amount
    currency: str


class OrderItemIn(In):
    product_number: ProductNumber
    quantity: int = Field(default=1, ge=1, le=10_000)
    unit_price: Amount | None = Field(default=None, description="default: the product's price")


class OrderIn(In):
    customer: Ref
    seller: Ref
    market: Market | None = Field(default=None, description="default: the customer's market")
    status: OrderStatusValue
    status_note: Text300 = ""
    status_changed_at: AwareDatetime | None = Field(default=None, description="default: now")
    closed_reason: Literal["", "payment_failed", "out_of_stock", "seller_delay"] = ""
    currency: Currency
    shipping_fee: Amount = Decimal("0.00")
    placed_at: AwareDatetime
    confirmed_at: AwareDatetime | None = None
    processing_deadline: AwareDatetime | None = None
    shipping_address: dict[str, str] = Field(default_factory=dict)
    archived: bool = False
    items: list[OrderItemIn] | None = Field(default=None, min_length=1, max_length=500,
                                            description="required when creating; omitted on update: unchanged")


class OrderItemOut(Schema):
    product_number: str
    title_ar: str
    title_en: str
    quantity: int
    unit_price: Amount


class StatusChangeOut(Schema):
    old_status: str
    new_status: str
    at: datetime
    actor: str
    note: str


class PaymentIn(In):
    method: PaymentMethodValue
    amount: Amount
    submitted_at: AwareDatetime
    verification: Literal["pending", "verified", "failed"] = "pending"
    verified_at: AwareDatetime | None = Field(default=None, description="when the bank decided; default: now")
    outcome: Text200 = ""
    processing_deadline: AwareDatetime | None = Field(default=None, description="for a verified payment: ship by")


class PaymentOut(Schema):
    ref: str | None
    order_number: str
    method: str
    amount: Amount
    currency: str
    submitted_at: datetime
    verification_status: str
    verified_at: datetime | None
    outcome: str
    escalate_at: datetime | None


class TrackingEventIn(In):
    at: AwareDatetime
    code: Literal["picked_up", "in_transit", "customs", "out_for_delivery", "delivered", "exception"]
    location: Text200 = ""
    description: Text300 = ""


class ShipmentIn(In):
    carrier: Name100
    shipped_at: AwareDatetime | None = Field(default=None, description="default: now")
    expected_from: AwareDatetime
    expected_to: AwareDatetime
    events: list[TrackingEventIn] = Field(default_factory=list, max_length=200)


class TrackingEventOut(Schema):
    at: datetime
    code: str
    location: str
    description: str


class ShipmentOut(Schema):
    order_number: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    expected_from: datetime
    expected_to: datetime
    delivered_at: datetime | None
    events: list[TrackingEventOut]


class SellerMessageIn(In):
    author: Literal["buyer", "seller"]
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="stored as written")
    sent_at: AwareDatetime


class SellerMessagesIn(In):
    messages: list[SellerMessageIn] = Field(min_length=1, max_length=200)


class SellerThreadOut(Schema):
    order_number: str
    last_buyer_message_at: datetime | None
    last_seller_message_at: datetime | None
    messages: int
    added: int


class ReturnIn(In):
    status: Literal["requested", "approved", "in_transit", "received"]
    amount: Amount | None = Field(default=None, description="value of the items returned; default: the items' total")
    description: Text2000 = ""
    carrier: Text100 = ""
    tracking_number: Text64 = ""
    free_return: bool = False
    at: AwareDatetime | None = Field(default=None, description="when this status was reached; default: now")


class RefundLineIn(In):
    kind: Literal["item", "shipping", "negotiated_partial", "customs", "logistics_fee", "separate_shipping",
                  "partial_return"]
    amount: Amount
    description: Text300 = ""


class RefundIn(In):
    lines: list[RefundLineIn] = Field(min_length=1, max_length=50)
    status: Literal["approved", "completed"] = "approved"
    related_case: int | None = None
    approved_at: AwareDatetime | None = Field(default=None, description="default: now")
    completed_at: AwareDatetime | None = Field(default=None, description="when the money was sent; default: now")


class OfficialChannelIn(In):
    kind: Literal["whatsapp", "phone", "email", "help_center", "live_chat"]
    value: str = Field(min_length=1, max_length=254)
    label_ar: Text200 = ""
    label_en: Text200 = ""
    active: bool = True


class OfficialChannelsIn(In):
    channels: list[OfficialChannelIn] = Field(max_length=50)


class OfficialChannelOut(Schema):
    market: str
    kind: str
    value: str
    label_ar: str
    label_en: str
    active: bool


class ChatTokenIn(In):
    customer: Ref
    ttl_seconds: int = Field(default=1800, ge=60, le=43_200)


class ChatTokenOut(Schema):
    token: str
    customer: str
    expires_at: datetime


# --------------------------------------------------------------------------- reading


class AuditOut(Schema):
    at: datetime
    action: str
    old: str
    new: str
    actor: str
    actor_ref: str
    rule_id: str
    reason: str
    data: dict[str, Any]


class RefundLineOut(Schema):
    kind: str
    amount: Amount
    description: str


class EvidenceOut(Schema):
    kind: str
    value: str
    content_type: str
    size: int
    sha256: str
    submitted_by: str
    submitted_at: datetime


class CaseOut(Schema):
    id: int
    ref: str | None
    kind: str
    status: str
    order_number: str
    customer: str
    seller: str
    market: str
    reason: str
    description: str
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    deadline_at: datetime | None
    currency: str
    amount: Amount | None
    approved_at: datetime | None
    expected_from: datetime | None
    expected_to: datetime | None
    refunded_at: datetime | None
    related_case: int | None
    refund_lines: list[RefundLineOut]
    evidence: list[EvidenceOut]
    timeline: list[AuditOut]


class OrderOut(Schema):
    order_number: str
    customer: str
    seller: str
    market: str
    status: str
    closed_reason: str
    currency: str
    items_total: Amount
    shipping_fee: Amount
    placed_at: datetime
    confirmed_at: datetime | None
    processing_deadline: datetime | None
    shipping_address: dict[str, Any]
    archived: bool
    items: list[OrderItemOut]
    status_history: list[StatusChangeOut]
    payments: list[PaymentOut]
    shipments: list[ShipmentOut]
    cases: list[int]


class AttachmentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str


class MessageOut(Schema):
    id: int
    author: str
    text: str
    choices: list[dict[str, str]]
    choice_id: str
    intent: str
    confidence: float | None
    rule_ids: list[str]
    action: dict[str, Any]
    client_message_id: str | None
    reply_to: int | None
    agent: str | None
    attachments: list[AttachmentOut]
    created_at: datetime


class HandoffOut(Schema):
    id: int
    conversation: int
    order_number: str | None
    queue: str
    priority: int
    reason: str
    rule_id: str
    summary: dict[str, Any]
    summary_text: str
    status: str
    assigned_to: str | None
    created_at: datetime
    due_at: datetime
    first_reply_at: datetime | None
    resolved_at: datetime | None


class ConversationOut(Schema):
    id: int
    customer: str | None
    channel: str
    channel_ref: str
    language: str
    owner: str
    status: str
    agent: str | None
    created_at: datetime
    updated_at: datetime
    last_buyer_message_at: datetime | None
    messages: list[MessageOut]
    handoffs: list[HandoffOut]


class ConversationSummaryOut(Schema):
    id: int
    customer: str | None
    channel: str
    language: str
    owner: str
    status: str
    created_at: datetime
    updated_at: datetime


class Page(Schema):
    next_before: int | None = Field(description="pass as ?before= for the next (older) page; null at the end")


class ConversationPage(Page):
    items: list[ConversationSummaryOut]


class HandoffPage(Page):
    items: list[HandoffOut]


class CasePage(Page):
    items: list[CaseOut]


class AgentIn(In):
    agent: str = Field(min_length=1, max_length=150, description="the agent's username")


class AgentReplyIn(AgentIn):
    text: str = Field(description=f"at most {MAX_TEXT} characters")


class LinkIn(In):
    customer_ref: Ref = Field(description="the customer's external_ref in your order system")
    agent: str | None = Field(default=None, min_length=1, max_length=150,
                              description="the agent's username (audited as actor=agent); omitted: the API key's name "
                                          "(actor=operator)")


class AgentReplyOut(Schema):
    message: MessageOut
    whatsapp_window: dict[str, Any] | None


# --------------------------------------------------------------------------- the buyer's API


class BuyerAttachmentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int


class BuyerMessageOut(Schema):
    id: int
    author: Literal["buyer", "assistant", "agent", "system"]
    text: str
    choices: list[dict[str, str]]
    choice_id: str
    client_message_id: str | None
    reply_to: int | None
    attachments: list[BuyerAttachmentOut]
    created_at: datetime


class BuyerConversationOut(Schema):
    id: int
    channel: str
    language: str
    owner: str
    status: str
    messages: list[BuyerMessageOut]


class BuyerMessagesOut(Schema):
    conversation: int
    language: str
    owner: str
    status: str
    messages: list[BuyerMessageOut]


class StartConversationIn(In):
    language: Lang | None = Field(default=None, description="reply language of a new conversation")
    channel: Literal["web", "api"] = "web"


class SendMessageIn(In):
    text: str = Field(default="", description=f"stored exactly as written; at most {MAX_TEXT} characters")
    choice_id: str = Field(default="", max_length=100, description="the id of a quick-reply choice")
    client_message_id: str | None = Field(default=None, min_length=1, max_length=100,
                                          description="the client's id: the same id twice is one message")


class TurnOut(Schema):
    message: BuyerMessageOut
    replies: list[BuyerMessageOut]
    duplicate: bool


class LanguageIn(In):
    language: str = Field(description="ar or en")


class MeOut(Schema):
    customer: str
    display_name: str
    market: str
    preferred_language: str


class BuyerOrderOut(Schema):
    order_number: str
    status: str
    placed_at: datetime
    currency: str
    total: Amount
    items: list[OrderItemOut]
