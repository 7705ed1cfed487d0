"""The one table of allowed case transitions (plain Python, no Django).

Every status change of every case goes through :func:`check`; nothing else writes ``Case.status``.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    DISPUTE = "dispute"  # a problem report against an order: damaged, wrong, not arrived, refund mismatch…
    RETURN = "return"  # the buyer sends an item back
    REFUND = "refund"  # money going back to the buyer, with an itemised breakdown
    CANCELLATION = "cancellation"  # the buyer ends an order before it ships


class Status(StrEnum):
    # disputes
    COLLECTING_EVIDENCE = "collecting_evidence"  # opened; waiting for the required evidence
    AWAITING_SELLER = "awaiting_seller"  # evidence complete; the seller's response window runs (deadline)
    SELLER_RESPONDED = "seller_responded"  # the seller answered; the buyer accepts or rejects
    PLATFORM_REVIEW = "platform_review"  # the platform decides (seller silent or answer rejected)
    RESOLVED = "resolved"  # settled (in the buyer's favour or by agreement)
    REJECTED = "rejected"  # refused (dispute decided for the seller, return or refund refused)
    WITHDRAWN = "withdrawn"  # the buyer withdrew it
    # returns
    REQUESTED = "requested"  # the buyer asked to return / to cancel
    APPROVED = "approved"  # return approved, waiting for the buyer to ship; refund approved, being processed (deadline)
    IN_TRANSIT = "in_transit"  # the parcel is on its way back (deadline: automatic refund)
    RECEIVED = "received"  # the seller confirmed delivery of the returned parcel
    AUTO_REFUNDED = "auto_refunded"  # not confirmed in time; refund processing started automatically
    # refunds
    PENDING = "pending"  # proposed, not yet approved
    OVERDUE = "overdue"  # approved but later than the expected window; escalated (deadline passed)
    COMPLETED = "completed"  # money sent / cancellation done / return closed


# from-status → allowed to-statuses, per kind. A kind's first key is where new cases start.
TRANSITIONS: dict[Kind, dict[Status, frozenset[Status]]] = {
    Kind.DISPUTE: {
        Status.COLLECTING_EVIDENCE: frozenset({Status.AWAITING_SELLER, Status.PLATFORM_REVIEW, Status.WITHDRAWN}),
        Status.AWAITING_SELLER: frozenset(
            {Status.SELLER_RESPONDED, Status.PLATFORM_REVIEW, Status.RESOLVED, Status.WITHDRAWN}
        ),
        Status.SELLER_RESPONDED: frozenset({Status.RESOLVED, Status.PLATFORM_REVIEW, Status.WITHDRAWN}),
        Status.PLATFORM_REVIEW: frozenset({Status.RESOLVED, Status.REJECTED, Status.WITHDRAWN}),
        Status.RESOLVED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    },
    Kind.RETURN: {
        Status.REQUESTED: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
        Status.APPROVED: frozenset({Status.IN_TRANSIT, Status.WITHDRAWN}),
        Status.IN_TRANSIT: frozenset({Status.RECEIVED, Status.AUTO_REFUNDED}),
        Status.RECEIVED: frozenset({Status.COMPLETED, Status.REJECTED}),
        Status.AUTO_REFUNDED: frozenset({Status.COMPLETED}),
        Status.COMPLETED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    },
    Kind.REFUND: {
        Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED}),
        Status.APPROVED: frozenset({Status.COMPLETED, Status.OVERDUE}),
        Status.OVERDUE: frozenset({Status.COMPLETED}),
        Status.COMPLETED: frozenset(),
        Status.REJECTED: frozenset(),
    },
    Kind.CANCELLATION: {
        Status.REQUESTED: frozenset({Status.COMPLETED, Status.REJECTED}),
        Status.COMPLETED: frozenset(),
        Status.REJECTED: frozenset(),
    },
}

class TransitionNotAllowed(ValueError):
    def __init__(self, kind: str, old: str, new: str) -> None:
        super().__init__(f"a {kind} cannot go from {old!r} to {new!r}")
        self.kind, self.old, self.new = kind, old, new


def initial_statuses(kind: Kind) -> frozenset[Status]:
    """Statuses a new case of this kind may be created in: the first, plus those reachable at once
    when an action completes in one step (a refund approved on creation, a cancellation done at once)."""
    first = next(iter(TRANSITIONS[kind]))
    return frozenset({first}) | TRANSITIONS[kind][first]


def is_terminal(kind: str, status: str) -> bool:
    return not TRANSITIONS[Kind(kind)][Status(status)]


def can_transition(kind: str, old: str, new: str) -> bool:
    try:
        return Status(new) in TRANSITIONS[Kind(kind)][Status(old)]
    except (KeyError, ValueError):
        return False


def check(kind: str, old: str, new: str) -> None:
    if not can_transition(kind, old, new):
        raise TransitionNotAllowed(kind, old, new)
