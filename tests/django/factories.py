"""Small builders for marketplace records in tests (records the operator's system would send)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from awn.marketplace.identities import normalize_identity
from awn.marketplace.models import (
    Customer,
    CustomerIdentity,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    Product,
    Seller,
    Shipment,
    VerificationStatus,
)

_numbers = itertools.count(10_000_001)
CURRENCY = {"SA": "SAR", "EG": "EGP", "AE": "AED", "MA": "MAD"}
EPOCH = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def customer(ref: str, *, market: str, phone: str | None = None, email: str | None = None, language: str = "ar") -> Customer:
    c = Customer.objects.create(external_ref=ref, display_name=ref.title(), market=market, preferred_language=language,
                                created_at=EPOCH)
    if phone:
        CustomerIdentity.objects.create(customer=c, kind="phone", value=normalize_identity("phone", phone))
    if email:
        CustomerIdentity.objects.create(customer=c, kind="email", value=normalize_identity("email", email))
    return c


def seller(ref: str, *, country: str = "CN", timezone: str = "Asia/Shanghai") -> Seller:
    return Seller.objects.create(external_ref=ref, name=ref.title(), country=country, timezone=timezone)


def order(
    buyer: Customer,
    vendor: Seller,
    *,
    status: str = OrderStatus.PROCESSING,
    placed_at: datetime,
    items: tuple[tuple[str, str, int], ...] = (("P-1", "100.00", 1),),
    shipping: str = "20.00",
    paid: bool = True,
    processing_deadline: datetime | None = None,
    number: str | None = None,
) -> Order:
    items_total = sum((Decimal(price) * qty for _, price, qty in items), Decimal("0"))
    o = Order.objects.create(
        order_number=number or str(next(_numbers)), customer=buyer, seller=vendor, market=buyer.market, status=status,
        currency=CURRENCY[buyer.market], items_total=items_total, shipping_fee=Decimal(shipping), placed_at=placed_at,
        confirmed_at=placed_at if status != OrderStatus.PENDING_PAYMENT else None,
        processing_deadline=processing_deadline, shipping_address={"city": "Riyadh"},
    )
    for product_number, price, qty in items:
        product, _ = Product.objects.get_or_create(
            product_number=product_number,
            defaults={"seller": vendor, "title_ar": "منتج", "title_en": "Product", "price": Decimal(price), "currency": o.currency},
        )
        OrderItem.objects.create(order=o, product=product, product_number=product_number, title_ar=product.title_ar,
                                 title_en=product.title_en, quantity=qty, unit_price=Decimal(price))
    if paid:
        Payment.objects.create(order=o, method="card", amount=o.total, currency=o.currency, submitted_at=placed_at,
                               verification_status=VerificationStatus.VERIFIED, verified_at=placed_at)
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        Shipment.objects.create(order=o, carrier="Test Post", tracking_number=f"T{o.order_number}", shipped_at=placed_at,
                                expected_from=placed_at + timedelta(days=3), expected_to=placed_at + timedelta(days=7))
    return o
