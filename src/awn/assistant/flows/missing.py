"""Orders a buyer cannot find (scenario 8): rule order.missing and order.auto_closed.

A number that is not in the account (unknown, or another account's: the same answer) gets the
advice to check other logins and archived or filtered orders, and nothing about any other account.
An archived order is found and its status told. An order the system closed is explained (why, when)
with the refund that started at once.
"""

from __future__ import annotations

from awn import policy as rules
from awn.assistant import orders
from awn.assistant.turn import Turn
from awn.marketplace.models import ClosedReason, Order, OrderStatus, OrderStatusChange

CAUSE = {
    ClosedReason.PAYMENT_FAILED: "payment_failure",
    ClosedReason.OUT_OF_STOCK: "out_of_stock",
    ClosedReason.SELLER_DELAY: "seller_delay",
}


def handle(turn: Turn) -> None:
    if orders.number_in(turn):
        found = orders.resolve(turn, "missing_order")
        if found.order is not None:
            explain(turn, found.order)
        return
    advice = rules.missing_order_advice(turn.policy)
    fitting, _, _ = orders.candidates(turn, "missing_order")
    turn.say("missing.intro")
    turn.use(advice, show=False)
    turn.para(advice.reason.get(turn.lang))
    turn.say("order.you_can")
    turn.bullets([rules.OPTION_LABELS[o].get(turn.lang) for o in advice.options])
    if fitting:
        turn.bubble()
        orders.ask_which(turn, "missing_order", fitting, intro="missing.maybe_these")
    else:
        turn.say("order.ask_number")


def explain(turn: Turn, order: Order) -> None:
    if order.status == OrderStatus.CLOSED:
        explain_closed(turn, order)
        return
    from awn.assistant.flows import tracking

    if order.archived:
        turn.say("missing.archived", order=order.order_number)
        turn.rule("order.missing")
    else:
        turn.say("missing.found", order=order.order_number)
    tracking.describe(turn, order)


def closed_at(order: Order):  # type: ignore[no-untyped-def]
    change = OrderStatusChange.objects.filter(order=order, new_status=OrderStatus.CLOSED).order_by("-at").first()
    if change is not None:
        return change.at
    return order.processing_deadline or order.updated_at


def explain_closed(turn: Turn, order: Order, *, intro: bool = True) -> None:
    """Why the system closed the order, and the refund that started at once (order.auto_closed)."""
    from awn.assistant.flows import refunds

    cause = CAUSE.get(order.closed_reason, "seller_delay")
    if intro:
        turn.say("missing.closed_intro", order=order.order_number)
    turn.use(rules.auto_closed_order(turn.policy, closed_at=closed_at(order), cause=cause))
    cases = orders.refunds(order)
    if cases:
        turn.bubble()
        refunds.show(turn, order, cases[0], say_status=False)
    else:
        turn.say("missing.nothing_paid")
