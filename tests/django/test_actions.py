"""Action functions: what they change, what they refuse (by code), and the audit rows they leave."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest

from awn.cases import actions
from awn.cases.actions import LineSpec
from awn.cases.errors import ActionError, ErrorCode
from awn.cases.models import Case, Escalation, Evidence, RefundLine
from awn.core.models import Actor, AuditEvent
from awn.marketplace.access import OrderAccessError, get_order_for_customer
from awn.marketplace.models import OrderStatus, OrderStatusChange
from tests.django import factories as f

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000000049454e44ae426082"
)


def codes(exc_info: pytest.ExceptionInfo[ActionError]) -> ErrorCode:
    return exc_info.value.code


def case_trail(case: Case) -> list[tuple[str, str, str, str]]:
    return list(
        AuditEvent.objects.filter(subject_type="case", subject_id=case.pk)
        .order_by("id").values_list("action", "old_value", "new_value", "actor")
    )


# --------------------------------------------------------------------------- access


def test_order_lookup_accepts_arabic_indic_digits_and_hides_other_buyers_orders(riyadh_buyer, outsider, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, placed_at=now, number="81234567")
    assert get_order_for_customer(riyadh_buyer, "#٨١٢٣-٤٥٦٧") == order
    with pytest.raises(OrderAccessError) as other:
        get_order_for_customer(outsider, "81234567")
    with pytest.raises(OrderAccessError) as unknown:
        get_order_for_customer(outsider, "99999999")
    # Someone else's order and a non-existent one are indistinguishable to the caller.
    assert other.value.code == unknown.value.code == "order_not_found"
    with pytest.raises(OrderAccessError):
        get_order_for_customer(riyadh_buyer, "no digits here")


# --------------------------------------------------------------------------- cancel


def test_cancel_unshipped_order_refunds_what_was_paid_and_audits_everything(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, placed_at=now - timedelta(hours=3),
                    items=(("P-1", "100.00", 2), ("P-2", "49.50", 1)), shipping="15.00")
    cancellation = actions.cancel_order(order, actor=Actor.BUYER, reason="\u202bطلبت بالخطأ\u202c", now=now)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert cancellation.kind == "cancellation" and cancellation.status == "completed"
    assert cancellation.description == "طلبت بالخطأ"  # bidi controls stripped
    refund = Case.objects.get(order=order, kind="refund")
    assert refund.status == "approved" and refund.amount == Decimal("264.50")
    lines = {line.kind: line.amount for line in RefundLine.objects.filter(case=refund)}
    assert lines == {"item": Decimal("249.50"), "shipping": Decimal("15.00")}
    assert refund.expected_from is not None and refund.expected_to is not None
    assert refund.deadline_at == refund.expected_to  # escalates if still unpaid after the window
    assert list(OrderStatusChange.objects.filter(order=order).values_list("old_status", "new_status")) == [
        ("processing", "cancelled")
    ]
    assert AuditEvent.objects.filter(subject_type="order", subject_id=order.pk, new_value="cancelled").count() == 1
    assert case_trail(refund) == [("opened", "", "approved", "buyer")]


def test_cancel_refused_after_shipment_and_when_already_cancelled(riyadh_buyer, shenzhen_seller, now):
    shipped = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=2))
    with pytest.raises(ActionError) as exc:
        actions.cancel_order(shipped, actor=Actor.BUYER, now=now)
    assert codes(exc) == ErrorCode.ORDER_ALREADY_SHIPPED
    assert not Case.objects.filter(order=shipped).exists()

    order = f.order(riyadh_buyer, shenzhen_seller, placed_at=now - timedelta(hours=1))
    actions.cancel_order(order, actor=Actor.BUYER, now=now)
    with pytest.raises(ActionError) as again:
        actions.cancel_order(order, actor=Actor.BUYER, now=now)
    assert codes(again) == ErrorCode.ORDER_NOT_CANCELLABLE
    assert Case.objects.filter(order=order, kind="refund").count() == 1  # refunded once


def test_cancel_unpaid_order_creates_no_refund(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.PENDING_PAYMENT, placed_at=now, paid=False)
    actions.cancel_order(order, actor=Actor.BUYER, now=now)
    assert not Case.objects.filter(order=order, kind="refund").exists()


# --------------------------------------------------------------------------- disputes and evidence


def test_damaged_item_dispute_collects_all_four_pieces_then_starts_the_seller_window(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=9),
                    items=(("P-TV55", "1899.00", 1), ("P-CABLE", "20.00", 1)))
    case = actions.open_dispute(order, reason="damaged", actor=Actor.BUYER, now=now)
    assert case.status == "collecting_evidence" and case.deadline_at is None
    assert actions.missing_evidence(case) == ("product_number", "photo", "description")

    with pytest.raises(ActionError) as wrong_product:
        actions.submit_evidence(case, kind="product_number", value="P-OTHER", actor=Actor.BUYER, now=now)
    assert codes(wrong_product) == ErrorCode.ITEM_NOT_IN_ORDER
    assert wrong_product.value.params["choices"] == ["P-CABLE", "P-TV55"]
    with pytest.raises(ActionError) as wrong_order:
        actions.submit_evidence(case, kind="order_number", value="12345678", actor=Actor.BUYER, now=now)
    assert codes(wrong_order) == ErrorCode.EVIDENCE_INVALID
    with pytest.raises(ActionError) as not_image:
        actions.submit_evidence(case, kind="photo", photo=b"%PDF-1.4 not an image", content_type="image/png",
                                actor=Actor.BUYER, now=now)
    assert not_image.value.params["field"] == "photo"
    with pytest.raises(ActionError) as empty_photo:
        actions.submit_evidence(case, kind="photo", photo=b"", content_type="image/png", actor=Actor.BUYER, now=now)
    assert codes(empty_photo) == ErrorCode.EVIDENCE_INVALID
    with pytest.raises(ActionError) as short:
        actions.submit_evidence(case, kind="description", value="  \u200f مكسور \u200f ", actor=Actor.BUYER, now=now)
    assert short.value.params["field"] == "description"
    with pytest.raises(ActionError) as huge:
        actions.submit_evidence(case, kind="description", value="ك" * 5000, actor=Actor.BUYER, now=now)
    assert huge.value.params["max"] == 2000
    assert Evidence.objects.filter(case=case).count() == 1  # only the order number, from the order itself

    actions.submit_evidence(case, kind="product_number", value="p-tv55", actor=Actor.BUYER, now=now)
    photo = actions.submit_evidence(case, kind="photo", photo=PNG, content_type="image/png", actor=Actor.BUYER, now=now)
    assert photo.sha256 == hashlib.sha256(PNG).hexdigest() and photo.size == len(PNG)
    assert photo.file.read() == PNG
    actions.submit_evidence(case, kind="description", value="وصلت الشاشة مكسورة من الزاوية اليسرى", actor=Actor.BUYER,
                            now=now + timedelta(minutes=5))
    case.refresh_from_db()
    assert case.status == "awaiting_seller"
    assert case.deadline_at == now + timedelta(minutes=5, hours=48)  # issue.seller_response_window
    assert case_trail(case)[-1] == ("transition", "collecting_evidence", "awaiting_seller", "buyer")


def test_one_open_dispute_per_order_and_reasons_are_checked(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=9))
    with pytest.raises(ActionError) as bad_reason:
        actions.open_dispute(order, reason="bored", actor=Actor.BUYER, now=now)
    assert codes(bad_reason) == ErrorCode.INVALID_REASON
    first = actions.open_dispute(order, reason="wrong_item", actor=Actor.BUYER, now=now)
    with pytest.raises(ActionError) as twice:
        actions.open_dispute(order, reason="damaged", actor=Actor.BUYER, now=now)
    assert codes(twice) == ErrorCode.CASE_ALREADY_OPEN and twice.value.params["case_id"] == first.pk
    unshipped = f.order(riyadh_buyer, shenzhen_seller, placed_at=now)
    with pytest.raises(ActionError) as early:
        actions.open_dispute(unshipped, reason="not_arrived", actor=Actor.BUYER, now=now)
    assert codes(early) == ErrorCode.ORDER_NOT_SHIPPED


def test_buyer_rejecting_the_sellers_answer_sends_the_case_to_platform_review_once(riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status=OrderStatus.SHIPPED, placed_at=now - timedelta(days=20))
    case = actions.open_dispute(order, reason="not_arrived", actor=Actor.BUYER,
                                description="The parcel never came and tracking stopped.", now=now)
    assert case.status == "awaiting_seller"  # order number + description are enough for non-delivery
    actions.seller_respond(case, answer="It was delivered to the neighbour.", now=now + timedelta(hours=5))
    with pytest.raises(ActionError):
        actions.seller_respond(case, answer="again", now=now + timedelta(hours=6))  # not from seller_responded
    actions.reject_seller_answer(case, now=now + timedelta(hours=7))
    case.refresh_from_db()
    assert case.status == "platform_review" and case.deadline_at is None
    escalation = Escalation.objects.get(case=case)
    assert escalation.rule_id == "issue.platform_review" and escalation.reason_ar and escalation.reason_en
    actions.resolve_dispute(case, in_favour_of="buyer", actor=Actor.AGENT, actor_ref="agent-1",
                            refund_lines=[LineSpec("item", Decimal("100.00"), "not delivered")], now=now + timedelta(days=1))
    case.refresh_from_db()
    assert case.status == "resolved"
    assert [row[2] for row in case_trail(case) if row[0] == "transition"] == [
        "awaiting_seller", "seller_responded", "platform_review", "resolved"]
    with pytest.raises(ActionError) as closed:
        actions.withdraw_case(case, now=now + timedelta(days=2))
    assert codes(closed) == ErrorCode.TRANSITION_NOT_ALLOWED


# --------------------------------------------------------------------------- refunds


def test_refunds_never_exceed_what_was_paid_across_several_refunds(cairo_buyer, shenzhen_seller, now):
    order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=9),
                    items=(("P-1", "300.00", 1),), shipping="50.00")  # paid 350.00
    actions.approve_refund(order, lines=[LineSpec("negotiated_partial", Decimal("200.00"))], actor=Actor.SELLER, now=now)
    with pytest.raises(ActionError) as over:
        actions.approve_refund(order, lines=[LineSpec("item", Decimal("100.00")), LineSpec("shipping", Decimal("50.01"))],
                               actor=Actor.AGENT, now=now)
    assert codes(over) == ErrorCode.REFUND_EXCEEDS_PAID
    actions.approve_refund(order, lines=[LineSpec("item", Decimal("100.00")), LineSpec("shipping", Decimal("50.00"))],
                           actor=Actor.AGENT, now=now)
    assert sum(c.amount for c in Case.objects.filter(order=order, kind="refund")) == Decimal("350.00")


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], ErrorCode.REFUND_BREAKDOWN_INVALID),
        ([LineSpec("item", Decimal("-1.00"))], ErrorCode.REFUND_BREAKDOWN_INVALID),
        ([LineSpec("gift", Decimal("1.00"))], ErrorCode.REFUND_BREAKDOWN_INVALID),
        ([LineSpec("item", Decimal("1.001"))], ErrorCode.REFUND_BREAKDOWN_INVALID),
        ([LineSpec("item", "abc")], ErrorCode.REFUND_BREAKDOWN_INVALID),  # type: ignore[arg-type]
        ([LineSpec("item", Decimal("NaN"))], ErrorCode.REFUND_BREAKDOWN_INVALID),
    ],
)
def test_bad_refund_breakdowns_are_refused_with_a_code(cairo_buyer, shenzhen_seller, now, lines, code):
    order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now)
    with pytest.raises(ActionError) as exc:
        actions.approve_refund(order, lines=lines, actor=Actor.AGENT, now=now)
    assert codes(exc) == code
    assert not Case.objects.filter(order=order).exists()


def test_nothing_paid_nothing_refunded(cairo_buyer, shenzhen_seller, now):
    order = f.order(cairo_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now, paid=False)
    with pytest.raises(ActionError) as exc:
        actions.approve_refund(order, lines=[LineSpec("item", Decimal("1.00"))], actor=Actor.AGENT, now=now)
    assert codes(exc) == ErrorCode.NOTHING_PAID


def test_return_flow_and_refund_paid(dubai_buyer, shenzhen_seller, now):
    order = f.order(dubai_buyer, shenzhen_seller, status=OrderStatus.DELIVERED, placed_at=now - timedelta(days=10))
    case = actions.request_return(order, now=now)
    actions.approve_return(case, now=now + timedelta(hours=1))
    actions.ship_return(case, carrier="Test Post", tracking_number="RT1", free_return=True, now=now + timedelta(days=1))
    case.refresh_from_db()
    assert case.status == "in_transit"
    assert case.deadline_at == now + timedelta(days=18)  # shipped + 17 days (return.auto_refund)
    actions.confirm_return_received(case, now=now + timedelta(days=4))
    case.refresh_from_db()
    assert case.status == "received" and case.deadline_at is None and case.return_parcel.delivered_at is not None
    refund = actions.approve_refund(order, lines=[LineSpec("item", Decimal("100.00"))], actor=Actor.SELLER,
                                    related_case=case, now=now + timedelta(days=4))
    paid = actions.mark_refund_paid(refund, now=now + timedelta(days=6))
    assert paid.status == "completed" and paid.deadline_at is None and paid.refunded_at == now + timedelta(days=6)
