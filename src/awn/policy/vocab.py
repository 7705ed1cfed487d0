"""Closed vocabularies shared by the policy files, the rules and their callers.

Each tuple is in display order. Policy files may only name values listed here.
"""

from __future__ import annotations

MARKETS: tuple[str, ...] = ("SA", "EG", "AE", "MA")

WEEKDAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

# rule seller.silent_options
FIND_ANOTHER_SELLER = "find_another_seller"  # buy the same product from another seller
CANCEL_ORDER = "cancel_order"  # cancel; for a silent seller only once the processing window has closed
OPEN_DISPUTE = "open_dispute"  # open a dispute; for a silent seller only once the order has shipped
SELLER_SILENT_OPTIONS: tuple[str, ...] = (FIND_ANOTHER_SELLER, CANCEL_ORDER, OPEN_DISPUTE)

# rule issue.required_evidence, in the order the assistant asks for them
EVIDENCE_KEYS: tuple[str, ...] = ("order_number", "product_number", "photo", "description")

# rule refund.partial_reasons: the kinds of line an itemised refund ("refund details") may have
REFUND_LINE_KINDS: tuple[str, ...] = (
    "item",  # the price of the returned / refunded item(s)
    "shipping",  # shipping fees
    "negotiated_partial",  # a partial refund agreed with the seller
    "customs",  # customs duties
    "logistics_fee",  # third-party logistics fees
    "separate_shipping",  # shipping that was paid separately
    "partial_return",  # only part of a return was approved
)

# rule order.auto_closed: why the system closed an order
AUTO_CLOSE_CAUSES: tuple[str, ...] = ("payment_failure", "out_of_stock", "seller_delay")

# rule escalate.when
ESCALATION_TOPIC_KEYS: tuple[str, ...] = (
    "payment_verification_overdue",
    "seller_silent",
    "wrong_item",
    "damaged_or_defective",
    "not_arrived",
    "account_access",
    "dispute_help",
    "refund_late",
)
