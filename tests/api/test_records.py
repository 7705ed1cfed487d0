"""The operator feeds Awn its records: idempotent upserts, audited changes, and rules through the actions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from awn.cases.models import Case
from awn.channels.api.models import OperatorRef
from awn.core.models import AuditEvent
from awn.helpdesk.models import OfficialChannel
from awn.marketplace.models import (
    Customer,
    CustomerIdentity,
    Order,
    OrderStatusChange,
    Payment,
    Product,
    SellerThread,
    Shipment,
    TrackingEvent,
)
from tests.api.helpers import error
from tests.django import factories as f

pytestmark = pytest.mark.django_db


def iso(dt) -> str:  # type: ignore[no-untyped-def]
    return dt.isoformat()


# --------------------------------------------------------------------------- customers


def test_put_customer_creates_then_changes_nothing_when_sent_again(operator):
    body = {"display_name": "Layla", "market": "SA", "preferred_language": "en",
            "identities": [{"kind": "phone", "value": "٠٥٠٠٠٠٠٣٠١", "verified": True},
                           {"kind": "email", "value": "Layla@Example.COM"}]}
    r = operator.put("/api/v1/customers/cust-42", body)
    assert r.status_code == 201
    assert {(i["kind"], i["value"]) for i in r.json()["identities"]} == {("phone", "+966500000301"),
                                                                         ("email", "layla@example.com")}
    audits = AuditEvent.objects.filter(subject_type="customer").count()
    r = operator.put("/api/v1/customers/cust-42", body)
    assert r.status_code == 200
    assert Customer.objects.filter(external_ref="cust-42").count() == 1
    assert CustomerIdentity.objects.filter(customer__external_ref="cust-42").count() == 2
    assert AuditEvent.objects.filter(subject_type="customer").count() == audits  # nothing changed, nothing logged


def test_a_customer_update_is_audited_with_old_and_new_values(operator, api_key):
    operator.put("/api/v1/customers/cust-42", {"display_name": "Layla", "market": "SA"})
    r = operator.put("/api/v1/customers/cust-42", {"display_name": "Layla H.", "market": "AE",
                                                   "identities": [{"kind": "phone", "value": "+971500000777"}]})
    assert r.status_code == 200
    event = AuditEvent.objects.filter(subject_type="customer", action="updated").get()
    assert event.actor == "operator" and event.actor_ref == "orders-sync"
    assert event.data["changes"]["display_name"] == ["Layla", "Layla H."]
    assert event.data["changes"]["market"] == ["SA", "AE"]
    assert event.data["changes"]["identities"] == ["+phone:+971500000777"]


def test_identifiers_are_normalised_and_names_lose_bidi_overrides(operator):
    # An RLM and Arabic-Indic digits in the reference; a right-to-left override in the name.
    r = operator.put("/api/v1/customers/\u200fcust-\u0664\u0662", {"display_name": "\u202eنورة\u202c", "market": "sa"},
                     validate_request=False)  # the schema documents "SA"; lower case is forgiven
    assert r.status_code == 201
    assert r.json()["external_ref"] == "cust-42"
    customer = Customer.objects.get(external_ref="cust-42")
    assert customer.display_name == "نورة" and customer.market == "SA"
    # Joiners that Arabic typography uses stay.
    operator.put("/api/v1/customers/cust-42", {"display_name": "نو\u200cرة", "market": "SA"})
    assert Customer.objects.get(external_ref="cust-42").display_name == "نو\u200cرة"


def test_an_identity_of_another_customer_is_a_conflict(operator, riyadh_buyer):
    r = operator.put("/api/v1/customers/cust-42", {"display_name": "X", "market": "SA",
                                                   "identities": [{"kind": "phone", "value": "0500000201"}]})
    body = error(r, 409, "identity_taken")
    assert body["details"]["value"] == "+966500000201"
    assert not Customer.objects.filter(external_ref="cust-42").exists()  # nothing stored half-way


def test_invalid_customer_fields_name_their_paths(operator):
    r = operator.put("/api/v1/customers/cust-42", {"display_name": "", "market": "XX", "preferred_language": "fr",
                                                   "identities": [{"kind": "fax", "value": "1"}]},
                     validate_request=False)
    fields = {x["field"] for x in error(r, 422, "validation_error")["details"]["fields"]}
    assert {"display_name", "market", "preferred_language", "identities.0.kind"} <= fields
    r = operator.put("/api/v1/customers/cust-42", {"display_name": "X", "market": "SA",
                                                   "identities": [{"kind": "phone", "value": "12"}]})
    assert error(r, 422, "invalid_identity")["details"]["field"] == "identities.0.value"
    r = operator.put("/api/v1/customers/bad%20ref%20!", {"display_name": "X", "market": "SA"})
    error(r, 422, "validation_error")


# --------------------------------------------------------------------------- sellers and products


def test_products_need_their_seller_and_accept_arabic_indic_prices(operator):
    r = operator.put("/api/v1/products/P-9", {"seller": "s-1", "title_ar": "مصباح", "title_en": "Lamp",
                                              "price": "10.00", "currency": "SAR"})
    assert error(r, 422, "seller_not_found")["details"]["field"] == "seller"
    assert operator.put("/api/v1/sellers/s-1", {"name": "Atlas", "country": "ma",
                                                "timezone": "Africa/Casablanca"}).status_code == 201
    r = operator.put("/api/v1/products/P-9", {"seller": "s-1", "title_ar": "مصباح", "title_en": "Lamp",
                                              "price": "١٬٢٥٠٫٥٠", "currency": "mad"})
    assert r.status_code == 201 and r.json()["price"] == "1250.50"
    assert Product.objects.get(product_number="P-9").price == Decimal("1250.50")
    for bad in ("-1", "1.234", "abc", "NaN", True):
        r = operator.put("/api/v1/products/P-9", {"seller": "s-1", "title_ar": "م", "title_en": "L", "price": bad,
                                                  "currency": "MAD"}, validate_request=False)
        assert error(r, 422, "validation_error")["details"]["fields"][0]["field"] == "price"
    r = operator.put("/api/v1/sellers/s-2", {"name": "X", "country": "CN", "timezone": "Mars/Olympus"},
                     validate_request=False)
    error(r, 422, "validation_error")


# --------------------------------------------------------------------------- orders


@pytest.fixture
def catalog(operator, riyadh_buyer, shenzhen_seller):  # type: ignore[no-untyped-def]
    operator.put("/api/v1/products/P-1", {"seller": "shenzhen", "title_ar": "سماعات", "title_en": "Earbuds",
                                          "price": "100.00", "currency": "SAR"})
    operator.put("/api/v1/products/P-2", {"seller": "shenzhen", "title_ar": "شاحن", "title_en": "Charger",
                                          "price": "50.00", "currency": "SAR"})


def order_body(now, **over):  # type: ignore[no-untyped-def]
    body = {"customer": "riyadh", "seller": "shenzhen", "status": "pending_payment", "currency": "SAR",
            "shipping_fee": "20", "placed_at": iso(now - timedelta(hours=2)),
            "items": [{"product_number": "P-1", "quantity": 2}, {"product_number": "P-2", "unit_price": "45.50"}]}
    body.update(over)
    return body


def test_put_order_creates_with_items_and_history_and_is_idempotent(operator, catalog, now):
    r = operator.put("/api/v1/orders/٨١٠٠٠٠٤٢", order_body(now))
    assert r.status_code == 201
    out = r.json()
    assert out["order_number"] == "81000042" and out["items_total"] == "245.50"
    assert [i["product_number"] for i in out["items"]] == ["P-1", "P-2"]
    order = Order.objects.get(order_number="81000042")
    assert order.market == "SA" and order.total == Decimal("265.50")
    assert list(order.status_history.values_list("old_status", "new_status")) == [("", "pending_payment")]
    rows = AuditEvent.objects.count()
    assert operator.put("/api/v1/orders/81000042", order_body(now)).status_code == 200
    assert AuditEvent.objects.count() == rows and order.items.count() == 2
    assert OrderStatusChange.objects.filter(order=order).count() == 1


def test_an_order_status_change_goes_to_the_history_and_the_audit_log(operator, catalog, now, clock_at_now):
    operator.put("/api/v1/orders/81000042", order_body(now))
    r = operator.put("/api/v1/orders/81000042", order_body(now, status="processing", status_note="seller packing",
                                                           items=None, status_changed_at=iso(now)))
    assert r.status_code == 200 and r.json()["status"] == "processing"
    change = OrderStatusChange.objects.filter(order__order_number="81000042").last()
    assert (change.old_status, change.new_status, change.actor, change.at) == ("pending_payment", "processing",
                                                                               "operator", now)
    event = AuditEvent.objects.get(subject_type="order", action="status")
    assert (event.old_value, event.new_value, event.reason) == ("pending_payment", "processing", "seller packing")
    assert Order.objects.get(order_number="81000042").items.count() == 2  # items omitted: unchanged


def test_order_refusals(operator, catalog, now):
    r = operator.put("/api/v1/orders/81000042", order_body(now, items=[{"product_number": "P-404"}]))
    assert error(r, 422, "product_not_found")["details"]["field"] == "items.0.product_number"
    error(operator.put("/api/v1/orders/81000042", order_body(now, items=None)), 422, "items_required")
    error(operator.put("/api/v1/orders/81000042", order_body(now, status="closed")), 422, "closed_reason_mismatch")
    r = operator.put("/api/v1/orders/81000042", order_body(now, placed_at="2026-12-01T09:00:00"),
                     validate_request=False)
    assert error(r, 422, "validation_error")["details"]["fields"][0]["field"] == "placed_at"  # naive time
    r = operator.put("/api/v1/orders/81000042", order_body(now, items=[{"product_number": "P-1", "quantity": "two"}]),
                     validate_request=False)
    assert error(r, 422, "validation_error")["details"]["fields"][0]["field"] == "items.0.quantity"
    error(operator.put("/api/v1/orders/81-x", order_body(now)), 422, "validation_error")
    error(operator.get("/api/v1/orders/99999999"), 404, "order_not_found")
    assert not Order.objects.exists()


# --------------------------------------------------------------------------- payments


@pytest.fixture
def pending_order(operator, catalog, now):  # type: ignore[no-untyped-def]
    operator.put("/api/v1/orders/81000042", order_body(now))
    return Order.objects.get(order_number="81000042")


def test_a_submitted_payment_goes_through_submit_payment_once(operator, pending_order, now):
    body = {"method": "bank_transfer", "amount": "٢٦٥٫٥٠", "submitted_at": iso(now - timedelta(hours=1))}
    r = operator.put("/api/v1/orders/81000042/payments/pay-1", body)
    assert r.status_code == 201
    out = r.json()
    assert out["verification_status"] == "pending" and out["ref"] == "pay-1" and out["escalate_at"]
    assert operator.put("/api/v1/orders/81000042/payments/pay-1", body).status_code == 200
    payment = Payment.objects.get()
    assert payment.amount == Decimal("265.50") and payment.escalate_at is not None
    assert AuditEvent.objects.filter(subject_type="payment", action="submitted").count() == 1


def test_the_banks_verdict_confirms_the_order_through_settle_payment(operator, pending_order, now):
    body = {"method": "card", "amount": "265.50", "submitted_at": iso(now - timedelta(hours=1))}
    operator.put("/api/v1/orders/81000042/payments/pay-1", body)
    r = operator.put("/api/v1/orders/81000042/payments/pay-1", {**body, "verification": "verified"})
    assert r.status_code == 200 and r.json()["verification_status"] == "verified"
    order = Order.objects.get(order_number="81000042")
    assert order.status == "confirmed" and order.confirmed_at is not None
    assert order.status_history.last().new_status == "confirmed"
    error(operator.put("/api/v1/orders/81000042/payments/pay-1", body), 409, "transition_not_allowed")
    r = operator.put("/api/v1/orders/81000042/payments/pay-1", {**body, "amount": "1.00", "verification": "verified"})
    assert error(r, 409, "conflicting_update")["details"]["fields"] == ["amount"]
    error(operator.put("/api/v1/orders/81999999/payments/pay-1", body), 404, "order_not_found")


def test_a_failed_payment_closes_the_order(operator, pending_order, now):
    body = {"method": "card", "amount": "265.50", "submitted_at": iso(now), "verification": "failed",
            "outcome": "declined"}
    assert operator.put("/api/v1/orders/81000042/payments/pay-1", body).status_code == 201
    order = Order.objects.get(order_number="81000042")
    assert (order.status, order.closed_reason) == ("closed", "payment_failed")


# --------------------------------------------------------------------------- shipments


def test_shipping_goes_through_ship_order_and_tracking_events_are_kept_once(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="processing", placed_at=now - timedelta(days=2))
    body = {"carrier": "Waha Express", "shipped_at": iso(now), "expected_from": iso(now + timedelta(days=3)),
            "expected_to": iso(now + timedelta(days=6)),
            "events": [{"at": iso(now), "code": "picked_up", "location": "Shenzhen"}]}
    path = f"/api/v1/orders/{order.order_number}/shipments/WX-1"
    r = operator.put(path, body)
    assert r.status_code == 201
    order.refresh_from_db()
    assert order.status == "shipped" and order.status_history.last().new_status == "shipped"
    assert operator.put(path, body).status_code == 200
    assert TrackingEvent.objects.count() == 1
    delivered = {**body, "events": [*body["events"], {"at": iso(now + timedelta(days=4)), "code": "delivered"}]}
    r = operator.put(path, delivered)
    assert r.json()["delivered_at"] is not None
    order.refresh_from_db()
    assert order.status == "delivered"
    assert AuditEvent.objects.filter(subject_type="order", action="status", new_value="delivered").count() == 1


def test_an_unpaid_order_cannot_ship(operator, pending_order, now):
    r = operator.put("/api/v1/orders/81000042/shipments/WX-1", {
        "carrier": "Waha Express", "expected_from": iso(now), "expected_to": iso(now + timedelta(days=2))})
    error(r, 409, "transition_not_allowed")
    assert not Shipment.objects.exists()
    r = operator.put("/api/v1/orders/81000042/shipments/WX-1", {
        "carrier": "Waha Express", "expected_from": iso(now), "expected_to": iso(now - timedelta(days=2))})
    error(r, 422, "invalid_window")


# --------------------------------------------------------------------------- seller messages


def test_seller_messages_update_the_thread_and_skip_duplicates(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, placed_at=now - timedelta(days=3))
    body = {"messages": [{"author": "seller", "text": "تم الشحن قريبًا", "sent_at": iso(now - timedelta(days=2))},
                         {"author": "buyer", "text": "متى؟\u202e", "sent_at": iso(now - timedelta(hours=60))}]}
    r = operator.post(f"/api/v1/orders/{order.order_number}/seller-messages", body)
    assert r.status_code == 200 and r.json()["added"] == 2
    r = operator.post(f"/api/v1/orders/{order.order_number}/seller-messages", body)
    assert r.json()["added"] == 0 and r.json()["messages"] == 2
    thread = SellerThread.objects.get(order=order)
    assert thread.last_buyer_message_at == now - timedelta(hours=60)
    assert thread.messages.get(author="buyer").text == "متى؟\u202e"  # a message keeps what was written


def test_a_seller_message_over_4096_characters_is_refused_and_nothing_is_stored(operator, riyadh_buyer,
                                                                                shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, placed_at=now - timedelta(days=3))
    path = f"/api/v1/orders/{order.order_number}/seller-messages"
    long = {"author": "seller", "text": "ش" * 4097, "sent_at": iso(now - timedelta(days=2))}
    r = operator.post(path, {"messages": [{"author": "buyer", "text": "متى؟", "sent_at": iso(now - timedelta(days=3))},
                                          long]}, validate_request=False)
    assert error(r, 422, "validation_error")["details"]["fields"][0]["field"] == "messages.1.text"
    assert not SellerThread.objects.filter(order=order, messages__isnull=False).exists()
    r = operator.post(path, {"messages": [{**long, "text": "ش" * 4096}]})
    assert r.status_code == 200 and r.json()["added"] == 1


# --------------------------------------------------------------------------- returns and refunds


def test_a_return_walks_through_the_return_actions(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    path = f"/api/v1/orders/{order.order_number}/returns/ret-1"
    r = operator.put(path, {"status": "in_transit", "carrier": "Waha Express", "tracking_number": "RT1",
                            "description": "wrong size", "at": iso(now)})
    assert r.status_code == 201
    case = Case.objects.get(kind="return")
    assert case.status == "in_transit" and case.return_parcel.tracking_number == "RT1"
    assert case.deadline_at is not None  # the 17-day automatic refund is scheduled
    assert [e["new"] for e in r.json()["timeline"]] == ["requested", "approved", "in_transit"]
    assert operator.put(path, {"status": "in_transit", "carrier": "Waha Express"}).status_code == 200
    error(operator.put(path, {"status": "approved"}), 409, "transition_not_allowed")
    assert operator.put(path, {"status": "received"}).json()["status"] == "received"


def test_a_failed_return_step_stores_nothing(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    r = operator.put(f"/api/v1/orders/{order.order_number}/returns/ret-1", {"status": "in_transit"})
    error(r, 422, "carrier_required")
    assert not Case.objects.exists() and not OperatorRef.objects.exists()
    unshipped = f.order(riyadh_buyer, shenzhen_seller, status="processing", placed_at=now)
    error(operator.put(f"/api/v1/orders/{unshipped.order_number}/returns/ret-2", {"status": "requested"}),
          409, "order_not_shipped")


def test_a_refund_is_approved_itemised_and_then_paid(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    path = f"/api/v1/orders/{order.order_number}/refunds/rf-1"
    body = {"lines": [{"kind": "negotiated_partial", "amount": "٦٠", "description": "scratched"},
                      {"kind": "shipping", "amount": 20}]}
    r = operator.put(path, body)
    assert r.status_code == 201
    out = r.json()
    assert out["kind"] == "refund" and out["status"] == "approved" and out["amount"] == "80.00"
    assert [(x["kind"], x["amount"]) for x in out["refund_lines"]] == [("negotiated_partial", "60.00"),
                                                                       ("shipping", "20.00")]
    assert out["expected_from"] and out["expected_to"] and out["timeline"][0]["action"] == "opened"
    assert operator.put(path, body).status_code == 200 and Case.objects.count() == 1
    error(operator.put(path, {"lines": [{"kind": "item", "amount": "80"}]}), 409, "conflicting_update")
    r = operator.put(path, {**body, "status": "completed"})
    assert r.json()["status"] == "completed" and r.json()["refunded_at"]
    case_id = r.json()["id"]
    r = operator.get(f"/api/v1/cases/{case_id}")
    assert [e["new"] for e in r.json()["timeline"]] == ["approved", "completed"]


def test_a_refund_above_what_was_paid_is_refused_by_the_action(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    r = operator.put(f"/api/v1/orders/{order.order_number}/refunds/rf-1",
                     {"lines": [{"kind": "item", "amount": "500"}]})
    error(r, 409, "refund_exceeds_paid")
    assert not Case.objects.exists() and not OperatorRef.objects.exists()
    unpaid = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now, paid=False)
    error(operator.put(f"/api/v1/orders/{unpaid.order_number}/refunds/rf-2",
                       {"lines": [{"kind": "item", "amount": "5"}]}), 409, "nothing_paid")


def test_cases_are_listed_and_read_with_their_timeline(operator, riyadh_buyer, shenzhen_seller, now):
    order = f.order(riyadh_buyer, shenzhen_seller, status="delivered", placed_at=now - timedelta(days=10))
    operator.put(f"/api/v1/orders/{order.order_number}/refunds/rf-1", {"lines": [{"kind": "item", "amount": "10"}]})
    r = operator.get(f"/api/v1/cases?order={order.order_number}")
    assert [c["ref"] for c in r.json()["items"]] == ["rf-1"]
    error(operator.get("/api/v1/cases/999999"), 404, "case_not_found")
    r = operator.get(f"/api/v1/orders/{order.order_number}")
    assert r.json()["cases"] == [r2["id"] for r2 in operator.get("/api/v1/cases").json()["items"]]


# --------------------------------------------------------------------------- official channels


def test_official_channels_are_normalised_and_replaced_as_a_set(operator):
    body = {"channels": [{"kind": "whatsapp", "value": "٠٥٠٠٠٠٠٩٠٠", "label_ar": "واتساب", "label_en": "WhatsApp"},
                         {"kind": "email", "value": "Care@Waha.example"},
                         {"kind": "help_center", "value": "https://help.waha.example/"}]}
    r = operator.put("/api/v1/markets/sa/official-channels", body)
    assert r.status_code == 200
    assert {(c["kind"], c["value"]) for c in r.json()} == {("whatsapp", "+966500000900"),
                                                           ("email", "care@waha.example"),
                                                           ("help_center", "https://help.waha.example/")}
    r = operator.put("/api/v1/markets/SA/official-channels", {"channels": body["channels"][1:]})
    whatsapp = OfficialChannel.objects.get(kind="whatsapp")
    assert whatsapp.active is False  # left out: deactivated, not deleted
    assert operator.get("/api/v1/markets/SA/official-channels").status_code == 200
    r = operator.put("/api/v1/markets/SA/official-channels", {"channels": [{"kind": "help_center",
                                                                            "value": "javascript:alert(1)"}]})
    assert error(r, 422, "invalid_channel")["details"]["field"] == "channels.0.value"
    error(operator.put("/api/v1/markets/XX/official-channels", {"channels": []}), 404, "market_not_found")
