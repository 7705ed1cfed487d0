"""The fictional demo marketplace ("Souq Al-Waha" / سوق الواحة): buyers in four markets with an order
in every state the brief's scenarios need, and a bulk generator for benchmarks.

Every instant is placed relative to ``now`` so that a scenario ("payment pending for 30 business
hours", "return shipped 18 days ago") stays true whenever the demo is loaded. Phone numbers are
placeholders in the 000 ranges of each country's mobile plan, not anybody's real number.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from awn.cases import actions
from awn.cases.actions import LineSpec
from awn.cases.deadlines import fire_due
from awn.cases.models import Case, DisputeReason, EvidenceKind, RefundLineKind
from awn.cases.policies import calendar_for
from awn.core.models import Actor
from awn.marketplace.identities import normalize_identity
from awn.marketplace.models import (
    Customer,
    CustomerIdentity,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Payment,
    Product,
    Seller,
    SellerMessage,
    SellerThread,
    Shipment,
    TrackingEvent,
    VerificationStatus,
)

DEMO_PREFIX = "demo-"
# A 1×1 PNG, used as the photo evidence of demo disputes.
DEMO_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000000049454e44ae426082"
)


class DemoError(ValueError):
    """Bad demo arguments or state; ``argument`` names the culprit."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


CURRENCY = {"SA": "SAR", "EG": "EGP", "AE": "AED", "MA": "MAD"}

BUYERS: list[dict[str, Any]] = [
    {"ref": "demo-noura", "name": "نورة العتيبي", "market": "SA", "lang": "ar",
     "email": "noura@demo.awn.example", "phone": "+966500000101"},
    {"ref": "demo-mohamed", "name": "محمد عبد الرحمن", "market": "EG", "lang": "ar",
     "email": "mohamed@demo.awn.example", "phone": "+201000000102"},
    {"ref": "demo-sarah", "name": "Sarah Haddad", "market": "AE", "lang": "en",
     "email": "sarah@demo.awn.example", "phone": "+971500000103"},
    {"ref": "demo-youssef", "name": "يوسف بنعلي", "market": "MA", "lang": "ar",
     "email": "youssef@demo.awn.example", "phone": "+212600000104"},
    # Youssef's second login (another email): the "missing order" scenario's other account.
    {"ref": "demo-youssef-work", "name": "يوسف بنعلي", "market": "MA", "lang": "ar",
     "email": "y.benali.work@demo.awn.example", "phone": None},
]

SELLERS = [
    {"ref": "demo-ufuq", "name": "متجر الأفق للإلكترونيات", "country": "CN", "tz": "Asia/Shanghai"},
    {"ref": "demo-anaqa", "name": "بيت الأناقة", "country": "SA", "tz": "Asia/Riyadh"},
    {"ref": "demo-atlas", "name": "Atlas Home", "country": "MA", "tz": "Africa/Casablanca"},
    {"ref": "demo-nile", "name": "Nile Gadgets", "country": "EG", "tz": "Africa/Cairo"},
]

PRODUCTS = [
    ("P-100001", "demo-ufuq", "شاشة ذكية 55 بوصة", "55-inch smart TV", "1899.00"),
    ("P-100002", "demo-ufuq", "سماعات لاسلكية", "Wireless earbuds", "249.00"),
    ("P-100003", "demo-ufuq", "شاحن سريع 65 واط", "65W fast charger", "89.00"),
    ("P-100004", "demo-anaqa", "عباءة سوداء مطرزة", "Embroidered black abaya", "420.00"),
    ("P-100005", "demo-anaqa", "حقيبة يد جلدية", "Leather handbag", "310.00"),
    ("P-100006", "demo-atlas", "طقم كاسات زجاجية (6 قطع)", "Glass tumbler set (6)", "180.00"),
    ("P-100007", "demo-atlas", "مصباح مكتب", "Desk lamp", "150.00"),
    ("P-100008", "demo-nile", "خلاط كهربائي", "Electric blender", "1250.00"),
    ("P-100009", "demo-nile", "مكواة بخار", "Steam iron", "890.00"),
]


@dataclass
class DemoSummary:
    customers: int
    orders: int
    cases: int
    scenarios: list[tuple[str, str, str]]  # (order number, buyer, scenario)


def _hours_back(market: str, now: datetime, business_hours: float) -> datetime:
    """The instant ``business_hours`` of the market's business time before ``now``."""
    cal = calendar_for(market)
    lo, hi = now - timedelta(days=60), now
    for _ in range(40):  # bisection to well under a second
        mid = lo + (hi - lo) / 2
        if cal.business_hours_between(mid, now) > business_hours:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


class _Builder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.customers: dict[str, Customer] = {}
        self.sellers: dict[str, Seller] = {}
        self.products: dict[str, Product] = {}
        self.scenarios: list[tuple[str, str, str]] = []

    def people(self) -> None:
        for b in BUYERS:
            c = Customer.objects.create(external_ref=b["ref"], display_name=b["name"], market=b["market"],
                                        preferred_language=b["lang"], created_at=self.now - timedelta(days=400))
            CustomerIdentity.objects.create(customer=c, kind="email", value=normalize_identity("email", b["email"]),
                                            verified=True)
            if b["phone"]:
                phone = normalize_identity("phone", b["phone"])
                CustomerIdentity.objects.create(customer=c, kind="phone", value=phone, verified=True)
                CustomerIdentity.objects.create(customer=c, kind="whatsapp", value=phone.lstrip("+"), verified=True)
            self.customers[b["ref"]] = c
        for s in SELLERS:
            self.sellers[s["ref"]] = Seller.objects.create(external_ref=s["ref"], name=s["name"],
                                                           country=s["country"], timezone=s["tz"])
        for number, seller, ar, en, price in PRODUCTS:
            self.products[number] = Product.objects.create(seller=self.sellers[seller], product_number=number,
                                                           title_ar=ar, title_en=en, price=Decimal(price),
                                                           currency="SAR")

    def order(
        self, number: str, buyer: str, product: str, scenario: str, *, status: str, placed_ago: timedelta,
        quantity: int = 1, shipping: str = "25.00", paid: bool = True, archived: bool = False,
        processing_left: timedelta | None = timedelta(days=3),
    ) -> Order:
        customer = self.customers[buyer]
        prod = self.products[product]
        placed = self.now - placed_ago
        items_total = prod.price * quantity
        order = Order.objects.create(
            order_number=number, customer=customer, seller=prod.seller, market=customer.market,
            status=status, currency=CURRENCY[customer.market], items_total=items_total,
            shipping_fee=Decimal(shipping), placed_at=placed,
            confirmed_at=placed + timedelta(minutes=40) if status != OrderStatus.PENDING_PAYMENT else None,
            processing_deadline=(self.now + processing_left) if processing_left is not None else None,
            shipping_address={"name": customer.display_name, "line1": "شارع النخيل 12", "city": _CITY[customer.market],
                              "country": customer.market},
            archived=archived,
        )
        OrderItem.objects.create(order=order, product=prod, product_number=prod.product_number, title_ar=prod.title_ar,
                                 title_en=prod.title_en, quantity=quantity, unit_price=prod.price)
        OrderStatusChange.objects.create(order=order, new_status=OrderStatus.PENDING_PAYMENT, at=placed, actor=Actor.BUYER)
        if paid:
            Payment.objects.create(order=order, method="card", amount=order.total, currency=order.currency,
                                   submitted_at=placed, verification_status=VerificationStatus.VERIFIED,
                                   verified_at=placed + timedelta(minutes=40))
            if status != OrderStatus.PENDING_PAYMENT:
                OrderStatusChange.objects.create(order=order, old_status=OrderStatus.PENDING_PAYMENT,
                                                 new_status=OrderStatus.CONFIRMED, at=placed + timedelta(minutes=40),
                                                 actor=Actor.OPERATOR)
        self.scenarios.append((number, customer.display_name, scenario))
        return order

    def ship(self, order: Order, *, ago: timedelta, window: tuple[timedelta, timedelta], delivered: bool = False) -> None:
        shipped_at = self.now - ago
        shipment = Shipment.objects.create(
            order=order, carrier="بريد الواحة السريع", tracking_number=f"WX{order.order_number}",
            shipped_at=shipped_at, expected_from=shipped_at + window[0], expected_to=shipped_at + window[1],
            delivered_at=(shipped_at + window[0]) if delivered else None,
        )
        TrackingEvent.objects.create(shipment=shipment, at=shipped_at, code="picked_up", location="مستودع البائع")
        TrackingEvent.objects.create(shipment=shipment, at=shipped_at + timedelta(hours=20), code="in_transit",
                                     location="مركز الفرز")
        if delivered:
            TrackingEvent.objects.create(shipment=shipment, at=shipped_at + window[0], code="delivered",
                                         location=_CITY[order.market])
        OrderStatusChange.objects.create(order=order, old_status=OrderStatus.CONFIRMED, new_status=OrderStatus.SHIPPED,
                                         at=shipped_at, actor=Actor.SELLER)

    def seller_silence(self, order: Order, *, buyer_wrote_ago: timedelta) -> None:
        thread = SellerThread.objects.create(order=order, last_buyer_message_at=self.now - buyer_wrote_ago,
                                             last_seller_message_at=self.now - buyer_wrote_ago - timedelta(days=2))
        SellerMessage.objects.create(thread=thread, author="seller", text="تم استلام طلبك وسيُشحن قريبًا.",
                                     sent_at=thread.last_seller_message_at)
        SellerMessage.objects.create(thread=thread, author="buyer", text="متى سيُشحن الطلب؟",
                                     sent_at=thread.last_buyer_message_at)

    def pending_payment(self, order: Order, *, submitted_at: datetime) -> None:
        Payment.objects.filter(order=order).delete()
        actions.submit_payment(order, method="bank_transfer", amount=order.total, submitted_at=submitted_at)


_CITY = {"SA": "الرياض", "EG": "القاهرة", "AE": "دبي", "MA": "الدار البيضاء"}


@transaction.atomic
def load_demo(now: datetime) -> DemoSummary:
    """Create the demo marketplace. Refuses if it is already loaded; all or nothing."""
    if Customer.objects.filter(external_ref__startswith=DEMO_PREFIX).exists():
        raise DemoError("demo", "the demo marketplace is already loaded (run `awn flush` first to start again)")
    b = _Builder(now)
    b.people()
    d, h = timedelta(days=1), timedelta(hours=1)
    S = OrderStatus

    # 1. Payment verification: 1 h, 10 h, 30 business hours (across a weekend).
    o = b.order("81000001", "demo-noura", "P-100004", "payment under verification for 1 hour",
                status=S.PENDING_PAYMENT, placed_ago=h, paid=False, processing_left=None)
    b.pending_payment(o, submitted_at=now - h)
    o = b.order("82000001", "demo-mohamed", "P-100009", "payment under verification for 10 hours",
                status=S.PENDING_PAYMENT, placed_ago=10 * h, paid=False, processing_left=None)
    b.pending_payment(o, submitted_at=now - 10 * h)
    submitted = _hours_back("SA", now, 30)
    o = b.order("81000002", "demo-noura", "P-100005", "payment under verification for 30 business hours (escalated)",
                status=S.PENDING_PAYMENT, placed_ago=now - submitted, paid=False, processing_left=None)
    b.pending_payment(o, submitted_at=submitted)

    # 2. Silent seller: 12 h (unshipped, window open) vs 60 h (shipped).
    o = b.order("81000003", "demo-noura", "P-100002", "seller silent for 12 hours; not shipped, processing window open",
                status=S.PROCESSING, placed_ago=2 * d, processing_left=2 * d)
    b.seller_silence(o, buyer_wrote_ago=12 * h)
    o = b.order("83000006", "demo-sarah", "P-100003", "seller silent for 60 hours; not shipped, window open for 5 more hours",
                status=S.PROCESSING, placed_ago=4 * d, processing_left=5 * h)
    b.seller_silence(o, buyer_wrote_ago=60 * h)
    o = b.order("81000004", "demo-noura", "P-100001", "seller silent for 60 hours; order already shipped",
                status=S.SHIPPED, placed_ago=6 * d)
    b.ship(o, ago=4 * d, window=(5 * d, 9 * d))
    b.seller_silence(o, buyer_wrote_ago=60 * h)

    # 3. Damaged / defective / wrong item, delivered; and disputes at both sides of the seller window.
    o = b.order("81000005", "demo-noura", "P-100001", "delivered with a broken screen (no case yet)",
                status=S.DELIVERED, placed_ago=12 * d)
    b.ship(o, ago=10 * d, window=(4 * d, 7 * d), delivered=True)
    o = b.order("84000002", "demo-youssef", "P-100007", "delivered; lamp does not work (defective)",
                status=S.DELIVERED, placed_ago=9 * d)
    b.ship(o, ago=8 * d, window=(3 * d, 6 * d), delivered=True)
    o = b.order("83000004", "demo-sarah", "P-100005", "delivered the wrong item (a different bag)",
                status=S.DELIVERED, placed_ago=10 * d)
    b.ship(o, ago=8 * d, window=(3 * d, 6 * d), delivered=True)
    for number, ago, label in (("84000003", 47 * h, "dispute: seller has 1 hour left of 48"),
                               ("84000004", 49 * h, "dispute: seller silent past 48 hours → platform review")):
        o = b.order(number, "demo-youssef", "P-100006", label, status=S.DELIVERED, placed_ago=14 * d)
        b.ship(o, ago=12 * d, window=(4 * d, 7 * d), delivered=True)
        case = actions.open_dispute(o, reason=DisputeReason.DAMAGED, actor=Actor.BUYER,
                                    description="وصلت ثلاث كاسات مكسورة من أصل ست.", now=now - ago)
        actions.submit_evidence(case, kind=EvidenceKind.PRODUCT_NUMBER, value="P-100006", actor=Actor.BUYER, now=now - ago)
        actions.submit_evidence(case, kind=EvidenceKind.PHOTO, photo=DEMO_PHOTO, content_type="image/png",
                                actor=Actor.BUYER, now=now - ago)

    # 4. Refund status: approved 2 business days ago vs 12 (late → escalated).
    for number, buyer, product, market, days in (("81000006", "demo-noura", "P-100004", "SA", 2),
                                                  ("82000004", "demo-mohamed", "P-100008", "EG", 12)):
        approved = _hours_back(market, now, days * 9)  # 9 business hours a business day
        o = b.order(number, buyer, product, f"refund approved {days} business days ago",
                    status=S.CANCELLED, placed_ago=(now - approved) + 2 * d)
        actions.approve_refund(o, lines=actions.full_refund_lines(o, o.total, "cancelled order"),
                               actor=Actor.SELLER, now=approved)

    # 5. Partial refund: item refunded, customs refunded, shipping kept, a negotiated partial amount.
    o = b.order("81000007", "demo-noura", "P-100001", "partial refund: negotiated amount, shipping not refunded",
                status=S.DELIVERED, placed_ago=20 * d, shipping="45.00")
    b.ship(o, ago=18 * d, window=(4 * d, 7 * d), delivered=True)
    actions.approve_refund(o, lines=[
        LineSpec(RefundLineKind.NEGOTIATED_PARTIAL, Decimal("600.00"), "agreed partial refund for a scratched frame"),
        LineSpec(RefundLineKind.CUSTOMS, Decimal("35.50"), "customs duties refunded"),
    ], actor=Actor.SELLER, now=now - 3 * d)

    # 6. Returned parcel: day 5 vs day 18 (automatic refund), and a free return.
    for number, buyer, product, days, free in (("82000005", "demo-mohamed", "P-100009", 5, False),
                                               ("82000006", "demo-mohamed", "P-100008", 18, False),
                                               ("83000005", "demo-sarah", "P-100002", 1, True)):
        o = b.order(number, buyer, product, f"return parcel shipped back {days} day{'s' if days != 1 else ''} ago" + (" (free return)" if free else ""),
                    status=S.DELIVERED, placed_ago=(days + 15) * d)
        b.ship(o, ago=(days + 12) * d, window=(3 * d, 6 * d), delivered=True)
        case = actions.request_return(o, description="المقاس غير مناسب", now=now - (days + 2) * d)
        actions.approve_return(case, now=now - (days + 1) * d)
        actions.ship_return(case, carrier="بريد الواحة السريع", tracking_number=f"RT{number}", free_return=free,
                            now=now - days * d)

    # 7. Address change: before vs after shipment.
    b.order("83000002", "demo-sarah", "P-100007", "confirmed, not shipped: address can still be handled by cancelling",
            status=S.CONFIRMED, placed_ago=5 * h, processing_left=3 * d)
    o = b.order("83000003", "demo-sarah", "P-100006", "shipped: too late to change the address",
                status=S.SHIPPED, placed_ago=3 * d)
    b.ship(o, ago=d, window=(2 * d, 5 * d))

    # 8. Missing orders: archived, on another login, and closed by the system.
    b.order("81000008", "demo-noura", "P-100003", "archived order (hidden from My Orders)", status=S.DELIVERED,
            placed_ago=90 * d, archived=True)
    b.order("84000006", "demo-youssef-work", "P-100007", "order on Youssef's other login (work email)",
            status=S.PROCESSING, placed_ago=2 * d, processing_left=2 * d)
    o = b.order("82000003", "demo-mohamed", "P-100008", "closed by the system: not shipped in time, refunded at once",
                status=S.PROCESSING, placed_ago=8 * d, processing_left=-h)  # the worker closes it below

    # 9. Not arrived within the expected window.
    o = b.order("83000001", "demo-sarah", "P-100001", "shipped 12 days ago, expected by day 8: not arrived",
                status=S.SHIPPED, placed_ago=14 * d)
    b.ship(o, ago=12 * d, window=(5 * d, 8 * d))

    # A cancelled order refunded and completed, for the history.
    o = b.order("84000005", "demo-youssef", "P-100006", "cancelled before shipment; refund paid",
                status=S.CONFIRMED, placed_ago=10 * d)
    actions.cancel_order(o, actor=Actor.BUYER, reason="طلبت بالخطأ", now=now - 9 * d)
    refund = Case.objects.get(order=o, kind="refund")
    actions.mark_refund_paid(refund, now=now - 4 * d)

    # The operator's official contact channels (placeholders; an operator sets its own).
    from awn.helpdesk.models import OfficialChannel

    for market, wa in (("SA", "+966500000900"), ("EG", "+201000000900"), ("AE", "+971500000900"), ("MA", "+212600000900")):
        OfficialChannel.objects.create(market=market, kind="whatsapp", value=wa, label_ar="واتساب خدمة العملاء",
                                       label_en="Customer care on WhatsApp")
        OfficialChannel.objects.create(market=market, kind="email", value=f"care-{market.lower()}@waha.example",
                                       label_ar="البريد الإلكتروني لخدمة العملاء", label_en="Customer care email")
        OfficialChannel.objects.create(market=market, kind="help_center", value="https://help.waha.example/",
                                       label_ar="مركز المساعدة", label_en="Help center")

    # Let the timers that are already due fire, as the worker would have.
    fire_due(now, worker="demo")
    return DemoSummary(customers=Customer.objects.count(), orders=Order.objects.count(), cases=Case.objects.count(),
                       scenarios=b.scenarios)


# --------------------------------------------------------------------------- bulk generator


def load_scale(n: int, now: datetime, *, seed: int = 7, batch_size: int = 5000, progress: Any = None) -> int:
    """Generate ``n`` orders (with items, payments and shipments) with bulk inserts, in one transaction.

    Rows are produced as plain tuples and written with ``COPY`` on PostgreSQL (ids reserved from the
    tables' sequences) or ``bulk_create`` elsewhere: a million orders is about four million rows.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise DemoError("--scale", f"must be a positive whole number of orders, got {n!r}")
    if n > 20_000_000:
        raise DemoError("--scale", f"at most 20,000,000 orders, got {n}")
    if batch_size < 1:
        raise DemoError("--batch-size", f"must be positive, got {batch_size}")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    markets = ["SA", "EG", "AE", "MA"]
    with transaction.atomic():
        start = Order.objects.filter(order_number__startswith="9").count()
        tag = f"{DEMO_PREFIX}scale-{seed}-{start}"
        if Customer.objects.filter(external_ref__startswith=tag).exists():
            raise DemoError("--seed", f"orders for seed {seed} already exist at this offset")
        sellers = Seller.objects.bulk_create(
            Seller(external_ref=f"{tag}-s{i}", name=f"متجر تجريبي {i}", country="CN", timezone="Asia/Shanghai")
            for i in range(50)
        )
        products = Product.objects.bulk_create(
            Product(seller=sellers[i % 50], product_number=f"S{seed}-{start}-{i}", title_ar=f"منتج {i}",
                    title_en=f"Product {i}", price=Decimal(rng.randrange(1000, 500000)) / 100, currency="SAR")
            for i in range(500)
        )
        n_customers = max(1, n // 5)
        customer_ids: list[int] = []
        customer_market: list[str] = []
        for lo in range(0, n_customers, batch_size):
            rows = [(f"{tag}-c{i}", f"مشتري {i}", markets[i % 4], "ar", "", now - timedelta(days=400))
                    for i in range(lo, min(n_customers, lo + batch_size))]
            customer_ids.extend(_insert(Customer, ("external_ref", "display_name", "market", "preferred_language",
                                                   "timezone", "created_at"), rows))
            customer_market.extend(row[2] for row in rows)
        statuses = [OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                    OrderStatus.DELIVERED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]
        shipped_statuses = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
        address = json.dumps({"city": "—"})
        # Far enough ahead that the worker does not close benchmark orders.
        processing_deadline = now + timedelta(days=30)
        fee = Decimal("20.00")
        made = 0
        for lo in range(0, n, batch_size):
            size = min(batch_size, n - lo)
            order_rows, item_specs = [], []
            for j in range(lo, lo + size):
                c = j % n_customers
                product = products[rng.randrange(500)]
                qty = rng.randint(1, 3)
                status = statuses[rng.randrange(len(statuses))]
                placed = now - timedelta(minutes=rng.randrange(60, 60 * 24 * 120))
                market = customer_market[c]
                total = product.price * qty
                order_rows.append((f"9{start + j:011d}", customer_ids[c], product.seller_id, market, status, "",
                                   CURRENCY[market], total, fee, placed, placed + timedelta(minutes=30),
                                   processing_deadline, address, False, now))
                item_specs.append((product, qty, status, placed, total))
            order_ids = _insert(Order, ("order_number", "customer_id", "seller_id", "market", "status", "closed_reason",
                                        "currency", "items_total", "shipping_fee", "placed_at", "confirmed_at",
                                        "processing_deadline", "shipping_address", "archived", "updated_at"), order_rows)
            _insert(OrderItem, ("order_id", "product_id", "product_number", "title_ar", "title_en", "quantity", "unit_price"),
                    [(oid, p.pk, p.product_number, p.title_ar, p.title_en, q, p.price)
                     for oid, (p, q, _, _, _) in zip(order_ids, item_specs, strict=True)], want_ids=False)
            _insert(Payment, ("order_id", "method", "amount", "currency", "submitted_at", "verification_status",
                              "verified_at", "outcome", "escalate_at"),
                    [(oid, "card", total + fee, row[6], placed, VerificationStatus.VERIFIED,
                      placed + timedelta(minutes=30), "", None)
                     for oid, row, (_, _, _, placed, total) in zip(order_ids, order_rows, item_specs, strict=True)],
                    want_ids=False)
            _insert(Shipment, ("order_id", "carrier", "tracking_number", "shipped_at", "expected_from", "expected_to",
                               "delivered_at"),
                    [(oid, "بريد الواحة السريع", f"WX{row[0]}", placed + timedelta(days=1), placed + timedelta(days=4),
                      placed + timedelta(days=8), placed + timedelta(days=5) if status == OrderStatus.DELIVERED else None)
                     for oid, row, (_, _, status, placed, _) in zip(order_ids, order_rows, item_specs, strict=True)
                     if status in shipped_statuses],
                    want_ids=False)
            made += size
            if progress:
                progress(made)
    return made


def _insert(model: type[Any], columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, want_ids: bool = True) -> list[int]:
    """Insert plain rows; return their new ids (in order) when asked. COPY on PostgreSQL."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=len(rows))
        return [obj.pk for obj in objs]
    table = model._meta.db_table
    ids: list[int] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if want_ids:
            # Reserve the ids first so the rows can be streamed with COPY and still be referenced.
            raw.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)])
            ids = [r[0] for r in raw.fetchall()]
            rows = [(i, *row) for i, row in zip(ids, rows, strict=True)]
            columns = ("id", *columns)
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column if c != "id" else c) for c in columns)
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids


def load_due_deadlines(n: int, now: datetime, *, batch_size: int = 5000, tag: str = "due", prefix: str = "7") -> dict[str, int]:
    """Create ``n`` timers that are all due at ``now``, spread over the five kinds the worker fires
    (seller windows, returned parcels, late refunds, pending payments, unshipped orders). For the
    worker benchmark and the concurrency tests; bulk inserts, one transaction."""
    from awn.cases.models import Case
    from awn.cases.transitions import Kind, Status
    from awn.marketplace.models import ReturnParcel

    if n < 1:
        raise DemoError("n", f"must be positive, got {n}")
    past = now - timedelta(days=40)
    counts = {"dispute": 0, "return": 0, "refund": 0, "payment": 0, "order": 0}
    with transaction.atomic():
        seller = Seller.objects.create(external_ref=f"{DEMO_PREFIX}{tag}-seller", name="Bench seller", country="CN",
                                       timezone="Asia/Shanghai")
        product = Product.objects.create(seller=seller, product_number=f"{tag}-P", title_ar="منتج", title_en="Product",
                                         price=Decimal("100.00"), currency="SAR")
        buyers = Customer.objects.bulk_create(
            Customer(external_ref=f"{DEMO_PREFIX}{tag}-c{i}", display_name=f"مشتري {i}", market=m, created_at=past)
            for i, m in enumerate(["SA", "EG", "AE", "MA"])
        )
        kinds = list(counts)
        for lo in range(0, n, batch_size):
            size = min(batch_size, n - lo)
            specs = [kinds[(lo + j) % 5] for j in range(size)]
            orders = [
                Order(order_number=f"{prefix}{lo + j:010d}", customer=buyers[(lo + j) % 4],
                      seller=seller, market=buyers[(lo + j) % 4].market,
                      status={"payment": OrderStatus.PENDING_PAYMENT, "order": OrderStatus.PROCESSING}.get(
                          kind, OrderStatus.DELIVERED),
                      currency=CURRENCY[buyers[(lo + j) % 4].market], items_total=Decimal("100.00"),
                      shipping_fee=Decimal("10.00"), placed_at=past, confirmed_at=past,
                      processing_deadline=(now - timedelta(hours=1)) if kind == "order" else past + timedelta(days=3),
                      shipping_address={})
                for j, kind in enumerate(specs)
            ]
            # Delivered/pending orders must not be picked up as "unshipped past deadline": only
            # PROCESSING orders are, and only the "order" kind is PROCESSING.
            Order.objects.bulk_create(orders, batch_size=batch_size)
            OrderItem.objects.bulk_create(
                [OrderItem(order=o, product=product, product_number=product.product_number, title_ar="منتج",
                           title_en="Product", quantity=1, unit_price=Decimal("100.00")) for o in orders],
                batch_size=batch_size)
            Payment.objects.bulk_create(
                [Payment(order=o, method="card", amount=Decimal("110.00"), currency=o.currency, submitted_at=past,
                         verification_status=VerificationStatus.PENDING if k == "payment" else VerificationStatus.VERIFIED,
                         verified_at=None if k == "payment" else past,
                         escalate_at=(now - timedelta(minutes=5)) if k == "payment" else None)
                 for o, k in zip(orders, specs, strict=True)],
                batch_size=batch_size)
            parcels = ReturnParcel.objects.bulk_create(
                [ReturnParcel(order=o, carrier="Bench", shipped_back_at=now - timedelta(days=18))
                 for o, k in zip(orders, specs, strict=True) if k == "return"],
                batch_size=batch_size)
            parcel_iter = iter(parcels)
            cases = []
            for o, k in zip(orders, specs, strict=True):
                counts[k] += 1
                common = {"order": o, "customer_id": o.customer_id, "seller": seller, "market": o.market,
                          "opened_by": "buyer", "opened_at": past, "updated_at": past}
                if k == "dispute":
                    cases.append(Case(kind=Kind.DISPUTE, status=Status.AWAITING_SELLER, reason="damaged",
                                      seller_window_started_at=now - timedelta(hours=49),
                                      deadline_at=now - timedelta(hours=1), **common))
                elif k == "return":
                    cases.append(Case(kind=Kind.RETURN, status=Status.IN_TRANSIT, amount=Decimal("100.00"),
                                      currency=o.currency, return_parcel=next(parcel_iter),
                                      deadline_at=now - timedelta(days=1), **common))
                elif k == "refund":
                    cases.append(Case(kind=Kind.REFUND, status=Status.APPROVED, amount=Decimal("50.00"),
                                      currency=o.currency, approved_at=now - timedelta(days=30),
                                      expected_from=now - timedelta(days=29), expected_to=now - timedelta(days=10),
                                      deadline_at=now - timedelta(days=10), **common))
            Case.objects.bulk_create(cases, batch_size=batch_size)
    return counts
