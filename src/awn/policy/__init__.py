"""Awn's buyer-protection policy: market calendars, rules and decisions, as plain Python.

No Django, no clock: every rule takes ``now`` and returns a :class:`Decision` naming the rule
id and the reason in Arabic and English. See docs/adr/0002-business-time.md.
"""

from awn.policy.business_calendar import BusinessCalendar
from awn.policy.config import RULE_PARAMS, ExtraHoliday, MarketPolicy, load_policy
from awn.policy.decision import Decision, Text
from awn.policy.errors import PolicyError, RefundBreakdownError, RefundBreakdownErrorCode
from awn.policy.formatting import format_date, format_datetime, format_day, format_money
from awn.policy.refunds import validate_refund_breakdown
from awn.policy.rules import (
    RULES,
    Rule,
    address_change,
    auto_closed_order,
    issue_review,
    missing_evidence,
    missing_order_advice,
    order_processing,
    payment_escalation_deadline,
    payment_verification,
    refund_expected_window,
    refund_mismatch,
    refund_status,
    refund_window_for_display,
    return_auto_refund_deadline,
    return_parcel,
    seller_reply_deadline,
    seller_response_deadline,
    seller_silence,
    seller_silent_options,
)
from awn.policy.texts import (
    AUTO_CLOSE_CAUSE_LABELS,
    ESCALATION_TOPICS,
    EVIDENCE_LABELS,
    OPTION_LABELS,
    REFUND_LINE_LABELS,
)
from awn.policy.vocab import (
    AUTO_CLOSE_CAUSES,
    ESCALATION_TOPIC_KEYS,
    EVIDENCE_KEYS,
    MARKETS,
    REFUND_LINE_KINDS,
    SELLER_SILENT_OPTIONS,
)

__all__ = [
    "AUTO_CLOSE_CAUSES",
    "AUTO_CLOSE_CAUSE_LABELS",
    "ESCALATION_TOPICS",
    "ESCALATION_TOPIC_KEYS",
    "EVIDENCE_KEYS",
    "EVIDENCE_LABELS",
    "MARKETS",
    "OPTION_LABELS",
    "REFUND_LINE_KINDS",
    "REFUND_LINE_LABELS",
    "RULES",
    "RULE_PARAMS",
    "SELLER_SILENT_OPTIONS",
    "BusinessCalendar",
    "Decision",
    "ExtraHoliday",
    "MarketPolicy",
    "PolicyError",
    "RefundBreakdownError",
    "RefundBreakdownErrorCode",
    "Rule",
    "Text",
    "address_change",
    "auto_closed_order",
    "format_date",
    "format_datetime",
    "format_day",
    "format_money",
    "issue_review",
    "load_policy",
    "missing_evidence",
    "missing_order_advice",
    "order_processing",
    "payment_escalation_deadline",
    "payment_verification",
    "refund_expected_window",
    "refund_mismatch",
    "refund_status",
    "refund_window_for_display",
    "return_auto_refund_deadline",
    "return_parcel",
    "seller_reply_deadline",
    "seller_response_deadline",
    "seller_silence",
    "seller_silent_options",
    "validate_refund_breakdown",
]
