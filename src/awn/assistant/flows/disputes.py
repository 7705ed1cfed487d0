"""Disputes: damaged, defective or wrong items, non-delivery, refund mismatches, silent sellers
(scenarios 3, 5, 9 and 2), and where an open dispute stands.

The buyer first confirms that a dispute should be opened (``open_dispute`` changes things). For
an item problem the assistant then collects the evidence of rule issue.required_evidence one piece
at a time (the order number is the order's own; the item from the order's items as quick replies;
a photo; a description), each validated by ``submit_evidence`` and asked again when refused. For
the other reasons the description is written from the record and the buyer's words. Once complete,
the seller's 48-hour window runs (its end is told in the buyer's timezone) and the conversation goes
to the disputes team; when the window lapses the worker moves the case to platform review.
"""

from __future__ import annotations

import re

from django.conf import settings

from awn import policy as rules
from awn.assistant import handoff, orders
from awn.assistant.state import Pending
from awn.assistant.turn import Turn, short
from awn.assistant.understanding import mentions_defect
from awn.cases import actions
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import ITEM_PROBLEM_REASONS, Case, DisputeReason, EvidenceKind
from awn.cases.transitions import Kind, Status, is_terminal
from awn.core.digits import clean_number, to_ascii_digits
from awn.core.models import Actor
from awn.helpdesk.models import Attachment
from awn.marketplace.models import Order, OrderStatus
from awn.policy.formatting import count

ITEM_CHOICE = "item:"
REASON_CHOICE = "reason:"
REASON_CHOICES = (DisputeReason.DAMAGED, DisputeReason.DEFECTIVE, DisputeReason.WRONG_ITEM, DisputeReason.NOT_ARRIVED)
# The escalate.when topic a finished dispute is handed to people under.
ESCALATION_TOPIC = {
    DisputeReason.DAMAGED: "damaged_or_defective",
    DisputeReason.DEFECTIVE: "damaged_or_defective",
    DisputeReason.WRONG_ITEM: "wrong_item",
    DisputeReason.NOT_ARRIVED: "not_arrived",
}
MAX_RETRIES = 2  # a piece of evidence asked for this many times more goes to a person


# --------------------------------------------------------------------------- entry points


def item_problem(turn: Turn) -> None:
    found = orders.resolve(turn, turn.intent or "damaged_item")
    if found.order is None:
        if found.outcome == "none":
            turn.say("dispute.no_delivered")
            turn.say("order.ask_number")
        return
    offer(turn, found.order, reason_from(turn))


def reason_from(turn: Turn) -> str:
    if turn.intent == "wrong_item":
        return DisputeReason.WRONG_ITEM
    return DisputeReason.DEFECTIVE if mentions_defect(f"{turn.text} {turn.state.topic_text}") else DisputeReason.DAMAGED


def open_dispute(turn: Turn) -> None:
    """The buyer asks to open a dispute: find the reason in their words, or ask."""
    ranking = dict(turn.u.ranking)
    guess = max(("damaged_item", "wrong_item", "order_not_arrived", "partial_refund", "seller_not_responding"),
                key=lambda i: ranking.get(i, 0.0))
    found = orders.resolve(turn, "open_dispute")
    if found.order is None:
        if found.outcome == "none":
            turn.say("dispute.no_orders")
        return
    if ranking.get(guess, 0.0) >= 0.2:
        reason = {"damaged_item": DisputeReason.DEFECTIVE if turn.signals.defective else DisputeReason.DAMAGED,
                  "wrong_item": DisputeReason.WRONG_ITEM, "order_not_arrived": DisputeReason.NOT_ARRIVED,
                  "partial_refund": DisputeReason.REFUND_MISMATCH,
                  "seller_not_responding": DisputeReason.SELLER_UNRESPONSIVE}[guess]
        offer(turn, found.order, reason)
        return
    ask_reason(turn, found.order)


def ask_reason(turn: Turn, order: Order | None) -> None:
    turn.say("dispute.ask_reason", order=order.order_number if order else "")
    turn.offer([(f"{REASON_CHOICE}{r}", turn.t(f"choice.reason.{r}")) for r in REASON_CHOICES])
    turn.state.pending = Pending(kind="choose_reason", order=order.order_number if order else "")


def open_case(order: Order) -> Case | None:
    for case in Case.objects.filter(order=order, kind=Kind.DISPUTE).order_by("-opened_at", "-id"):
        if not is_terminal(case.kind, case.status):
            return case
    return None


def offer(turn: Turn, order: Order, reason: str) -> None:
    """Explain what a dispute involves for ``reason`` and ask the buyer to confirm opening it."""
    existing = open_case(order)
    if existing is not None:
        turn.say("dispute.already_open", case=existing.pk, order=order.order_number)
        describe(turn, existing)
        return
    if order.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT, OrderStatus.CLOSED):
        turn.say("dispute.not_possible", order=order.order_number, status=orders.status_label(turn, order))
        return
    if reason in (*ITEM_PROBLEM_REASONS, DisputeReason.NOT_ARRIVED) and not order.is_shipped:
        turn.say("dispute.not_shipped_yet", order=order.order_number)
        from awn.assistant.flows import tracking

        tracking.describe(turn, order)
        return
    window = count(turn.policy.issue_seller_response_hours, "hour").get(turn.lang)
    turn.say(f"dispute.sorry.{reason}")
    if reason in ITEM_PROBLEM_REASONS:
        turn.say("dispute.offer_item", order=order.order_number, window=window)
        turn.bullets([rules.EVIDENCE_LABELS[k].get(turn.lang) for k in ("product_number", "photo", "description")])
        turn.rule("issue.required_evidence")
    else:
        turn.say("dispute.offer_other", order=order.order_number, window=window)
    turn.say("dispute.confirm_question")
    turn.rule("issue.seller_response_window")
    turn.offer([("yes", turn.t("choice.yes_open")), ("no", turn.t("choice.no_thanks"))])
    turn.state.pending = Pending(kind="confirm", action="open_dispute", order=order.order_number, reason=reason)


# --------------------------------------------------------------------------- confirmed


def confirmed(turn: Turn, pending: Pending) -> None:
    order = orders.lookup(turn, pending.order)
    if order is None:
        orders.not_found(turn, pending.order)
        return
    orders.focus(turn, order)
    reason = pending.reason or DisputeReason.OTHER
    description = "" if reason in ITEM_PROBLEM_REASONS else composed_description(turn, order, reason)
    try:
        case = actions.open_dispute(order, reason=reason, actor=Actor.ASSISTANT, description=description,
                                    actor_ref=f"conversation:{turn.conversation.pk}", now=turn.now)
    except ActionError as exc:
        if exc.code == ErrorCode.CASE_ALREADY_OPEN:
            existing = open_case(order)
            if existing is not None:
                turn.say("dispute.already_open", case=existing.pk, order=order.order_number)
                describe(turn, existing)
                return
        turn.say("dispute.cannot_open", order=order.order_number)
        turn.offer([("intent:human_agent", turn.t("choice.human"))])
        return
    turn.act("open_dispute", case_id=case.pk, order=order.order_number, reason=reason)
    turn.state.collected["case"] = case.pk
    turn.say("dispute.opened", case=case.pk, order=order.order_number)
    if not actions.missing_evidence(case):
        complete(turn, case, opened_now=True)
        return
    if turn.state.photo:
        photo = Attachment.objects.filter(pk=turn.state.photo, message__conversation=turn.conversation).first()
        turn.state.photo = None
        if photo is not None:
            _submit_photo(turn, case, photo, quiet=True)
    next_step(turn, case)


def declined(turn: Turn, pending: Pending) -> None:
    turn.say("dispute.declined")


def composed_description(turn: Turn, order: Order, reason: str) -> str:
    """For reasons without a photo, the description is the record's facts plus the buyer's words."""
    facts = ""
    if reason == DisputeReason.NOT_ARRIVED:
        shipment = orders.latest_shipment(order)
        if shipment is not None:
            facts = turn.t("dispute.describe.not_arrived", carrier=shipment.carrier, tracking=shipment.tracking_number,
                           shipped=turn.day(shipment.shipped_at), expected=turn.day(shipment.expected_to))
    elif reason == DisputeReason.REFUND_MISMATCH:
        from awn.assistant.flows import refunds

        paid, refunded = refunds.paid_and_refunded_of(order)
        facts = turn.t("dispute.describe.refund_mismatch", paid=turn.money(paid, order.currency),
                       refunded=turn.money(refunded, order.currency))
    elif reason == DisputeReason.SELLER_UNRESPONSIVE:
        thread = getattr(order, "seller_thread", None)
        if thread is not None and thread.last_buyer_message_at:
            facts = turn.t("dispute.describe.seller_unresponsive", since=turn.when(thread.last_buyer_message_at))
    words = turn.state.topic_text or turn.text
    text = facts
    if words and not orders.number_in(turn):
        text = f"{facts}\n{turn.t('dispute.describe.buyer_said', words=words[:1500])}".strip()
    if len(text) < actions.DESCRIPTION_MIN:
        text = turn.t(f"dispute.describe.default.{reason}") if reason in REASON_CHOICES else turn.t(
            "dispute.describe.default.other")
    return text[: actions.DESCRIPTION_MAX]


# --------------------------------------------------------------------------- evidence collection


def next_step(turn: Turn, case: Case, *, retries: int = 0) -> None:
    missing = actions.missing_evidence(case)
    if not missing:
        complete(turn, case)
        return
    ask(turn, case, missing[0], retries=retries)


def ask(turn: Turn, case: Case, kind: str, *, retries: int = 0) -> None:
    if kind == EvidenceKind.PRODUCT_NUMBER:
        items = list(case.order.items.order_by("id"))
        turn.say("dispute.ask.product_number" if len(items) > 1 else "dispute.ask.product_number_one")
        turn.offer([(f"{ITEM_CHOICE}{i.product_number}", short(f"{turn.title(i)}")) for i in items])
    elif kind == EvidenceKind.PHOTO:
        turn.say("dispute.ask.photo")
    elif kind == EvidenceKind.DESCRIPTION:
        turn.say("dispute.ask.description", min=actions.DESCRIPTION_MIN)
    else:
        turn.say("dispute.ask.order_number")
    turn.rule("issue.required_evidence")
    turn.state.pending = Pending(kind="evidence", case=case.pk, asked=kind, order=case.order.order_number,
                                 retries=retries)


def continue_evidence(turn: Turn, pending: Pending) -> bool:
    """Use what this message brings for the dispute being completed. False: not for this flow."""
    case = Case.objects.filter(pk=pending.case, kind=Kind.DISPUTE, customer=turn.customer).select_related("order").first()
    if case is None or case.status != Status.COLLECTING_EVIDENCE:
        turn.state.pending = None
        return False
    u = turn.u
    # A clear request for a person always leaves the flow; other clear asides do too, except where
    # free text is the expected answer (the description).
    if u.clear and not turn.images() and (
        u.intent in ("human_agent", "account_access")
        or (u.intent in ("contact_channels", "thanks_goodbye", "greeting") and pending.asked != EvidenceKind.DESCRIPTION)
    ):
        return False
    orders.focus(turn, case.order)
    turn.intent = turn.intent or turn.state.topic or "open_dispute"
    missing = set(actions.missing_evidence(case))
    progressed, refused = False, False

    if EvidenceKind.PHOTO in missing:
        for image in turn.images() or [a for a in turn.attachments()]:
            ok = _submit_photo(turn, case, image)
            progressed, refused = progressed or ok, refused or not ok
            if ok:
                break
    if EvidenceKind.PRODUCT_NUMBER in missing and not refused:
        typed = _product_from(turn, case.order)
        if typed is not None:
            try:
                actions.submit_evidence(case, kind=EvidenceKind.PRODUCT_NUMBER, value=typed, actor=Actor.ASSISTANT,
                                        now=turn.now)
                item = case.order.items.filter(product_number__iexact=typed).first()
                turn.say("dispute.got.product_number", title=turn.title(item) if item else typed, product=typed)
                turn.state.collected["product_number"] = typed
                progressed = True
            except ActionError as exc:
                if exc.code != ErrorCode.ITEM_NOT_IN_ORDER:
                    raise
                turn.say("dispute.invalid.product_number", value=typed, order=case.order.order_number)
                refused = True
    if pending.asked == EvidenceKind.DESCRIPTION and EvidenceKind.DESCRIPTION in missing and turn.text \
            and not turn.choice_id and not refused:
        try:
            actions.submit_evidence(case, kind=EvidenceKind.DESCRIPTION, value=turn.text, actor=Actor.ASSISTANT,
                                    now=turn.now)
            turn.state.collected["description"] = turn.text[:300]
            progressed = True
        except ActionError as exc:
            if exc.code != ErrorCode.EVIDENCE_INVALID:
                raise
            key = "dispute.invalid.description_long" if "max" in exc.params else "dispute.invalid.description_short"
            turn.say(key, min=actions.DESCRIPTION_MIN, max=actions.DESCRIPTION_MAX)
            refused = True
    case.refresh_from_db()
    if progressed and not refused:
        next_step(turn, case)
        return True
    if not progressed and not refused:
        # Nothing usable: say what is needed, and why if we can tell.
        if pending.asked == EvidenceKind.PHOTO:
            turn.say("dispute.no_photo" if turn.signals.no_photo else "dispute.invalid.photo_missing")
        elif pending.asked == EvidenceKind.PRODUCT_NUMBER:
            turn.say("dispute.invalid.product_missing")
    retries = 0 if progressed else pending.retries + 1
    if retries > MAX_RETRIES:
        handoff.hand_off(turn, reason="not_understood", case=case, tell="handoff.evidence_stuck")
        return True
    still = actions.missing_evidence(case)
    if not still:
        complete(turn, case)
        return True
    if still[0] != pending.asked or still[0] == EvidenceKind.PRODUCT_NUMBER:
        ask(turn, case, still[0], retries=retries)  # a new question, or the item list again
    else:
        # The refusal above already says what is needed: keep waiting for the same piece.
        turn.state.pending = Pending(kind="evidence", case=case.pk, asked=still[0], order=case.order.order_number,
                                     retries=retries)
    if turn.signals.no_photo and still[0] == EvidenceKind.PHOTO:
        turn.offer([("intent:human_agent", turn.t("choice.human"))])
    return True


_ORDINAL = re.compile(r"^\s*([1-9])\s*[.)-]?\s*$")


def _product_from(turn: Turn, order: Order) -> str | None:
    """The product the buyer picked or typed: a tapped item, a product number, its position, or its title."""
    items = list(order.items.order_by("id"))
    if turn.choice_id.startswith(ITEM_CHOICE):
        return turn.choice_id[len(ITEM_CHOICE):].strip()
    typed = turn.u.first("product_number")
    if typed:
        value = str(typed).upper()
        digits = clean_number(value)
        for item in items:
            if item.product_number.upper() == value or (digits and clean_number(item.product_number) == digits):
                return item.product_number
        return value
    text = to_ascii_digits(turn.text)
    match = _ORDINAL.match(text)
    if match and int(match.group(1)) <= len(items):
        return items[int(match.group(1)) - 1].product_number
    lowered = text.lower()
    for item in items:
        for title in (item.title_ar, item.title_en):
            if title and (title.lower() in lowered or (len(lowered) >= 4 and lowered in title.lower())):
                return item.product_number
    return None


def _submit_photo(turn: Turn, case: Case, attachment: Attachment, *, quiet: bool = False) -> bool:
    limit = int(getattr(settings, "AWN_MAX_PHOTO_BYTES", 10 * 1024 * 1024))
    try:
        if attachment.size > limit:
            raise ActionError(ErrorCode.EVIDENCE_INVALID, "too large", field="photo", max=limit)
        if not attachment.file:
            raise ActionError(ErrorCode.EVIDENCE_INVALID, "no file", field="photo")
        with attachment.file.open("rb") as handle:
            data = handle.read(limit + 1)
        actions.submit_evidence(case, kind=EvidenceKind.PHOTO, photo=data, content_type=attachment.content_type,
                                actor=Actor.ASSISTANT, now=turn.now)
    except ActionError as exc:
        if exc.code != ErrorCode.EVIDENCE_INVALID:
            raise
        turn.say("dispute.invalid.photo", max_mb=limit // (1024 * 1024))
        return False
    turn.state.collected["photo"] = attachment.sha256[:12] or "received"
    if not quiet:
        turn.say("dispute.got.photo")
    else:
        turn.say("dispute.got.photo_earlier")
    return True


def complete(turn: Turn, case: Case, *, opened_now: bool = False) -> None:
    """Evidence complete: the seller's window runs; state its end, then hand to the disputes team."""
    case.refresh_from_db()
    orders.focus(turn, case.order)
    turn.state.pending = None
    if not opened_now:
        turn.say("dispute.complete", case=case.pk, order=case.order.order_number)
    started = case.seller_window_started_at or case.opened_at
    decision = rules.issue_review(turn.policy, reported_at=started, now=turn.now)
    turn.use(decision)
    turn.say("dispute.page_hint")
    topic = ESCALATION_TOPIC.get(case.reason, "dispute_help")
    handoff.hand_off(turn, reason=topic, rule_id="escalate.when", queue=handoff.DISPUTES, case=case)


# --------------------------------------------------------------------------- where a dispute stands


def status(turn: Turn) -> None:
    found = orders.resolve(turn, "dispute_status")
    if found.order is None:
        if found.outcome == "none":
            turn.say("dispute.none")
            turn.say("dispute.none_offer")
            turn.offer([(f"{REASON_CHOICE}{r}", turn.t(f"choice.reason.{r}")) for r in REASON_CHOICES])
        return
    case = orders.latest_case(found.order, Kind.DISPUTE)
    if case is None:
        turn.say("dispute.none_on_order", order=found.order.order_number)
        return
    describe(turn, case)


def describe(turn: Turn, case: Case) -> None:
    pol = turn.policy
    started = case.seller_window_started_at or case.opened_at
    turn.say("dispute.status_intro", case=case.pk, order=case.order.order_number,
             reason=turn.t(f"dispute.reason.{case.reason or 'other'}"))
    if case.status == Status.COLLECTING_EVIDENCE:
        missing = actions.missing_evidence(case)
        turn.say("dispute.status.collecting")
        turn.bullets([rules.EVIDENCE_LABELS[k].get(turn.lang) for k in missing])
        if missing:
            ask(turn, case, missing[0])
        else:
            complete(turn, case)
        return
    if case.status == Status.AWAITING_SELLER:
        turn.use(rules.issue_review(pol, reported_at=started, now=turn.now))
        return
    if case.status == Status.SELLER_RESPONDED:
        turn.use(rules.issue_review(pol, reported_at=started, now=turn.now, seller_responded_at=case.updated_at))
        if case.seller_answer:
            turn.say("dispute.seller_answer", answer=case.seller_answer)
        turn.offer([("option:accept_answer", turn.t("choice.option.accept_answer")),
                    ("option:reject_answer", turn.t("choice.option.reject_answer"))])
        return
    if case.status == Status.PLATFORM_REVIEW:
        turn.use(rules.issue_review(pol, reported_at=started, now=max(turn.now, case.updated_at),
                                    buyer_rejected_answer=bool(case.seller_answer)))
        turn.say("dispute.review_next")
        turn.offer([("intent:human_agent", turn.t("choice.human"))])
        return
    turn.say(f"dispute.status.{case.status}")


def offer_reject(turn: Turn, case: Case) -> None:
    turn.say("dispute.reject_confirm", case=case.pk)
    turn.offer([("yes", turn.t("choice.yes_reject")), ("no", turn.t("choice.no_thanks"))])
    turn.state.pending = Pending(kind="confirm", action="reject_answer", case=case.pk,
                                 order=case.order.order_number)


def confirmed_reject(turn: Turn, pending: Pending) -> None:
    case = Case.objects.filter(pk=pending.case, customer=turn.customer, kind=Kind.DISPUTE).first()
    if case is None:
        turn.say("dispute.none")
        return
    orders.focus(turn, case.order)
    try:
        case = actions.reject_seller_answer(case, actor=Actor.ASSISTANT, reason=turn.state.topic_text, now=turn.now)
    except ActionError:
        describe(turn, case)
        return
    turn.act("reject_seller_answer", case_id=case.pk)
    turn.use(rules.issue_review(turn.policy, reported_at=case.seller_window_started_at or case.opened_at,
                                now=turn.now, buyer_rejected_answer=True))
    handoff.hand_off(turn, reason="dispute_help", rule_id="issue.platform_review", queue=handoff.DISPUTES, case=case)


def accept_answer(turn: Turn, case: Case) -> None:
    turn.say("dispute.accept_info", case=case.pk)
