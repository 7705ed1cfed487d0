"""Payments under verification and other payment worries (scenario 1).

Elapsed time is measured by the rule (``payment.verification_sla``) in the market's business
hours; past 24 business hours it is escalated (``payment.verification_escalate``) and the
conversation goes to the payments queue.
"""

from __future__ import annotations

from awn import policy as rules
from awn.assistant import handoff, orders
from awn.assistant.turn import Turn
from awn.cases.models import Priority
from awn.marketplace.models import Order, OrderStatus, VerificationStatus


def verification(turn: Turn) -> None:
    found = orders.resolve(turn, "payment_verification")
    if found.order is None:
        if found.outcome == "none":
            turn.say("payment.none")
            turn.say("order.ask_number")
        return
    explain(turn, found.order)


def problem(turn: Turn) -> None:
    found = orders.resolve(turn, "payment_problem")
    if found.order is None:
        if found.outcome == "none":
            turn.say("payment.problem_general")
            turn.offer([("intent:human_agent", turn.t("choice.human"))])
        return
    explain(turn, found.order, worried=True)


def explain(turn: Turn, order: Order, *, worried: bool = False) -> None:
    payment = order.payments.order_by("-submitted_at", "-id").first()
    if payment is None:
        turn.say("payment.no_payment", order=order.order_number)
        return
    failed = payment.verification_status == VerificationStatus.FAILED
    decision = rules.payment_verification(turn.policy, submitted_at=payment.submitted_at, now=turn.now,
                                          verified_at=payment.verified_at, failed=failed)
    turn.say("payment.about", order=order.order_number, amount=turn.money(payment.amount, payment.currency),
             method=turn.t(f"method.{payment.method}"), submitted=turn.when(payment.submitted_at))
    turn.use(decision)
    if failed and order.status == OrderStatus.CLOSED:
        from awn.assistant.flows import missing

        missing.explain_closed(turn, order, intro=False)
        return
    if decision.escalate:
        handoff.hand_off(turn, reason=decision.escalation_topic or "payment_verification_overdue",
                         rule_id=decision.rule_id, queue=handoff.PAYMENTS, priority=Priority.HIGH)
        return
    if decision.state == "verified":
        turn.say("payment.order_now", status=orders.status_label(turn, order))
        if worried:
            turn.say("payment.problem_verified")
            turn.offer([("intent:human_agent", turn.t("choice.human"))])
