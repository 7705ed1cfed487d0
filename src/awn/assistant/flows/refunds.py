"""Refunds and returned parcels (scenarios 4, 5 and 6).

- Refund status: the itemised "refund details" and the expected window in the market's business
  calendar (refund.processing_window); past the window the refund is late and goes to the refunds team.
- Partial refunds: what was paid, each line refunded and what it is, what was not refunded; if it
  still does not match, a dispute about the amount is offered (refund.mismatch).
- Returned parcels: before day 17 the parcel's status and the automatic-refund date; from day 17 the
  automatic refund that has started (return.auto_refund), and the free-return carrier lag.
"""

from __future__ import annotations

from decimal import Decimal

from awn import policy as rules
from awn.assistant import handoff, orders
from awn.assistant.state import Pending
from awn.assistant.turn import Turn
from awn.cases import actions
from awn.cases.errors import ActionError
from awn.cases.models import Case, DisputeReason, Priority, RefundLineKind
from awn.cases.transitions import Kind, Status
from awn.core.models import Actor
from awn.marketplace.models import Order, OrderStatus
from awn.policy.formatting import count

SHIPPING_KINDS = (RefundLineKind.SHIPPING, RefundLineKind.SEPARATE_SHIPPING)


def paid_and_refunded_of(order: Order) -> tuple[Decimal, Decimal]:
    paid, refunded = actions.paid_and_refunded([order.pk])
    return paid.get(order.pk, Decimal("0.00")), refunded.get(order.pk, Decimal("0.00"))


# --------------------------------------------------------------------------- refund status


def status(turn: Turn) -> None:
    found = orders.resolve(turn, "refund_status")
    if found.order is None:
        if found.outcome == "none":
            turn.say("refund.none_any")
        return
    order = found.order
    cases, ret = orders.refunds_and_return(order)
    if not cases:
        if ret is not None:
            describe_return(turn, order, ret)
            return
        turn.say("refund.none", order=order.order_number, status=orders.status_label(turn, order))
        return
    show(turn, order, cases[0])


def show(turn: Turn, order: Order, case: Case, *, escalate: bool = True, say_status: bool = True) -> None:
    """A refund: its amount, where it stands and when the money is expected, and its details."""
    turn.say("refund.about", order=order.order_number, amount=turn.money(case.amount or Decimal("0"), case.currency))
    decision = None
    if case.approved_at is not None:
        decision = rules.refund_status(turn.policy, approved_at=case.approved_at, now=turn.now,
                                       refunded_at=case.refunded_at)
        turn.use(decision, show=say_status or decision.state in ("refunded", "overdue"))
    details(turn, case)
    if escalate and decision is not None and decision.escalate:
        handoff.hand_off(turn, reason=decision.escalation_topic or "refund_late", rule_id=decision.rule_id,
                         queue=handoff.REFUNDS, priority=Priority.HIGH, case=case)


def details(turn: Turn, case: Case, *, explain: bool = False) -> None:
    """The refund's "refund details": one line per kind with its amount (rule refund.partial_reasons)."""
    lines = list(case.refund_lines.order_by("id"))
    if not lines:
        return
    turn.say("refund.details_title")
    rows = []
    for line in lines:
        label = rules.REFUND_LINE_LABELS[line.kind].get(turn.lang) if line.kind in rules.REFUND_LINE_LABELS else line.kind
        row = f"{label}: {turn.money(line.amount, case.currency)}"
        if explain:
            row += " — " + turn.t(f"partial.why.{line.kind}")
        rows.append(row)
    turn.bullets(rows)
    turn.say("refund.total", amount=turn.money(case.amount or Decimal("0"), case.currency))
    turn.rule("refund.partial_reasons")


def brief(turn: Turn, order: Order) -> None:
    """The refund of a cancelled or closed order (a late one still goes to the refunds team)."""
    cases = orders.refunds(order)
    if not cases:
        turn.say("cancel.nothing_to_refund")
        return
    show(turn, order, cases[0], escalate=True)


# --------------------------------------------------------------------------- partial refunds


def partial(turn: Turn) -> None:
    found = orders.resolve(turn, "partial_refund")
    if found.order is None:
        if found.outcome == "none":
            turn.say("refund.none_any")
        return
    order = found.order
    cases = orders.refunds(order)
    if not cases:
        turn.say("refund.none", order=order.order_number, status=orders.status_label(turn, order))
        return
    paid, refunded = paid_and_refunded_of(order)
    turn.say("partial.about", order=order.order_number, paid=turn.money(paid, order.currency),
             refunded=turn.money(refunded, order.currency))
    for case in cases:
        details(turn, case, explain=True)
    kinds = {line.kind for case in cases for line in case.refund_lines.all()}
    if order.shipping_fee > 0 and not kinds & set(SHIPPING_KINDS) and refunded < paid:
        turn.say("partial.shipping_not_refunded", fee=turn.money(order.shipping_fee, order.currency))
    decision = turn.use(rules.refund_mismatch(turn.policy, expected=paid, refunded=refunded), show=False)
    short = decision.state == "short"
    if short:
        turn.say("partial.difference", difference=turn.money(paid - refunded, order.currency))
    else:
        turn.say("partial.full")
    latest = cases[0]
    if latest.approved_at is not None:
        turn.use(rules.refund_status(turn.policy, approved_at=latest.approved_at, now=turn.now,
                                     refunded_at=latest.refunded_at))
    if not short:
        return
    turn.say("partial.offer_dispute")
    turn.offer([("yes", turn.t("choice.yes_open")), ("no", turn.t("choice.no_thanks"))])
    turn.state.pending = Pending(kind="confirm", action="open_dispute", order=order.order_number,
                                 reason=DisputeReason.REFUND_MISMATCH)


# --------------------------------------------------------------------------- returned parcels


def return_parcel(turn: Turn) -> None:
    found = orders.resolve(turn, "return_parcel_status")
    if found.order is None:
        if found.outcome == "none":
            turn.say("return.none")
        return
    case = orders.latest_case(found.order, Kind.RETURN)
    if case is None:
        turn.say("return.none_on_order", order=found.order.order_number)
        return
    describe_return(turn, found.order, case)


def describe_return(turn: Turn, order: Order, case: Case) -> None:
    pol = turn.policy
    if case.status == Status.REQUESTED:
        turn.say("return.requested", order=order.order_number)
        turn.use(rules.issue_review(pol, reported_at=case.opened_at, now=turn.now))
        return
    if case.status == Status.APPROVED:
        turn.say("return.approved", order=order.order_number, window=_auto_refund_window(turn))
        turn.rule("return.auto_refund")
        return
    if case.status in (Status.REJECTED, Status.WITHDRAWN):
        turn.say(f"return.{case.status}", order=order.order_number)
        return
    parcel = case.return_parcel
    if parcel is None:
        turn.say("return.approved", order=order.order_number, window=_auto_refund_window(turn))
        return
    turn.say("return.about", order=order.order_number, carrier=parcel.carrier,
             tracking=parcel.tracking_number or "—")
    decision = turn.use(rules.return_parcel(pol, shipped_back_at=parcel.shipped_back_at, now=turn.now,
                                            delivered_at=parcel.delivered_at, free_return=parcel.free_return))
    if parcel.free_return:
        turn.rule("return.free_return_carrier_lag")
    refund = Case.objects.filter(order=order, kind=Kind.REFUND, related_case=case).order_by("-id").first()
    if refund is not None:
        turn.bubble()
        show(turn, order, refund, say_status=decision.state != "auto_refund_started")
    elif decision.state == "auto_refund_started":
        turn.say("return.auto_refund_pending")


def _auto_refund_window(turn: Turn) -> str:
    return count(turn.policy.return_auto_refund_days, "day").get(turn.lang)


def return_request(turn: Turn) -> None:
    found = orders.resolve(turn, "return_request")
    if found.order is None:
        if found.outcome == "none":
            turn.say("return.nothing_delivered")
        return
    order = found.order
    existing = orders.latest_case(order, Kind.RETURN)
    if existing is not None and existing.status not in (Status.REJECTED, Status.WITHDRAWN, Status.COMPLETED):
        describe_return(turn, order, existing)
        return
    if order.status != OrderStatus.DELIVERED:
        turn.say("return.not_delivered", order=order.order_number, status=orders.status_label(turn, order))
        return
    window = count(turn.policy.issue_seller_response_hours, "hour").get(turn.lang)
    turn.say("return.offer", order=order.order_number, items=orders.item_titles(turn, order), window=window)
    turn.rule("issue.seller_response_window")
    turn.offer([("yes", turn.t("choice.yes_return")), ("no", turn.t("choice.no_thanks"))])
    turn.state.pending = Pending(kind="confirm", action="request_return", order=order.order_number)


def confirmed_return(turn: Turn, pending: Pending) -> None:
    order = orders.lookup(turn, pending.order)
    if order is None:
        orders.not_found(turn, pending.order)
        return
    orders.focus(turn, order)
    try:
        case = actions.request_return(order, description=turn.state.topic_text[:2000], actor=Actor.ASSISTANT,
                                      now=turn.now)
    except ActionError:
        existing = orders.latest_case(order, Kind.RETURN)
        if existing is not None:
            describe_return(turn, order, existing)
        else:
            turn.say("return.not_delivered", order=order.order_number, status=orders.status_label(turn, order))
        return
    turn.act("request_return", case_id=case.pk, order=order.order_number)
    turn.say("return.requested_now", case=case.pk, order=order.order_number)
    turn.use(rules.issue_review(turn.policy, reported_at=case.opened_at, now=turn.now))


def declined_return(turn: Turn, pending: Pending) -> None:
    turn.say("return.declined")
