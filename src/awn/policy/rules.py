"""The buyer-protection rules as pure functions: policy and facts in, a ``Decision`` out.

Conventions (docs/adr/0002-business-time.md):
- ``now`` is always an argument; nothing here reads the clock. Datetimes must be aware; they are
  compared in UTC. An event stamped after ``now`` (a reply, a refund) is treated as not having
  happened yet, so re-evaluating an old instant gives the old answer.
- A deadline is reached *at* its instant: ``now >= deadline`` means the window has lapsed. The
  one exception is the refund window, whose end is inclusive ("later than expected" is
  ``now > end``).
- Plain-hour windows (3 h typical payment, 48 h seller) and calendar-day windows (17 days) are
  elapsed time; only "business hours" and "business days" use the market calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from awn.policy._time import utc, utc_or_none
from awn.policy.business_calendar import BusinessCalendar
from awn.policy.config import RULE_PARAMS, MarketPolicy
from awn.policy.decision import Decision, Text
from awn.policy.formatting import count, count_range, elapsed, format_datetime, format_day, format_money
from awn.policy.texts import AUTO_CLOSE_CAUSE_LABELS, RULE_TEXTS, join, render
from awn.policy.vocab import AUTO_CLOSE_CAUSES, EVIDENCE_KEYS, SELLER_SILENT_OPTIONS


@dataclass(frozen=True)
class Rule:
    """One row of the buyer-protection table."""

    id: str
    title: Text
    description: Text  # with the brief's default figures; a market may configure others
    params: tuple[str, ...]  # parameter names it takes in the policy files


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule_id: Rule(id=rule_id, title=title, description=description, params=tuple(RULE_PARAMS[rule_id]))
        for rule_id, (title, description) in RULE_TEXTS.items()
    }
)


# --- helpers ------------------------------------------------------------------------------


def _at(policy: MarketPolicy, dt: datetime) -> Text:
    """A local date and time: "يوم الأحد 22 مارس الساعة 13:00" / "Sunday 22 March at 13:00"."""
    return Text(ar=format_datetime(dt, policy.timezone, "ar"), en=format_datetime(dt, policy.timezone, "en"))


def _on(policy: MarketPolicy, dt: datetime) -> Text:
    """A local date: "يوم الأحد 22 مارس" / "Sunday 22 March"."""
    return Text(ar=format_day(dt, policy.timezone, "ar"), en=format_day(dt, policy.timezone, "en"))


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _hours(duration: timedelta) -> float:
    return round(max(duration, timedelta(0)) / timedelta(hours=1), 4)


def _happened(at: datetime | None, now: datetime) -> bool:
    return at is not None and at <= now


def _figure(value: float) -> str:
    return f"{value:g}"


def _business_part(spent: timedelta, spent_business: timedelta) -> Text:
    """ ", منها 11 ساعة ضمن ساعات العمل" / " (11 of them within business hours)", when it differs from the total."""
    hour = timedelta(hours=1)
    total, business = int(spent / hour), int(spent_business / hour)
    if business == total:
        return Text(ar="", en="")
    if business == 0:
        return Text(
            ar="، منها أقل من ساعة ضمن ساعات العمل", en=" (less than one of them within business hours)"
        )
    return Text(
        ar=f"، منها {count(business, 'hour', nominative=True).ar} ضمن ساعات العمل",
        en=f" ({business} of them within business hours)",
    )


def _escalates(policy: MarketPolicy, topic: str) -> bool:
    """Whether ``topic`` is on the market's escalate.when list."""
    return topic in policy.escalation_topics


def _decision(
    rule_id: str,
    state: str,
    now: Text,
    *,
    reason: Text,
    facts: Mapping[str, object],
    next_step: str | None = None,
    next_at: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    options: tuple[str, ...] = (),
    escalate: bool = False,
    escalation_reason: Text | None = None,
    escalation_topic: str | None = None,
) -> Decision:
    """``Decision`` with the quiet defaults: nothing scheduled, no escalation."""
    return Decision(
        rule_id=rule_id,
        state=state,
        now=now,
        next_step=next_step,
        next_at=next_at,
        window=window,
        escalate=escalate,
        escalation_reason=escalation_reason,
        reason=reason,
        options=options,
        facts=facts,
        escalation_topic=escalation_topic,
    )


# --- payment.verification_sla / payment.verification_escalate ----------------------------


def payment_escalation_deadline(policy: MarketPolicy, submitted_at: datetime) -> datetime:
    """When a still-pending payment verification goes to support: submitted_at + 24 business hours."""
    return BusinessCalendar.of(policy).add_business_hours(
        utc(submitted_at, "submitted_at"), policy.payment_escalate_business_hours
    )


def payment_verification(
    policy: MarketPolicy,
    *,
    submitted_at: datetime,
    now: datetime,
    verified_at: datetime | None = None,
    failed: bool = False,
) -> Decision:
    """Where a payment's verification stands.

    within_typical (before submitted_at + 3 h) -> within_sla -> overdue (at submitted_at + 24
    business hours, still pending): escalate. ``verified`` and ``failed`` end it.
    """
    submitted, current = utc(submitted_at, "submitted_at"), utc(now, "now")
    verified = utc_or_none(verified_at, "verified_at")
    calendar = BusinessCalendar.of(policy)
    typical_by = submitted + timedelta(hours=policy.payment_typical_hours)
    deadline = calendar.add_business_hours(submitted, policy.payment_escalate_business_hours)
    spent = max(current - submitted, timedelta(0))
    spent_business = calendar.business_time_between(submitted, current)
    opening, closing = policy.business_hours
    reason = render(
        "payment.reason",
        typical_share=_figure(policy.payment_typical_share_percent),
        typical=count(policy.payment_typical_hours, "hour"),
        max_share=_figure(policy.payment_sla_share_percent),
        max=count(policy.payment_sla_business_hours, "business_hour"),
        escalate_after=count(policy.payment_escalate_business_hours, "business_hour"),
        open=f"{opening:%H:%M}",
        close=f"{closing:%H:%M}",
    )
    facts: dict[str, object] = {
        "submitted_at": _iso(submitted),
        "typical_by": _iso(typical_by),
        "deadline": _iso(deadline),
        "elapsed_hours": _hours(spent),
        "elapsed_business_hours": _hours(spent_business),
        "typical_hours": policy.payment_typical_hours,
        "escalate_after_business_hours": policy.payment_escalate_business_hours,
    }
    rule_id = "payment.verification_sla"
    if failed:
        return _decision(rule_id, "failed", render("payment.failed.now"), reason=reason, facts=facts)
    if _happened(verified, current):
        assert verified is not None
        facts["verified_at"] = _iso(verified)
        now_text = render("payment.verified.now", verified_at=_at(policy, verified))
        return _decision(rule_id, "verified", now_text, reason=reason, facts=facts)
    if current >= deadline:
        escalate = _escalates(policy, "payment_verification_overdue")
        max_text = count(policy.payment_escalate_business_hours, "business_hour")
        return Decision(
            rule_id="payment.verification_escalate",
            state="overdue",
            now=render(
                "payment.overdue.now", elapsed_business=elapsed(spent_business, "business_hour"), max=max_text
            ),
            next_step="escalate",
            next_at=deadline,
            window=None,
            escalate=escalate,
            escalation_reason=render("payment.escalation_reason", max=max_text) if escalate else None,
            reason=reason,
            facts=facts,
            escalation_topic="payment_verification_overdue" if escalate else None,
        )
    if current < typical_by:
        state = "within_typical"
        now_text = render(
            "payment.within_typical.now",
            elapsed=elapsed(spent),
            typical=count(policy.payment_typical_hours, "hour"),
            typical_at=_at(policy, typical_by),
        )
    else:
        state = "within_sla"
        now_text = render(
            "payment.within_sla.now",
            elapsed=elapsed(spent),
            business_part=_business_part(spent, spent_business),
            max=count(policy.payment_sla_business_hours, "business_hour"),
            deadline=_at(policy, deadline),
        )
    return _decision(
        rule_id, state, now_text, reason=reason, facts=facts, next_step="escalate", next_at=deadline
    )


# --- seller.reply_window / seller.silent_options -----------------------------------------


def seller_reply_deadline(policy: MarketPolicy, last_buyer_message_at: datetime) -> datetime:
    """When a silent seller is escalated: the buyer's last message + 48 h (plain hours)."""
    return utc(last_buyer_message_at, "last_buyer_message_at") + timedelta(
        hours=policy.seller_reply_window_hours
    )


def seller_silent_options(
    policy: MarketPolicy, *, now: datetime, shipped: bool, processing_deadline: datetime | None
) -> tuple[str, ...]:
    """Rule seller.silent_options: another seller and cancellation while unshipped (cancellation only
    once the processing window has closed), a dispute once shipped; filtered by the market's list."""
    current = utc(now, "now")
    closes = utc_or_none(processing_deadline, "processing_deadline")
    offered: set[str] = set()
    if shipped:
        offered.add("open_dispute")
    else:
        offered.add("find_another_seller")
        if closes is not None and current >= closes:
            offered.add("cancel_order")
    allowed = policy.seller_silent_options
    return tuple(option for option in SELLER_SILENT_OPTIONS if option in offered and option in allowed)


def seller_silence(
    policy: MarketPolicy,
    *,
    last_buyer_message_at: datetime,
    last_seller_reply_at: datetime | None,
    now: datetime,
    shipped: bool,
    processing_deadline: datetime | None,
) -> Decision:
    """Whether the seller is silent: no reply at or after the buyer's last message.

    awaiting_seller (under 48 h) -> seller_silent (at 48 h): escalate. ``options`` lists what the
    buyer can do meanwhile (see ``seller_silent_options``).
    """
    asked, current = utc(last_buyer_message_at, "last_buyer_message_at"), utc(now, "now")
    replied = utc_or_none(last_seller_reply_at, "last_seller_reply_at")
    window = count(policy.seller_reply_window_hours, "hour")
    deadline = seller_reply_deadline(policy, asked)
    reason = render("seller.reason", window=window)
    facts: dict[str, object] = {
        "last_buyer_message_at": _iso(asked),
        "last_seller_reply_at": _iso(replied),
        "deadline": _iso(deadline),
        "reply_window_hours": policy.seller_reply_window_hours,
        "shipped": shipped,
    }
    rule_id = "seller.reply_window"
    if replied is not None and asked <= replied <= current:
        now_text = render("seller.replied.now", replied_at=_at(policy, replied))
        return _decision(rule_id, "seller_replied", now_text, reason=reason, facts=facts)
    silent_for = max(current - asked, timedelta(0))
    facts["silent_hours"] = _hours(silent_for)
    options = seller_silent_options(
        policy, now=current, shipped=shipped, processing_deadline=processing_deadline
    )
    if current < deadline:
        now_text = render("seller.awaiting.now", elapsed=elapsed(silent_for), deadline=_at(policy, deadline))
        return _decision(
            rule_id,
            "awaiting_seller",
            now_text,
            reason=reason,
            facts=facts,
            next_step="escalate",
            next_at=deadline,
            options=options,
        )
    escalate = _escalates(policy, "seller_silent")
    return Decision(
        rule_id=rule_id,
        state="seller_silent",
        now=render("seller.silent.now", elapsed=elapsed(silent_for), window=window),
        next_step="escalate",
        next_at=deadline,
        window=None,
        escalate=escalate,
        escalation_reason=render("seller.escalation_reason", elapsed=elapsed(silent_for), window=window)
        if escalate
        else None,
        reason=reason,
        options=options,
        facts=facts,
        escalation_topic="seller_silent" if escalate else None,
    )


# --- issue.* ------------------------------------------------------------------------------


def seller_response_deadline(policy: MarketPolicy, reported_at: datetime) -> datetime:
    """Rule issue.seller_response_window: the report time + 48 h (plain hours)."""
    return utc(reported_at, "reported_at") + timedelta(hours=policy.issue_seller_response_hours)


def issue_review(
    policy: MarketPolicy,
    *,
    reported_at: datetime,
    now: datetime,
    seller_responded_at: datetime | None = None,
    buyer_rejected_answer: bool = False,
) -> Decision:
    """A problem or return report: awaiting_seller -> seller_responded, or platform_review when the
    seller has not answered by the deadline (an answer at or after it is too late) or the buyer
    rejected the answer."""
    reported, current = utc(reported_at, "reported_at"), utc(now, "now")
    responded = utc_or_none(seller_responded_at, "seller_responded_at")
    if not _happened(responded, current):
        responded = None
    deadline = seller_response_deadline(policy, reported)
    window = count(policy.issue_seller_response_hours, "hour")
    reason = render("issue.reason", window=window)
    facts: dict[str, object] = {
        "reported_at": _iso(reported),
        "deadline": _iso(deadline),
        "seller_responded_at": _iso(responded),
        "response_window_hours": policy.issue_seller_response_hours,
        "buyer_rejected_answer": buyer_rejected_answer,
    }
    answered_in_time = responded is not None and responded < deadline
    if buyer_rejected_answer or (not answered_in_time and current >= deadline):
        facts["seller_responded_late"] = responded is not None and not answered_in_time
        if buyer_rejected_answer:
            now_text = render("issue.platform_review.rejected.now")
            why = render("issue.escalation_reason.rejected")
        else:
            now_text = render(
                "issue.platform_review.no_response.now", window=window, deadline=_at(policy, deadline)
            )
            why = render("issue.escalation_reason.no_response", window=window)
        return _decision(
            "issue.platform_review",
            "platform_review",
            now_text,
            reason=reason,
            facts=facts,
            next_step="platform_review",
            next_at=current if buyer_rejected_answer else deadline,
            escalate=True,
            escalation_reason=why,
        )
    rule_id = "issue.seller_response_window"
    if answered_in_time:
        assert responded is not None
        now_text = render("issue.seller_responded.now", responded_at=_at(policy, responded))
        return _decision(
            rule_id,
            "seller_responded",
            now_text,
            reason=reason,
            facts=facts,
            options=("accept_answer", "reject_answer"),
        )
    now_text = render(
        "issue.awaiting_seller.now",
        reported_at=_at(policy, reported),
        window=window,
        deadline=_at(policy, deadline),
    )
    return _decision(
        rule_id,
        "awaiting_seller",
        now_text,
        reason=reason,
        facts=facts,
        next_step="platform_review",
        next_at=deadline,
    )


def missing_evidence(provided: Iterable[str], policy: MarketPolicy | None = None) -> tuple[str, ...]:
    """Rule issue.required_evidence: the required keys not yet provided, in the order to ask for them
    (order_number, product_number, photo, description). Unknown keys in ``provided`` are ignored."""
    have = set(provided)
    required = policy.required_evidence if policy is not None else EVIDENCE_KEYS
    return tuple(key for key in EVIDENCE_KEYS if key in required and key not in have)


# --- refund.processing_window / refund.mismatch ------------------------------------------


def refund_expected_window(policy: MarketPolicy, approved_at: datetime) -> tuple[datetime, datetime]:
    """The 1st and 10th business day after approval, at the approval's local time (UTC instants)."""
    calendar = BusinessCalendar.of(policy)
    approved = utc(approved_at, "approved_at")
    return (
        calendar.add_business_days(approved, policy.refund_min_business_days),
        calendar.add_business_days(approved, policy.refund_max_business_days),
    )


def refund_window_for_display(policy: MarketPolicy, approved_at: datetime, lang: str) -> str:
    """ "Sunday 22 March – Tuesday 7 April" / "يوم الأحد 22 مارس – يوم الثلاثاء 7 أبريل" (market timezone)."""
    start, end = refund_expected_window(policy, approved_at)
    return f"{format_day(start, policy.timezone, lang)} – {format_day(end, policy.timezone, lang)}"


def refund_status(
    policy: MarketPolicy, *, approved_at: datetime, now: datetime, refunded_at: datetime | None = None
) -> Decision:
    """An approved refund: processing (before the window) -> within_window -> overdue (after the
    window's end instant, like every other deadline): escalate as "refund later than expected". ``refunded`` ends it."""
    approved, current = utc(approved_at, "approved_at"), utc(now, "now")
    refunded = utc_or_none(refunded_at, "refunded_at")
    calendar = BusinessCalendar.of(policy)
    start, end = refund_expected_window(policy, approved)
    days_elapsed = calendar.business_days_between(approved, current)
    span = count_range(policy.refund_min_business_days, policy.refund_max_business_days, "business_day")
    reason = render("refund.reason", range=span)
    facts: dict[str, object] = {
        "approved_at": _iso(approved),
        "window_start": _iso(start),
        "window_end": _iso(end),
        "business_days_elapsed": days_elapsed,
        "min_business_days": policy.refund_min_business_days,
        "max_business_days": policy.refund_max_business_days,
    }
    rule_id = "refund.processing_window"
    window = (start, end)
    if _happened(refunded, current):
        assert refunded is not None
        facts["refunded_at"] = _iso(refunded)
        now_text = render("refund.refunded.now", refunded_at=_on(policy, refunded))
        return _decision(
            rule_id, "refunded", now_text, reason=reason, facts=facts, next_step="wait", window=window
        )
    ago = count(days_elapsed, "business_day")
    if current >= end:
        escalate = _escalates(policy, "refund_late")
        return Decision(
            rule_id=rule_id,
            state="overdue",
            now=render(
                "refund.overdue.now",
                approved_at=_on(policy, approved),
                elapsed=ago,
                range=span,
                end=_on(policy, end),
            ),
            next_step="escalate",
            next_at=end,
            window=window,
            escalate=escalate,
            escalation_reason=render("refund.escalation_reason", end=_on(policy, end)) if escalate else None,
            reason=reason,
            facts=facts,
            escalation_topic="refund_late" if escalate else None,
        )
    if current < start:
        state = "processing"
        now_text = render(
            "refund.pending.now",
            approved_at=_on(policy, approved),
            range=span,
            start=_on(policy, start),
            end=_on(policy, end),
        )
    else:
        state = "within_window"
        now_text = render(
            "refund.within_window.now",
            approved_at=_on(policy, approved),
            elapsed=ago,
            range=span,
            end=_on(policy, end),
        )
    return _decision(
        rule_id, state, now_text, reason=reason, facts=facts, next_step="escalate", next_at=end, window=window
    )


def refund_mismatch(policy: MarketPolicy, *, expected: Decimal, refunded: Decimal) -> Decision:
    """Rule refund.mismatch: a refund short of the expected amount can be taken to a dispute."""
    for name, value in (("expected", expected), ("refunded", refunded)):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{name}: expected a finite Decimal, got {value!r}")

    def money(amount: Decimal) -> Text:
        return Text(
            ar=format_money(amount, policy.currency, "ar"), en=format_money(amount, policy.currency, "en")
        )

    reason = render("refund.mismatch.reason")
    facts: dict[str, object] = {
        "expected": str(expected),
        "refunded": str(refunded),
        "currency": policy.currency,
    }
    if refunded >= expected:
        now_text = render("refund.mismatch.matches.now", refunded=money(refunded), expected=money(expected))
        return _decision("refund.mismatch", "matches", now_text, reason=reason, facts=facts)
    facts["difference"] = str(expected - refunded)
    now_text = render(
        "refund.mismatch.short.now",
        refunded=money(refunded),
        expected=money(expected),
        difference=money(expected - refunded),
    )
    return _decision(
        "refund.mismatch", "short", now_text, reason=reason, facts=facts, options=("open_dispute",)
    )


# --- return.auto_refund / return.free_return_carrier_lag ---------------------------------


def return_auto_refund_deadline(policy: MarketPolicy, shipped_back_at: datetime) -> datetime:
    """shipped_back_at + 17 calendar days, at the same local wall-clock time in the market."""
    local = utc(shipped_back_at, "shipped_back_at").astimezone(policy.zone)
    return (local + timedelta(days=policy.return_auto_refund_days)).astimezone(UTC)


def return_parcel(
    policy: MarketPolicy,
    *,
    shipped_back_at: datetime,
    now: datetime,
    delivered_at: datetime | None = None,
    free_return: bool = False,
) -> Decision:
    """A parcel sent back: in_transit -> auto_refund_started when delivery is still unconfirmed at
    shipped_back_at + 17 days (the refund window then runs from that instant), or delivered."""
    shipped, current = utc(shipped_back_at, "shipped_back_at"), utc(now, "now")
    delivered = utc_or_none(delivered_at, "delivered_at")
    deadline = return_auto_refund_deadline(policy, shipped)
    window_text = count(policy.return_auto_refund_days, "day")
    lag_min, lag_max = policy.free_return_lag_days
    reason = render("return.reason", window=window_text)
    facts: dict[str, object] = {
        "shipped_back_at": _iso(shipped),
        "deadline": _iso(deadline),
        "auto_refund_days": policy.return_auto_refund_days,
        "days_since_shipped": max(current - shipped, timedelta(0)).days,
        "free_return": free_return,
    }
    if free_return:
        facts["carrier_lag_days"] = [lag_min, lag_max]
    rule_id = "return.auto_refund"
    if _happened(delivered, current) and delivered is not None and delivered < deadline:
        facts["delivered_at"] = _iso(delivered)
        now_text = render("return.delivered.now", delivered_at=_on(policy, delivered))
        return _decision(rule_id, "delivered", now_text, reason=reason, facts=facts)
    if current >= deadline:
        start, end = refund_expected_window(policy, deadline)
        now_text = render(
            "return.auto_refund.now",
            window=window_text,
            deadline=_on(policy, deadline),
            start=_on(policy, start),
            end=_on(policy, end),
        )
        return _decision(
            rule_id,
            "auto_refund_started",
            now_text,
            reason=reason,
            facts=facts,
            next_step="auto_refund",
            next_at=deadline,
            window=(start, end),
        )
    now_text = render(
        "return.in_transit.now",
        shipped_at=_on(policy, shipped),
        deadline=_at(policy, deadline),
        window=window_text,
    )
    if free_return:
        # rule return.free_return_carrier_lag: tracking of free returns may show up a day or two late
        now_text = join(now_text, render("return.free_return_lag", lag=count_range(lag_min, lag_max, "day")))
    return _decision(
        rule_id, "in_transit", now_text, reason=reason, facts=facts, next_step="auto_refund", next_at=deadline
    )


# --- order.* ------------------------------------------------------------------------------


def order_processing(
    policy: MarketPolicy, *, processing_deadline: datetime, now: datetime, shipped: bool
) -> Decision:
    """Rule order.auto_closed for seller delay: an order still unshipped at its processing deadline
    is closed by the system and refunded at once (the refund window runs from the deadline)."""
    deadline, current = utc(processing_deadline, "processing_deadline"), utc(now, "now")
    reason = render("order.auto_closed.reason")
    facts: dict[str, object] = {"processing_deadline": _iso(deadline), "shipped": shipped}
    rule_id = "order.auto_closed"
    if shipped:
        return _decision(rule_id, "shipped", render("order.shipped.now"), reason=reason, facts=facts)
    if current < deadline:
        now_text = render("order.awaiting_shipment.now", deadline=_at(policy, deadline))
        return _decision(
            rule_id,
            "awaiting_shipment",
            now_text,
            reason=reason,
            facts=facts,
            next_step="close_and_refund",
            next_at=deadline,
        )
    start, end = refund_expected_window(policy, deadline)
    now_text = render(
        "order.auto_closed.now",
        deadline=_at(policy, deadline),
        start=_on(policy, start),
        end=_on(policy, end),
    )
    facts["cause"] = "seller_delay"
    return _decision(
        rule_id,
        "auto_closed",
        now_text,
        reason=reason,
        facts=facts,
        next_step="close_and_refund",
        next_at=deadline,
        window=(start, end),
    )


def auto_closed_order(policy: MarketPolicy, *, closed_at: datetime, cause: str) -> Decision:
    """An order the system has closed (``cause`` in AUTO_CLOSE_CAUSES): say why, and that the refund
    started at once, with its expected window."""
    if cause not in AUTO_CLOSE_CAUSES:
        raise ValueError(f"cause: expected one of {', '.join(AUTO_CLOSE_CAUSES)}, got {cause!r}")
    closed = utc(closed_at, "closed_at")
    start, end = refund_expected_window(policy, closed)
    now_text = render(
        "order.closed.now",
        closed_at=_on(policy, closed),
        cause=AUTO_CLOSE_CAUSE_LABELS[cause],
        start=_on(policy, start),
        end=_on(policy, end),
    )
    facts: dict[str, object] = {
        "closed_at": _iso(closed),
        "cause": cause,
        "window_start": _iso(start),
        "window_end": _iso(end),
    }
    return _decision(
        "order.auto_closed",
        "auto_closed",
        now_text,
        reason=render("order.auto_closed.reason"),
        facts=facts,
        window=(start, end),
    )


def address_change(policy: MarketPolicy, *, shipped: bool) -> Decision:
    """Rules order.no_modification and order.wrong_address: details never change after confirmation;
    before shipment the buyer may cancel and order again, after shipment cancellation is impossible."""
    reason = render("order.address.reason")
    facts: dict[str, object] = {"shipped": shipped}
    if shipped:
        return _decision(
            "order.wrong_address",
            "cannot_cancel",
            render("order.address.shipped.now"),
            reason=reason,
            facts=facts,
        )
    return _decision(
        "order.wrong_address",
        "can_cancel",
        render("order.address.unshipped.now"),
        reason=reason,
        facts=facts,
        next_step="cancel_and_reorder",
        options=("cancel_order",),
    )


def missing_order_advice(policy: MarketPolicy) -> Decision:
    """Rule order.missing: suggest another login and archived/filtered orders. Reveals nothing about
    other accounts."""
    return _decision(
        "order.missing",
        "not_in_account",
        render("order.missing.now"),
        reason=render("order.missing.reason"),
        facts={},
        options=("search_my_orders", "check_other_login", "check_archived"),
    )
