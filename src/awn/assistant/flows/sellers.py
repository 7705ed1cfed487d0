"""A seller who does not answer the buyer (scenario 2): seller.reply_window and seller.silent_options.

Under 48 hours the buyer hears how long it has been, when Awn steps in, and what they can do now
(the options depend on whether the order shipped and whether its processing window has closed).
From 48 hours the rule escalates: the conversation goes to the orders team with the options listed.
"""

from __future__ import annotations

from awn import policy as rules
from awn.assistant import handoff, orders
from awn.assistant.turn import Turn
from awn.marketplace.models import Order, SellerThread
from awn.policy.formatting import count

OPTION_CHOICE = "option:"


def handle(turn: Turn) -> None:
    found = orders.resolve(turn, "seller_not_responding")
    if found.order is None:
        if found.outcome == "none":
            turn.say("seller.none")
        return
    explain(turn, found.order)


def explain(turn: Turn, order: Order) -> None:
    thread = SellerThread.objects.filter(order=order).first()
    window = count(turn.policy.seller_reply_window_hours, "hour").get(turn.lang)
    if thread is None or thread.last_buyer_message_at is None:
        turn.say("seller.no_message", order=order.order_number, seller=order.seller.name, window=window)
        turn.rule("seller.reply_window")
        return
    decision = rules.seller_silence(
        turn.policy, last_buyer_message_at=thread.last_buyer_message_at,
        last_seller_reply_at=thread.last_seller_message_at, now=turn.now, shipped=order.is_shipped,
        processing_deadline=order.processing_deadline,
    )
    turn.say("seller.about", order=order.order_number, seller=order.seller.name)
    turn.use(decision)
    if decision.state == "seller_replied":
        turn.say("seller.read_reply")
        return
    if not order.is_shipped and order.processing_deadline is not None:
        turn.use(rules.order_processing(turn.policy, processing_deadline=order.processing_deadline, now=turn.now,
                                        shipped=False))
    options = list(decision.options)
    if decision.escalate:
        if options:
            turn.say("seller.options_meanwhile")
            turn.bullets([rules.OPTION_LABELS[o].get(turn.lang) for o in options])
        turn.rule("seller.silent_options")
        handoff.hand_off(turn, reason=decision.escalation_topic or "seller_silent", rule_id=decision.rule_id,
                         queue=handoff.ORDERS)
        return
    if options:
        turn.say("seller.options_intro")
        turn.bullets([rules.OPTION_LABELS[o].get(turn.lang) for o in options])
        turn.rule("seller.silent_options")
        turn.offer([(f"{OPTION_CHOICE}{o}", turn.t(f"choice.option.{o}")) for o in options])


def find_another(turn: Turn, order: Order) -> None:
    items = list(order.items.order_by("id"))
    sep = "، " if turn.lang == "ar" else ", "
    turn.say("seller.find_another", products=sep.join(f"«{turn.title(i)}» ({i.product_number})" for i in items),
             order=order.order_number)
    if not order.is_shipped and order.processing_deadline is not None:
        turn.say("seller.find_another_cancel", deadline=turn.when(order.processing_deadline))
    turn.rule("seller.silent_options")
