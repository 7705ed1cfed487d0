"""Which order the buyer means, read only through ``awn.marketplace.access``.

In this order: an order number in the message (any digits, ``#``, spaces, dashes) or a tapped
``order:<number>`` choice; the order already being talked about, when it fits the topic; the only
order that fits the topic (for example the only payment under verification); otherwise the buyer's
fitting orders as quick replies. A number that is not the buyer's gets exactly the answer a number
that does not exist gets: "not in your account", with the missing-order advice, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from awn import policy as rules
from awn.assistant.state import Pending
from awn.assistant.turn import Turn, short
from awn.cases.models import Case
from awn.cases.transitions import Kind, Status
from awn.core.digits import clean_number
from awn.marketplace.access import OrderAccessError, get_order_for_customer, orders_for_customer
from awn.marketplace.models import OPEN_ORDER_STATUSES, UNSHIPPED_STATUSES, Order, OrderStatus

MAX_CHOICES = 5
ORDER_CHOICE = "order:"


@dataclass(frozen=True)
class Found:
    order: Order | None
    outcome: str  # "ok", "asked" (choices offered), "not_found" (answered), "none" (no fitting order)


def number_in(turn: Turn) -> str:
    """An order number the buyer typed or tapped in this turn, digits only."""
    if turn.choice_id.startswith(ORDER_CHOICE):
        return clean_number(turn.choice_id[len(ORDER_CHOICE):])
    value = turn.u.first("order_number")
    return clean_number(str(value)) if value else ""


def lookup(turn: Turn, number: str) -> Order | None:
    assert turn.customer is not None
    try:
        return get_order_for_customer(turn.customer, number)
    except OrderAccessError:
        return None


def current(turn: Turn) -> Order | None:
    if turn.customer is None or not turn.state.order:
        return None
    return lookup(turn, turn.state.order)


def focus(turn: Turn, order: Order) -> Order:
    """Make ``order`` the order being talked about."""
    if turn.state.order != order.order_number:
        turn.state.collected.pop("case", None)
    turn.order = order
    turn.state.order = order.order_number
    return order


# --------------------------------------------------------------------------- candidates per topic


def _with_case(qs, kind: str):  # type: ignore[no-untyped-def]
    return qs.filter(pk__in=Case.objects.filter(kind=kind).values("order_id"))


def _late(order: Order, now: datetime) -> bool:
    shipment = latest_shipment(order)
    return shipment is not None and shipment.delivered_at is None and shipment.expected_to < now


def _silent(order: Order) -> bool:
    thread = getattr(order, "seller_thread", None)
    if thread is None or thread.last_buyer_message_at is None:
        return False
    return thread.last_seller_message_at is None or thread.last_seller_message_at < thread.last_buyer_message_at


def candidates(turn: Turn, topic: str) -> tuple[list[Order], list[Order], list[Order]]:
    """(fitting orders, preferred among them, fallback orders) for a topic, most recent first."""
    assert turn.customer is not None
    qs = orders_for_customer(turn.customer, include_archived=False)
    fallback = qs.none()
    if topic in ("payment_verification", "payment_problem"):
        primary = qs.filter(payments__verification_status="pending").distinct()
        fallback = qs.filter(status=OrderStatus.PENDING_PAYMENT) if topic == "payment_verification" else qs
    elif topic == "seller_not_responding":
        primary = qs.filter(seller_thread__last_buyer_message_at__isnull=False,
                            status__in=[*OPEN_ORDER_STATUSES, OrderStatus.DELIVERED]).select_related("seller_thread")
        fallback = qs.filter(status__in=OPEN_ORDER_STATUSES)
    elif topic in ("damaged_item", "wrong_item", "open_dispute", "return_request"):
        primary = qs.filter(status=OrderStatus.DELIVERED)
        fallback = qs.filter(status=OrderStatus.SHIPPED)
    elif topic == "dispute_status":
        primary = _with_case(qs, Kind.DISPUTE)
    elif topic == "refund_status":
        primary = _with_case(qs, Kind.REFUND)
        fallback = _with_case(qs, Kind.RETURN)  # a returned parcel is where the refund will come from
    elif topic == "partial_refund":
        primary = _with_case(qs, Kind.REFUND)
    elif topic == "return_parcel_status":
        primary = _with_case(qs, Kind.RETURN)
    elif topic in ("cancel_order", "modify_order"):
        primary = qs.filter(status__in=UNSHIPPED_STATUSES)
        fallback = qs.filter(status=OrderStatus.SHIPPED)
    elif topic == "order_not_arrived":
        primary = qs.filter(status=OrderStatus.SHIPPED)
        fallback = qs.filter(status=OrderStatus.DELIVERED)
    elif topic == "missing_order":
        primary = orders_for_customer(turn.customer).filter(archived=True) | qs.filter(status=OrderStatus.CLOSED)
    else:  # track_order and anything else about "my order"
        primary = qs.filter(status__in=OPEN_ORDER_STATUSES)
        fallback = qs
    fitting = list(primary.order_by("-placed_at")[:20])
    preferred: list[Order] = []
    if topic == "order_not_arrived":
        preferred = [o for o in fitting if _late(o, turn.now)]
    elif topic == "seller_not_responding":
        preferred = [o for o in fitting if _silent(o)]
    elif topic == "refund_status":
        preferred = [o for o in fitting if open_refund(o) is not None]
    elif topic == "partial_refund" and fitting:
        from awn.cases.actions import paid_and_refunded

        paid, refunded = paid_and_refunded([o.pk for o in fitting])
        preferred = [o for o in fitting if refunded.get(o.pk, 0) < paid.get(o.pk, 0)]
    return fitting, preferred, list(fallback.order_by("-placed_at")[:20])


def resolve(turn: Turn, topic: str) -> Found:
    """Find the order for ``topic``; when it returns no order it has already answered the buyer
    (choices offered or "not found"), except for outcome "none", which the caller words."""
    assert turn.customer is not None
    number = number_in(turn)
    if number:
        order = lookup(turn, number)
        if order is None:
            not_found(turn, number)
            return Found(None, "not_found")
        return Found(focus(turn, order), "ok")
    fitting, preferred, fallback = candidates(turn, topic)
    talked_about = current(turn)
    if talked_about is not None and any(o.pk == talked_about.pk for o in (*fitting, *fallback)):
        return Found(focus(turn, talked_about), "ok")
    for group in (preferred, fitting, fallback):
        if len(group) == 1:
            return Found(focus(turn, group[0]), "ok")
        if group:
            ask_which(turn, topic, group)
            return Found(None, "asked")
    return Found(None, "none")


def ask_which(turn: Turn, topic: str, orders: list[Order], *, intro: str = "order.which") -> None:
    shown = orders[:MAX_CHOICES]
    turn.say(intro)
    turn.bullets([line(turn, o) for o in shown])
    if len(orders) > MAX_CHOICES:
        turn.say("order.which_more")
    turn.offer([(f"{ORDER_CHOICE}{o.order_number}", choice_title(turn, o)) for o in shown])
    turn.state.pending = Pending(kind="choose_order", intent=topic, orders=[o.order_number for o in shown])


def not_found(turn: Turn, number: str) -> None:
    """The one answer for an unknown number and for another buyer's number (rule order.missing)."""
    turn.state.order = ""
    turn.order = None
    decision = rules.missing_order_advice(turn.policy)
    turn.say("order.not_found", number=number)
    turn.use(decision, show=False)
    turn.para(decision.reason.get(turn.lang))
    turn.say("order.you_can")
    turn.bullets([rules.OPTION_LABELS[o].get(turn.lang) for o in decision.options])
    turn.say("order.send_other_number")


# --------------------------------------------------------------------------- describing orders


def first_item(order: Order):  # type: ignore[no-untyped-def]
    return order.items.order_by("id").first()


def item_titles(turn: Turn, order: Order) -> str:
    titles = [turn.title(i) for i in order.items.order_by("id")]
    sep = "، " if turn.lang == "ar" else ", "
    return sep.join(titles)


def status_label(turn: Turn, order: Order) -> str:
    return turn.t(f"status.{order.status}")


def line(turn: Turn, order: Order) -> str:
    return turn.t("order.line", number=order.order_number, items=item_titles(turn, order),
                  status=status_label(turn, order), placed=rules.format_date(order.placed_at, turn.tz, turn.lang))


def choice_title(turn: Turn, order: Order) -> str:
    item = first_item(order)
    label = f"{order.order_number} {turn.title(item)}" if item is not None else order.order_number
    return short(label)


def latest_shipment(order: Order):  # type: ignore[no-untyped-def]
    return order.shipments.order_by("-shipped_at", "-id").first()


def open_refund(order: Order) -> Case | None:
    for case in Case.objects.filter(order=order, kind=Kind.REFUND).order_by("-opened_at", "-id"):
        if case.status in (Status.APPROVED, Status.OVERDUE, Status.PENDING):
            return case
    return None


def refunds(order: Order) -> list[Case]:
    return list(Case.objects.filter(order=order, kind=Kind.REFUND).exclude(status=Status.REJECTED)
                .order_by("-opened_at", "-id"))


def refunds_and_return(order: Order) -> tuple[list[Case], Case | None]:
    """``refunds(order)`` and ``latest_case(order, RETURN)`` in one query."""
    cases = list(Case.objects.filter(order=order, kind__in=(Kind.REFUND, Kind.RETURN)).order_by("-opened_at", "-id"))
    returns = [c for c in cases if c.kind == Kind.RETURN]
    return [c for c in cases if c.kind == Kind.REFUND and c.status != Status.REJECTED], (returns[0] if returns else None)


def latest_case(order: Order, kind: str) -> Case | None:
    return Case.objects.filter(order=order, kind=kind).order_by("-opened_at", "-id").first()
