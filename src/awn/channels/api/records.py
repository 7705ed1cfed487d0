"""What the operator API writes: idempotent upserts of the records the operator's systems own, and
the relay of its order events to the case actions.

Plain records (customers, identities, sellers, products, orders and their items, tracking events,
buyer–seller messages, official channels) are written here, each change with an audit row
(``actor=operator``, ``actor_ref`` = the API key's name). Anything with rules attached (payments
under verification, shipping, returns, refunds) goes through ``awn.cases.actions``, so the API,
the assistant and the worker share one code path. Every function is safe to call twice with the
same input: the second call changes nothing and writes no audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from awn.cases import actions
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import Case
from awn.cases.transitions import Kind, Status, is_terminal
from awn.channels.api import schemas as s
from awn.channels.api.errors import ApiError
from awn.channels.api.models import OperatorRef, RefKind
from awn.core import clock
from awn.core.audit import record
from awn.core.models import Actor
from awn.helpdesk.models import OfficialChannel
from awn.marketplace.identities import InvalidIdentity, normalize_identity
from awn.marketplace.models import (
    Customer,
    CustomerIdentity,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Payment,
    Product,
    Seller,
    SellerMessage,
    SellerThread,
    Shipment,
    TrackingEvent,
    VerificationStatus,
)

T = TypeVar("T")
OPERATOR = Actor.OPERATOR


@dataclass
class Upserted:
    obj: Any
    created: bool
    changed: bool


def with_retry(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a transaction; if a concurrent request created the same record first (a unique
    constraint fired), run it once more, when it finds that record and updates it instead."""
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError:
        with transaction.atomic():
            return fn()


def _show(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``obj``; return {field: [old, new]} for those that changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_show(old), _show(new)]
            setattr(obj, field, new)
    return changes


def _audit(subject: str, pk: int, action: str, key: str, at: datetime, **data: Any) -> None:
    record(subject, pk, action=action, actor=OPERATOR, actor_ref=key, at=at, data=data)


def _customer(ref: str, field: str = "customer") -> Customer:
    customer = Customer.objects.filter(external_ref=ref).first()
    if customer is None:
        raise ApiError(422, "customer_not_found", f"no customer {ref!r}; create it first", field=field)
    return customer


def _seller(ref: str, field: str = "seller") -> Seller:
    seller = Seller.objects.filter(external_ref=ref).first()
    if seller is None:
        raise ApiError(422, "seller_not_found", f"no seller {ref!r}; create it first", field=field)
    return seller


def locked_order(order_number: str) -> Order:
    order = Order.objects.select_for_update().filter(order_number=order_number).first()
    if order is None:
        raise ApiError(404, "order_not_found", f"no order {order_number}")
    return order


# --------------------------------------------------------------------------- customers, sellers, products


def upsert_customer(ref: str, data: s.CustomerIn, *, key: str) -> Upserted:
    def run() -> Upserted:
        at = clock.now()
        customer = Customer.objects.select_for_update().filter(external_ref=ref).first()
        values = {"display_name": data.display_name, "market": data.market,
                  "preferred_language": data.preferred_language, "timezone": data.timezone}
        created = customer is None
        if customer is None:
            customer = Customer.objects.create(external_ref=ref, created_at=at, **values)
            changes = {k: [None, _show(v)] for k, v in values.items()}
        else:
            changes = _apply(customer, values)
            if changes:
                customer.save(update_fields=list(changes))
        if data.identities is not None:
            identity_changes = _set_identities(customer, data.identities)
            if identity_changes:
                changes["identities"] = identity_changes
        if changes:
            _audit("customer", customer.pk, "created" if created else "updated", key, at, changes=changes)
        return Upserted(customer, created, bool(changes))

    return with_retry(run)


def _set_identities(customer: Customer, identities: list[s.IdentityIn]) -> list[str]:
    wanted: dict[tuple[str, str], bool] = {}
    for i, identity in enumerate(identities):
        try:
            value = normalize_identity(identity.kind, identity.value, region=customer.market)
        except InvalidIdentity as exc:
            raise ApiError(422, "invalid_identity", str(exc), field=f"identities.{i}.value") from exc
        wanted[(identity.kind, value)] = wanted.get((identity.kind, value), False) or identity.verified
    taken = (CustomerIdentity.objects.exclude(customer=customer)
             .filter(kind__in={k for k, _ in wanted}, value__in={v for _, v in wanted}))
    for other in taken:
        if (other.kind, other.value) in wanted:
            raise ApiError(409, "identity_taken", f"{other.kind} {other.value} belongs to another customer",
                           field="identities", kind=other.kind, value=other.value)
    have = {(i.kind, i.value): i for i in customer.identities.all()}
    changes: list[str] = []
    for pair, identity in have.items():
        if pair not in wanted:
            identity.delete()
            changes.append(f"-{pair[0]}:{pair[1]}")
    for pair, verified in wanted.items():
        existing = have.get(pair)
        if existing is None:
            CustomerIdentity.objects.create(customer=customer, kind=pair[0], value=pair[1], verified=verified)
            changes.append(f"+{pair[0]}:{pair[1]}")
        elif existing.verified != verified:
            existing.verified = verified
            existing.save(update_fields=["verified"])
            changes.append(f"{'+' if verified else '-'}verified {pair[0]}:{pair[1]}")
    return changes


def upsert_seller(ref: str, data: s.SellerIn, *, key: str) -> Upserted:
    def run() -> Upserted:
        at = clock.now()
        values = {"name": data.name, "country": data.country, "timezone": data.timezone}
        seller = Seller.objects.select_for_update().filter(external_ref=ref).first()
        if seller is None:
            seller = Seller.objects.create(external_ref=ref, **values)
            _audit("seller", seller.pk, "created", key, at, changes={k: [None, v] for k, v in values.items()})
            return Upserted(seller, True, True)
        changes = _apply(seller, values)
        if changes:
            seller.save(update_fields=list(changes))
            _audit("seller", seller.pk, "updated", key, at, changes=changes)
        return Upserted(seller, False, bool(changes))

    return with_retry(run)


def upsert_product(number: str, data: s.ProductIn, *, key: str) -> Upserted:
    def run() -> Upserted:
        at = clock.now()
        values = {"seller": _seller(data.seller), "title_ar": data.title_ar, "title_en": data.title_en,
                  "price": data.price, "currency": data.currency}
        product = Product.objects.select_for_update().filter(product_number=number).first()
        if product is None:
            product = Product.objects.create(product_number=number, **values)
            _audit("product", product.pk, "created", key, at,
                   changes={k: [None, _show(v) if k != "seller" else data.seller] for k, v in values.items()})
            return Upserted(product, True, True)
        changes = _apply(product, values)
        if "seller" in changes:
            changes["seller"] = [str(changes["seller"][0]), data.seller]
        if changes:
            product.save(update_fields=list(changes))
            _audit("product", product.pk, "updated", key, at, changes=changes)
        return Upserted(product, False, bool(changes))

    return with_retry(run)


# --------------------------------------------------------------------------- orders


def upsert_order(number: str, data: s.OrderIn, *, key: str) -> Upserted:
    """Create or update an order as the operator's system sees it. A status change is recorded in
    the order's status history and the audit log; items are replaced only when sent."""

    def run() -> Upserted:
        at = clock.now()
        customer = _customer(data.customer)
        seller = _seller(data.seller)
        if (data.status == OrderStatus.CLOSED) != bool(data.closed_reason):
            raise ApiError(422, "closed_reason_mismatch", "closed_reason is required for a closed order, and only then",
                           field="closed_reason")
        order = Order.objects.select_for_update().filter(order_number=number).first()
        if order is None and data.items is None:
            raise ApiError(422, "items_required", "a new order needs its items", field="items")
        items = _resolve_items(data.items) if data.items is not None else None
        values: dict[str, Any] = {
            "customer": customer, "seller": seller, "market": data.market or customer.market,
            "closed_reason": data.closed_reason, "currency": data.currency, "shipping_fee": data.shipping_fee,
            "placed_at": data.placed_at, "confirmed_at": data.confirmed_at,
            "processing_deadline": data.processing_deadline, "shipping_address": data.shipping_address,
            "archived": data.archived,
        }
        if items is not None:
            values["items_total"] = sum((price * qty for _, qty, price in items), Decimal("0.00"))
        changed_at = data.status_changed_at or at
        if order is None:
            order = Order.objects.create(order_number=number, status=data.status, **values)
            _replace_items(order, items or [])
            OrderStatusChange.objects.create(order=order, new_status=data.status, at=changed_at, actor=OPERATOR,
                                             note=data.status_note)
            _audit("order", order.pk, "created", key, at, status=data.status, items=len(items or []))
            return Upserted(order, True, True)
        changes = _apply(order, values)
        for field in ("customer", "seller"):
            if field in changes:
                changes[field] = [str(changes[field][0]), str(changes[field][1])]
        if items is not None and _item_rows(order) != [(p.product_number, q, pr) for p, q, pr in items]:
            _replace_items(order, items)
            changes["items"] = ["replaced", str(len(items))]
        if changes:
            order.save()
            _audit("order", order.pk, "updated", key, at, changes=changes)
        if order.status != data.status:
            old = order.status
            order.status = data.status
            order.save(update_fields=["status", "updated_at"])
            OrderStatusChange.objects.create(order=order, old_status=old, new_status=data.status, at=changed_at,
                                             actor=OPERATOR, note=data.status_note)
            record("order", order.pk, action="status", old=old, new=data.status, actor=OPERATOR, actor_ref=key,
                   at=changed_at, reason=data.status_note)
            changes["status"] = [old, data.status]
        return Upserted(order, False, bool(changes))

    return with_retry(run)


def _resolve_items(items: list[s.OrderItemIn]) -> list[tuple[Product, int, Decimal]]:
    numbers = {item.product_number for item in items}
    products = {p.product_number: p for p in Product.objects.filter(product_number__in=numbers)}
    resolved = []
    for i, item in enumerate(items):
        product = products.get(item.product_number)
        if product is None:
            raise ApiError(422, "product_not_found", f"no product {item.product_number!r}; create it first",
                           field=f"items.{i}.product_number")
        resolved.append((product, item.quantity, item.unit_price if item.unit_price is not None else product.price))
    return resolved


def _item_rows(order: Order) -> list[tuple[str, int, Decimal]]:
    return [(i.product_number, i.quantity, i.unit_price) for i in order.items.order_by("id")]


def _replace_items(order: Order, items: list[tuple[Product, int, Decimal]]) -> None:
    order.items.all().delete()
    OrderItem.objects.bulk_create(
        OrderItem(order=order, product=p, product_number=p.product_number, title_ar=p.title_ar, title_en=p.title_en,
                  quantity=q, unit_price=price) for p, q, price in items
    )


# --------------------------------------------------------------------------- payments


def _ref_object(kind: str, ref: str) -> int | None:
    return OperatorRef.objects.filter(kind=kind, external_ref=ref).values_list("object_id", flat=True).first()


def _bind_ref(kind: str, ref: str, object_id: int) -> None:
    OperatorRef.objects.create(kind=kind, external_ref=ref, object_id=object_id, created_at=clock.now())


def upsert_payment(order_number: str, ref: str, data: s.PaymentIn, *, key: str) -> Upserted:
    """A payment submitted (→ ``submit_payment``, which schedules its escalation) and, when the bank
    has decided, its verification (→ ``settle_payment``, which confirms or closes the order)."""

    def run() -> Upserted:
        order = locked_order(order_number)
        payment_id = _ref_object(RefKind.PAYMENT, ref)
        created = payment_id is None
        if payment_id is None:
            payment = actions.submit_payment(order, method=data.method, amount=data.amount,
                                             submitted_at=data.submitted_at, actor=OPERATOR)
            _bind_ref(RefKind.PAYMENT, ref, payment.pk)
        else:
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.order_id != order.pk:
                raise ApiError(409, "conflicting_update", f"payment {ref!r} belongs to another order", field="ref")
            differs = [f for f, v in (("method", data.method), ("amount", data.amount),
                                      ("submitted_at", data.submitted_at)) if getattr(payment, f) != v]
            if differs:
                raise ApiError(409, "conflicting_update", "a submitted payment's method, amount and time cannot change",
                               fields=differs)
        changed = created
        if data.verification != payment.verification_status:
            if data.verification == VerificationStatus.PENDING:
                raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED,
                                  f"payment already {payment.verification_status}")
            payment = actions.settle_payment(payment, verified=data.verification == VerificationStatus.VERIFIED,
                                             outcome=data.outcome, actor=OPERATOR,
                                             processing_deadline=data.processing_deadline, now=data.verified_at)
            changed = True
        return Upserted(payment, created, changed)

    return with_retry(run)


# --------------------------------------------------------------------------- shipments


def upsert_shipment(order_number: str, tracking_number: str, data: s.ShipmentIn, *, key: str) -> Upserted:
    """The order handed to a carrier (→ ``ship_order``) and the carrier's tracking events. A
    ``delivered`` event marks the shipment and the order delivered."""
    if data.expected_to < data.expected_from:
        raise ApiError(422, "invalid_window", "expected_to is before expected_from", field="expected_to")

    def run() -> Upserted:
        at = clock.now()
        order = locked_order(order_number)
        shipment = Shipment.objects.filter(order=order, tracking_number=tracking_number).first()
        created = shipment is None
        changed = created
        if shipment is None:
            if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                # The status already says shipped (sent with the order): record the parcel itself.
                shipment = Shipment.objects.create(
                    order=order, carrier=data.carrier, tracking_number=tracking_number,
                    shipped_at=data.shipped_at or at, expected_from=data.expected_from, expected_to=data.expected_to)
                _audit("shipment", shipment.pk, "created", key, at, order=order.order_number)
            else:
                shipment = actions.ship_order(order, carrier=data.carrier, tracking_number=tracking_number,
                                              expected_from=data.expected_from, expected_to=data.expected_to,
                                              actor=OPERATOR, now=data.shipped_at)
        else:
            changes = _apply(shipment, {"carrier": data.carrier, "expected_from": data.expected_from,
                                        "expected_to": data.expected_to})
            if changes:
                shipment.save(update_fields=list(changes))
                _audit("shipment", shipment.pk, "updated", key, at, changes=changes)
                changed = True
        have = set(shipment.events.values_list("at", "code"))
        for event in sorted(data.events, key=lambda e: e.at):
            if (event.at, event.code) in have:
                continue
            TrackingEvent.objects.create(shipment=shipment, at=event.at, code=event.code, location=event.location,
                                         description=event.description)
            have.add((event.at, event.code))
            changed = True
            if event.code == "delivered":
                _mark_delivered(order, shipment, event.at, key=key)
        return Upserted(shipment, created, changed)

    return with_retry(run)


def _mark_delivered(order: Order, shipment: Shipment, at: datetime, *, key: str) -> None:
    if shipment.delivered_at is None:
        shipment.delivered_at = at
        shipment.save(update_fields=["delivered_at"])
    if order.status == OrderStatus.SHIPPED:
        order.status = OrderStatus.DELIVERED
        order.save(update_fields=["status", "updated_at"])
        OrderStatusChange.objects.create(order=order, old_status=OrderStatus.SHIPPED, new_status=OrderStatus.DELIVERED,
                                         at=at, actor=OPERATOR, note=f"carrier: delivered ({shipment.tracking_number})")
        record("order", order.pk, action="status", old=OrderStatus.SHIPPED, new=OrderStatus.DELIVERED,
               actor=OPERATOR, actor_ref=key, at=at)


# --------------------------------------------------------------------------- buyer ↔ seller messages


def add_seller_messages(order_number: str, data: s.SellerMessagesIn, *, key: str) -> tuple[SellerThread, int]:
    """Mirror the buyer–seller thread (seller.reply_window reads its timestamps). A message already
    mirrored (same author, time and text) is skipped."""

    def run() -> tuple[SellerThread, int]:
        order = locked_order(order_number)
        thread, _ = SellerThread.objects.get_or_create(order=order)
        have = set(thread.messages.values_list("author", "sent_at", "text"))
        added = 0
        for m in sorted(data.messages, key=lambda m: m.sent_at):
            if (m.author, m.sent_at, m.text) in have:
                continue
            SellerMessage.objects.create(thread=thread, author=m.author, text=m.text, sent_at=m.sent_at)
            have.add((m.author, m.sent_at, m.text))
            added += 1
            field = "last_buyer_message_at" if m.author == "buyer" else "last_seller_message_at"
            current = getattr(thread, field)
            if current is None or m.sent_at > current:
                setattr(thread, field, m.sent_at)
        if added:
            thread.save()
            _audit("order", order.pk, "seller_messages", key, clock.now(), added=added)
        return thread, added

    return with_retry(run)


# --------------------------------------------------------------------------- returns and refunds

RETURN_STEPS = [Status.REQUESTED, Status.APPROVED, Status.IN_TRANSIT, Status.RECEIVED]


def upsert_return(order_number: str, ref: str, data: s.ReturnIn, *, key: str) -> Upserted:
    """Move the return named ``ref`` forward to ``data.status`` through the return actions
    (request → approve → ship back, which starts the 17-day automatic refund → received).
    A return the buyer opened through the assistant is adopted when the operator first names it."""

    def run() -> Upserted:
        order = locked_order(order_number)
        case_id = _ref_object(RefKind.RETURN, ref)
        created = False
        if case_id is None:
            case = _adoptable(order, Kind.RETURN)
            if case is None:
                case = actions.request_return(order, amount=data.amount, description=data.description,
                                              actor=OPERATOR, now=data.at)
                created = True
            _bind_ref(RefKind.RETURN, ref, case.pk)
        else:
            case = Case.objects.get(pk=case_id)
            if case.order_id != order.pk:
                raise ApiError(409, "conflicting_update", f"return {ref!r} belongs to another order", field="ref")
        changed = created
        target = Status(data.status)
        if case.status not in RETURN_STEPS or RETURN_STEPS.index(Status(case.status)) > RETURN_STEPS.index(target):
            if case.status != target:
                raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, f"return is already {case.status}",
                                  old=case.status, new=str(target))
        while case.status != target:
            step = RETURN_STEPS[RETURN_STEPS.index(Status(case.status)) + 1]
            if step == Status.APPROVED:
                case = actions.approve_return(case, actor=OPERATOR, now=data.at)
            elif step == Status.IN_TRANSIT:
                if not data.carrier:
                    raise ApiError(422, "carrier_required", "a return on its way back needs its carrier", field="carrier")
                case = actions.ship_return(case, carrier=data.carrier, tracking_number=data.tracking_number,
                                           free_return=data.free_return, actor=OPERATOR, now=data.at)
            else:
                case = actions.confirm_return_received(case, actor=OPERATOR, now=data.at)
            changed = True
        return Upserted(case, created, changed)

    return with_retry(run)


def _adoptable(order: Order, kind: Kind) -> Case | None:
    named = OperatorRef.objects.filter(kind=RefKind.RETURN if kind == Kind.RETURN else RefKind.REFUND)
    for case in Case.objects.filter(order=order, kind=kind).exclude(pk__in=named.values("object_id")).order_by("-opened_at"):
        if not is_terminal(case.kind, case.status):
            return case
    return None


def upsert_refund(order_number: str, ref: str, data: s.RefundIn, *, key: str) -> Upserted:
    """An itemised refund approved (→ ``approve_refund``: checks the lines against what was paid and
    sets the expected window) and, later, paid out (→ ``mark_refund_paid``)."""

    def run() -> Upserted:
        order = locked_order(order_number)
        lines = [actions.LineSpec(line.kind, line.amount, line.description) for line in data.lines]
        case_id = _ref_object(RefKind.REFUND, ref)
        created = case_id is None
        if case_id is None:
            related = None
            if data.related_case is not None:
                related = Case.objects.filter(pk=data.related_case, order=order).first()
                if related is None:
                    raise ApiError(422, "case_not_found", "related_case is not a case of this order", field="related_case")
            case = actions.approve_refund(order, lines=lines, actor=OPERATOR, related_case=related, now=data.approved_at)
            _bind_ref(RefKind.REFUND, ref, case.pk)
        else:
            case = Case.objects.get(pk=case_id)
            if case.order_id != order.pk:
                raise ApiError(409, "conflicting_update", f"refund {ref!r} belongs to another order", field="ref")
            have = [(line.kind, line.amount) for line in case.refund_lines.order_by("id")]
            if have != [(line.kind, line.amount) for line in lines]:
                raise ApiError(409, "conflicting_update", "an approved refund's lines cannot change; approve another refund",
                               fields=["lines"])
        changed = created
        if data.status == "completed" and case.status != Status.COMPLETED:
            case = actions.mark_refund_paid(case, actor=OPERATOR, now=data.completed_at)
            changed = True
        elif data.status == "approved" and case.status == Status.COMPLETED:
            raise ActionError(ErrorCode.TRANSITION_NOT_ALLOWED, "refund already completed", old=case.status,
                              new="approved")
        return Upserted(case, created, changed)

    return with_retry(run)


# --------------------------------------------------------------------------- official channels


def set_official_channels(market: str, data: s.OfficialChannelsIn, *, key: str) -> list[OfficialChannel]:
    """The market's full list of official channels. Channels left out are deactivated, not deleted
    (the assistant's past answers quoted them)."""
    wanted: dict[tuple[str, str], s.OfficialChannelIn] = {}
    for i, channel in enumerate(data.channels):
        wanted[(channel.kind, _channel_value(channel, market, f"channels.{i}.value"))] = channel

    def run() -> list[OfficialChannel]:
        at = clock.now()
        existing = {(c.kind, c.value): c for c in OfficialChannel.objects.select_for_update().filter(market=market)}
        changes: list[str] = []
        for pair, channel in existing.items():
            if pair not in wanted and channel.active:
                channel.active = False
                channel.save(update_fields=["active"])
                changes.append(f"-{pair[0]}:{pair[1]}")
        for (kind, value), given in wanted.items():
            values = {"label_ar": given.label_ar, "label_en": given.label_en, "active": given.active}
            channel = existing.get((kind, value))
            if channel is None:
                OfficialChannel.objects.create(market=market, kind=kind, value=value, **values)
                changes.append(f"+{kind}:{value}")
            elif _apply(channel, values):
                channel.save()
                changes.append(f"~{kind}:{value}")
        if changes:
            record("official_channels", 0, action="updated", actor=OPERATOR, actor_ref=key, at=at,
                   data={"market": market, "changes": changes})
        return list(OfficialChannel.objects.filter(market=market).order_by("kind", "value"))

    return with_retry(run)


def _channel_value(channel: s.OfficialChannelIn, market: str, field: str) -> str:
    value = channel.value.strip()
    try:
        if channel.kind in ("whatsapp", "phone"):
            return normalize_identity("phone", value, region=market)
        if channel.kind == "email":
            return normalize_identity("email", value)
    except InvalidIdentity as exc:
        raise ApiError(422, "invalid_channel", str(exc), field=field) from exc
    if not value.startswith("https://") or any(c.isspace() for c in value):
        raise ApiError(422, "invalid_channel", "help-center and live-chat channels are https:// URLs", field=field)
    return value
