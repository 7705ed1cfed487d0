"""Cancelling an order and changing its details (scenario 7): order.no_modification and
order.wrong_address.

Details never change after confirmation. Before shipment the way out is to cancel (confirmed by the
buyer, then ``cancel_order``, which refunds what was paid) and order again; after shipment it is too
late, and the buyer is told how to follow the parcel instead.
"""

from __future__ import annotations

from decimal import Decimal

from awn import policy as rules
from awn.assistant import orders
from awn.assistant.state import Pending
from awn.assistant.turn import Turn
from awn.assistant.understanding import mentions_address
from awn.cases import actions
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import Case
from awn.cases.transitions import Kind
from awn.core.models import Actor
from awn.marketplace.models import UNSHIPPED_STATUSES, Order


def cancel(turn: Turn) -> None:
    found = orders.resolve(turn, "cancel_order")
    if found.order is None:
        if found.outcome == "none":
            turn.say("cancel.none")
        return
    offer(turn, found.order)


def modify(turn: Turn) -> None:
    found = orders.resolve(turn, "modify_order")
    if found.order is None:
        if found.outcome == "none":
            turn.say("cancel.none")
        return
    order = found.order
    address = mentions_address(f"{turn.text} {turn.state.topic_text}")
    if order.status not in (*UNSHIPPED_STATUSES, "shipped", "delivered"):
        turn.say("cancel.already", order=order.order_number, status=orders.status_label(turn, order))
        return
    if address:
        decision = rules.address_change(turn.policy, shipped=order.is_shipped)
        turn.say("modify.about", order=order.order_number)
        turn.use(decision)
        turn.rule("order.no_modification")
    else:
        turn.say("modify.other", order=order.order_number)
        turn.rule("order.no_modification")
    if order.is_shipped:
        from awn.assistant.flows import tracking

        if not address:
            turn.say("modify.shipped")
        turn.bubble()
        tracking.describe(turn, order)
        return
    offer(turn, order, reason="address" if address else "modify")


def offer(turn: Turn, order: Order, *, reason: str = "") -> None:
    """Ask the buyer to confirm cancelling ``order``, saying what they will get back and when."""
    if order.is_shipped:
        turn.use(rules.address_change(turn.policy, shipped=True))
        return
    if order.status not in UNSHIPPED_STATUSES:
        turn.say("cancel.already", order=order.order_number, status=orders.status_label(turn, order))
        return
    from awn.assistant.flows import refunds

    paid, refunded = refunds.paid_and_refunded_of(order)
    back = paid - refunded
    turn.say("cancel.confirm", order=order.order_number, items=orders.item_titles(turn, order))
    if back > Decimal("0"):
        start, end = rules.refund_expected_window(turn.policy, turn.now)
        turn.say("cancel.confirm_refund", amount=turn.money(back, order.currency), start=turn.day(start),
                 end=turn.day(end))
        turn.rule("refund.processing_window")
    turn.rule("order.wrong_address")
    turn.offer([("yes", turn.t("choice.yes_cancel")), ("no", turn.t("choice.no_keep"))])
    turn.state.pending = Pending(kind="confirm", action="cancel_order", order=order.order_number, reason=reason)


def confirmed(turn: Turn, pending: Pending) -> None:
    order = orders.lookup(turn, pending.order)
    if order is None:
        orders.not_found(turn, pending.order)
        return
    orders.focus(turn, order)
    why = {"address": "wrong address", "modify": "details to change"}.get(pending.reason, "buyer asked to cancel")
    try:
        cancellation = actions.cancel_order(order, actor=Actor.ASSISTANT, reason=why,
                                            actor_ref=f"conversation:{turn.conversation.pk}", now=turn.now)
    except ActionError as exc:
        order.refresh_from_db()
        if exc.code == ErrorCode.ORDER_ALREADY_SHIPPED:
            turn.use(rules.address_change(turn.policy, shipped=True))
        else:
            turn.say("cancel.already", order=order.order_number, status=orders.status_label(turn, order))
        return
    turn.act("cancel_order", order=order.order_number, case_id=cancellation.pk)
    turn.say("cancel.done", order=order.order_number)
    refund = Case.objects.filter(order=order, kind=Kind.REFUND, related_case=cancellation).first()
    if refund is not None and refund.expected_from and refund.expected_to:
        turn.say("cancel.refund", amount=turn.money(refund.amount or Decimal("0"), refund.currency or order.currency),
                 start=turn.day(refund.expected_from), end=turn.day(refund.expected_to))
        turn.rule("refund.processing_window")
    else:
        turn.say("cancel.nothing_to_refund")
    if pending.reason in ("address", "modify"):
        turn.say("cancel.reorder")
    turn.state.collected["cancelled"] = order.order_number


def declined(turn: Turn, pending: Pending) -> None:
    turn.say("cancel.kept", order=pending.order)
