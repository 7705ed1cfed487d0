"""Where an order is, and orders that have not arrived (scenario 9).

A shipped order past the end of its expected delivery window is late: the buyer sees the tracking
and is offered a dispute for non-delivery (escalate.when: not arrived in the expected time). An
order marked delivered that the buyer did not receive gets the same offer.
"""

from __future__ import annotations

from awn import policy as rules
from awn.assistant import orders
from awn.assistant.turn import Turn
from awn.cases.models import DisputeReason
from awn.marketplace.models import Order, OrderStatus


def track(turn: Turn) -> None:
    found = orders.resolve(turn, "track_order")
    if found.order is None:
        if found.outcome == "none":
            turn.say("track.none")
        return
    describe(turn, found.order)


def not_arrived(turn: Turn) -> None:
    found = orders.resolve(turn, "order_not_arrived")
    if found.order is None:
        if found.outcome == "none":
            turn.say("track.none_shipped")
        return
    describe(turn, found.order, complaint=True)


def describe(turn: Turn, order: Order, *, complaint: bool = False) -> None:
    """The order's status in the buyer's words, with what happens next."""
    status = order.status
    turn.say("track.about", order=order.order_number, items=orders.item_titles(turn, order),
             status=orders.status_label(turn, order))
    if status == OrderStatus.PENDING_PAYMENT:
        from awn.assistant.flows import payments

        payments.explain(turn, order)
        return
    if status in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING):
        if order.processing_deadline is not None:
            turn.use(rules.order_processing(turn.policy, processing_deadline=order.processing_deadline, now=turn.now,
                                            shipped=False))
        else:
            turn.say("track.not_shipped")
        return
    if status == OrderStatus.CANCELLED:
        from awn.assistant.flows import refunds

        turn.say("track.cancelled")
        refunds.brief(turn, order)
        return
    if status == OrderStatus.CLOSED:
        from awn.assistant.flows import missing

        missing.explain_closed(turn, order, intro=False)
        return
    shipment = orders.latest_shipment(order)
    if shipment is None:
        if status != OrderStatus.DELIVERED:
            turn.say("track.no_tracking")
        return
    turn.say("track.shipped", carrier=shipment.carrier, tracking=shipment.tracking_number,
             shipped=turn.day(shipment.shipped_at), start=turn.day(shipment.expected_from),
             end=turn.day(shipment.expected_to))
    event = shipment.events.order_by("-at", "-id").first()
    if event is not None:
        label = turn.t(f"event.{event.code}") if event.code in EVENT_CODES else event.code
        where = turn.t("track.event_where", location=event.location) if event.location else ""
        turn.say("track.last_event", event=label, when=turn.when(event.at), where=where)
    if status == OrderStatus.DELIVERED or shipment.delivered_at is not None:
        delivered = shipment.delivered_at or (event.at if event is not None else order.updated_at)
        turn.say("track.delivered", when=turn.day(delivered))
        if complaint:
            turn.say("track.delivered_not_received")
            _offer_dispute(turn, order)
        return
    if turn.now > shipment.expected_to:
        turn.say("track.late", end=turn.day(shipment.expected_to))
        turn.rule("escalate.when")
        _offer_dispute(turn, order)
        return
    turn.say("track.on_time", end=turn.day(shipment.expected_to))
    if complaint:
        turn.say("track.wait_then_dispute", end=turn.day(shipment.expected_to))


def _offer_dispute(turn: Turn, order: Order) -> None:
    from awn.assistant.flows import disputes

    turn.bubble()
    disputes.offer(turn, order, DisputeReason.NOT_ARRIVED)


EVENT_CODES = ("picked_up", "in_transit", "customs", "out_for_delivery", "delivered", "exception")
