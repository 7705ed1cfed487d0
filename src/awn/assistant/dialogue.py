"""The dialogue manager: one buyer message in, the assistant's replies out.

Order of business for a turn:

1. understand the text (``awn.nlu``) and read cheap lexical signals (yes/no, anger, language asks);
2. follow the buyer's language: an explicit request, or a clear message in the other language,
   switches the conversation's reply language (recorded by ``services.set_language``);
3. a tapped quick reply (``choice_id``) is handled for what it is;
4. an angry buyer goes to a person at once;
5. what the last reply asked for (an order, a yes/no, a piece of evidence) is answered, unless
   the buyer clearly moved on;
6. otherwise the intent's handler answers; an unclear turn is said so, and the second unclear turn
   in a row goes to a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from awn.assistant import orders
from awn.assistant.flows import (
    changes,
    contact,
    disputes,
    general,
    missing,
    payments,
    refunds,
    sellers,
    tracking,
)
from awn.assistant.state import Pending
from awn.assistant.turn import Turn
from awn.assistant.understanding import signals, understand
from awn.cases.models import Case, DisputeReason
from awn.cases.transitions import Kind
from awn.core.digits import to_ascii_digits
from awn.core.models import Actor
from awn.helpdesk import services

log = logging.getLogger("awn.assistant")

Handler = Callable[[Turn], None]

HANDLERS: dict[str, Handler] = {
    "greeting": general.greeting,
    "thanks_goodbye": general.thanks,
    "affirm": general.affirm,
    "deny": general.deny,
    "out_of_scope": general.out_of_scope,
    "human_agent": general.human,
    "account_access": general.account,
    "contact_channels": contact.handle,
    "payment_verification": payments.verification,
    "payment_problem": payments.problem,
    "seller_not_responding": sellers.handle,
    "damaged_item": disputes.item_problem,
    "wrong_item": disputes.item_problem,
    "open_dispute": disputes.open_dispute,
    "dispute_status": disputes.status,
    "refund_status": refunds.status,
    "partial_refund": refunds.partial,
    "return_parcel_status": refunds.return_parcel,
    "return_request": refunds.return_request,
    "cancel_order": changes.cancel,
    "modify_order": changes.modify,
    "track_order": tracking.track,
    "order_not_arrived": tracking.not_arrived,
    "missing_order": missing.handle,
}

# Intents that need the buyer's account (orders, payments, cases).
NEEDS_ACCOUNT = frozenset(HANDLERS) - {
    "greeting", "thanks_goodbye", "affirm", "deny", "out_of_scope", "human_agent", "account_access",
    "contact_channels",
}
# Short answers that never start a new topic.
SMALL_TALK = frozenset({"greeting", "thanks_goodbye", "affirm", "deny", "out_of_scope"})
# Intents that keep the topic they interrupt (a person is asked for *about* the refund).
KEEPS_TOPIC = SMALL_TALK | {"human_agent"}

CONFIRMED: dict[str, Callable[[Turn, Pending], None]] = {
    "cancel_order": changes.confirmed,
    "open_dispute": disputes.confirmed,
    "request_return": refunds.confirmed_return,
    "reject_answer": disputes.confirmed_reject,
}
DECLINED: dict[str, Callable[[Turn, Pending], None]] = {
    "cancel_order": changes.declined,
    "open_dispute": disputes.declined,
    "request_return": refunds.declined_return,
    "reject_answer": lambda turn, pending: turn.say("dispute.reject_declined"),
}


def run(turn: Turn) -> None:
    if turn.text:
        turn.u = understand(turn.text)
    turn.signals = signals(turn.text, turn.u)
    if _language(turn):
        return
    images = turn.images()
    pending = turn.state.pending
    if images and not (pending is not None and pending.kind == "evidence"):
        turn.state.photo = images[0].pk  # kept until a dispute needs it
    if turn.choice_id and _choice(turn):
        return
    if turn.signals.angry:
        turn.intent = turn.u.intent if turn.u.clear else turn.state.topic
        general.angry(turn)
        return
    if pending is not None and _continue(turn, pending):
        return
    turn.state.pending = None
    intent = _intent(turn)
    if intent is None:
        if images and not turn.text:
            _photo_without_context(turn)
            return
        turn.intent = "out_of_scope"
        general.unclear(turn)
        return
    dispatch(turn, intent)


def dispatch(turn: Turn, intent: str) -> None:
    turn.intent = intent
    if intent != "out_of_scope":
        turn.state.unclear = 0
    if intent not in KEEPS_TOPIC and intent != turn.state.topic:
        turn.state.topic = intent
        turn.state.topic_text = turn.text[:500]
    elif intent not in KEEPS_TOPIC and turn.text and not turn.state.topic_text:
        turn.state.topic_text = turn.text[:500]
    if intent in NEEDS_ACCOUNT and turn.customer is None:
        general.unlinked(turn, intent)
        return
    HANDLERS[intent](turn)


def _intent(turn: Turn) -> str | None:
    u = turn.u
    if not u.text:
        return None
    # «لسه؟» right after a status answer: a one- or two-word status question the engine is not sure
    # of is about the topic already on the table, not a new one.
    if u.words <= 2 and u.intent in FOLLOW_UP and u.confidence < 0.9 and _follow_up(turn):
        return turn.state.topic
    if u.clear and u.intent != "out_of_scope":
        return u.intent
    if orders.number_in(turn) and u.words <= 4:
        return "track_order"  # an order number on its own: tell where that order stands
    if u.first("phone") and u.words <= 5:
        return "contact_channels"
    if u.clear:
        return u.intent
    if _follow_up(turn):
        return turn.state.topic
    return None


# Status questions the engine confuses with each other when a message is short and elliptic.
FOLLOW_UP = frozenset({"dispute_status", "track_order", "refund_status", "payment_verification",
                       "order_not_arrived", "return_parcel_status", "seller_not_responding"})


def _follow_up(turn: Turn) -> bool:
    """"And now?", «لسه؟», «وما زال معلقًا»: a short unclear message right after a topic about an order
    is a follow-up on that topic, when the engine's ranking leans that way."""
    u, state = turn.u, turn.state
    if state.topic not in NEEDS_ACCOUNT or not state.order or u.words > 8 or orders.number_in(turn):
        return False
    likely = {label for label, p in u.ranking if p >= 0.05}
    return state.topic in likely or (bool(u.ranking) and u.ranking[0][0] in FOLLOW_UP)


# --------------------------------------------------------------------------- language


def _language(turn: Turn) -> bool:
    """Switch the reply language when asked, or when the buyer clearly writes in the other one.

    Returns True when the message was only a request to switch (and has been answered)."""
    wanted = turn.signals.wants_language
    if wanted is not None:
        if wanted != turn.lang:
            services.set_language(turn.conversation, wanted, actor=Actor.BUYER, now=turn.now)
        if turn.u.words <= 5:
            turn.intent = "language"
            turn.say("language.switched")
            return True
        return False
    u = turn.u
    written = u.language if u.language in ("ar", "en") else None
    # Arabic script is unambiguous from two words; Latin script (English or Arabizi) needs three, so
    # that "ok thanks" or "salam" does not flip a conversation.
    clear = u.words >= 3 or (u.words >= 2 and u.script == "arabic")
    if written and written != turn.lang and clear and (u.script != "mixed" or written == "ar"):
        services.set_language(turn.conversation, written, actor=Actor.ASSISTANT, now=turn.now)
    return False


# --------------------------------------------------------------------------- quick replies


def _choice(turn: Turn) -> bool:
    """Handle a tapped quick reply. False: unknown choice (the text, if any, is read instead)."""
    cid = turn.choice_id
    pending = turn.state.pending
    kind, _, value = cid.partition(":")
    if cid in ("yes", "no"):
        if pending is not None and pending.kind == "confirm":
            turn.state.pending = None
            _confirm(turn, pending, yes=cid == "yes")
            return True
        dispatch(turn, "affirm" if cid == "yes" else "deny")
        return True
    if kind == "order":
        if turn.customer is None:
            general.unlinked(turn, "track_order")
            return True
        topic = pending.intent if pending is not None and pending.kind == "choose_order" else "track_order"
        turn.state.pending = None
        dispatch(turn, topic)
        return True
    if kind == "intent" and value in HANDLERS:
        turn.state.pending = None
        dispatch(turn, value)
        return True
    if kind == "item" and pending is not None and pending.kind == "evidence":
        return disputes.continue_evidence(turn, pending)
    if kind == "reason" and value in DisputeReason.values:
        turn.state.pending = None
        turn.intent = {"not_arrived": "order_not_arrived", "wrong_item": "wrong_item"}.get(value, "damaged_item")
        turn.state.topic = turn.intent
        if turn.customer is None:
            general.unlinked(turn, turn.intent)
            return True
        order = orders.lookup(turn, pending.order) if pending is not None and pending.order else None
        if order is None:
            found = orders.resolve(turn, turn.intent)
            if found.order is None:
                if found.outcome == "none":
                    turn.say("dispute.no_delivered")
                return True
            order = found.order
        orders.focus(turn, order)
        disputes.offer(turn, order, value)
        return True
    if kind == "option":
        turn.state.pending = None
        return _option(turn, value)
    if kind == "lang" and value in ("ar", "en"):
        services.set_language(turn.conversation, value, actor=Actor.BUYER, now=turn.now)
        turn.intent = "language"
        turn.say("language.switched")
        return True
    return False


def _option(turn: Turn, option: str) -> bool:
    order = orders.current(turn)
    if order is None:
        return False
    orders.focus(turn, order)
    turn.intent = turn.state.topic or "seller_not_responding"
    if option == "find_another_seller":
        sellers.find_another(turn, order)
    elif option == "cancel_order":
        changes.offer(turn, order)
    elif option == "open_dispute":
        reason = {"seller_not_responding": DisputeReason.SELLER_UNRESPONSIVE,
                  "partial_refund": DisputeReason.REFUND_MISMATCH,
                  "order_not_arrived": DisputeReason.NOT_ARRIVED}.get(turn.state.topic)
        if reason is None:
            disputes.ask_reason(turn, order)
        else:
            disputes.offer(turn, order, reason)
    elif option in ("accept_answer", "reject_answer"):
        case = Case.objects.filter(order=order, kind=Kind.DISPUTE, status="seller_responded").first()
        if case is None:
            disputes.status(turn)
        elif option == "accept_answer":
            disputes.accept_answer(turn, case)
        else:
            disputes.offer_reject(turn, case)
    else:
        return False
    return True


# --------------------------------------------------------------------------- what the last reply asked


_ORDINAL = re.compile(r"^\s*([1-9])\s*[.)-]?\s*$")


def _continue(turn: Turn, pending: Pending) -> bool:
    u = turn.u
    if pending.kind == "evidence":
        return disputes.continue_evidence(turn, pending)
    if pending.kind == "confirm":
        answer = _yes_no(turn, pending)
        if answer is None:
            return False
        turn.state.pending = None
        _confirm(turn, pending, yes=answer)
        return True
    if pending.kind == "choose_order":
        number = orders.number_in(turn)
        moved_on = u.clear and u.intent not in (pending.intent, "track_order", "affirm", "deny", "out_of_scope")
        if not number:
            match = _ORDINAL.match(to_ascii_digits(turn.text))
            if match and int(match.group(1)) <= len(pending.orders):
                turn.choice_id = f"{orders.ORDER_CHOICE}{pending.orders[int(match.group(1)) - 1]}"
                number = "picked"
        if number and not moved_on:
            turn.state.pending = None
            dispatch(turn, pending.intent)
            return True
        return False
    if pending.kind == "choose_reason":
        return False
    return False


def _yes_no(turn: Turn, pending: Pending) -> bool | None:
    u, s = turn.u, turn.signals
    if not u.text:
        return None
    if u.clear and u.intent == "affirm":
        return True
    if u.clear and u.intent == "deny":
        return False
    if u.words <= 6:
        if s.yes and not s.no:
            return True
        if s.no and not s.yes:
            return False
    # "yes, open the dispute" / "cancel it": the action's own intent counts as a yes.
    own = {"cancel_order": ("cancel_order",), "open_dispute": ("open_dispute",),
           "request_return": ("return_request",), "reject_answer": ()}.get(pending.action, ())
    if u.clear and u.intent in own and not orders.number_in(turn):
        return True
    return None


def _confirm(turn: Turn, pending: Pending, *, yes: bool) -> None:
    turn.intent = turn.state.topic or pending.action
    turn.state.unclear = 0
    if yes:
        CONFIRMED[pending.action](turn, pending)
    else:
        DECLINED[pending.action](turn, pending)


def _photo_without_context(turn: Turn) -> None:
    turn.intent = "damaged_item"
    turn.say("photo.what_about")
    turn.offer([(f"{disputes.REASON_CHOICE}{r}", turn.t(f"choice.reason.{r}"))
                for r in (DisputeReason.DAMAGED, DisputeReason.DEFECTIVE, DisputeReason.WRONG_ITEM)])
    turn.state.pending = Pending(kind="choose_reason", order=turn.state.order)
