"""Marketplace records: what the operator's order system tells Awn about buyers, sellers and orders.

Awn reads these to answer buyers and writes them only through action functions (``awn.cases.actions``)
or the operator's API. Amounts are ``Decimal`` with an explicit currency; instants are aware UTC.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class Market(models.TextChoices):
    """Countries Awn serves; each has a policy file in ``awn/policy/markets``."""

    SA = "SA", "Saudi Arabia / السعودية"
    EG = "EG", "Egypt / مصر"
    AE = "AE", "United Arab Emirates / الإمارات"
    MA = "MA", "Morocco / المغرب"


class Language(models.TextChoices):
    AR = "ar", "العربية"
    EN = "en", "English"


MONEY = {"max_digits": 14, "decimal_places": 2}


class Customer(models.Model):
    """A buyer. One person may sign in with several emails and phone numbers (``CustomerIdentity``)."""

    external_ref = models.CharField(max_length=64, unique=True)  # the operator's customer id
    display_name = models.CharField(max_length=200)
    market = models.CharField(max_length=2, choices=Market.choices)
    preferred_language = models.CharField(max_length=5, choices=Language.choices, default=Language.AR)
    timezone = models.CharField(max_length=64, blank=True, default="")  # empty: the market's timezone
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.display_name} ({self.external_ref})"


class IdentityKind(models.TextChoices):
    EMAIL = "email"  # lower-cased address
    PHONE = "phone"  # E.164, e.g. +966501234567
    WHATSAPP = "whatsapp"  # WhatsApp's business-scoped user id or wa_id


class CustomerIdentity(models.Model):
    """One way a buyer is known: an email, a phone number or a WhatsApp user id. Unique across buyers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)  # normalised; see awn.marketplace.identities
    verified = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Seller(models.Model):
    external_ref = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2; sellers may be outside Awn's markets
    timezone = models.CharField(max_length=64)  # IANA, e.g. Asia/Shanghai

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="products")
    product_number = models.CharField(max_length=32, unique=True)
    title_ar = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    price = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)

    def __str__(self) -> str:
        return f"{self.product_number} {self.title_en}"


class OrderStatus(models.TextChoices):
    """Where an order stands. Changes are recorded in ``OrderStatusChange`` and the audit log."""

    PENDING_PAYMENT = "pending_payment"  # placed; payment submitted and being verified
    CONFIRMED = "confirmed"  # payment verified; details can no longer change (order.no_modification)
    PROCESSING = "processing"  # the seller is preparing it; must ship by processing_deadline
    SHIPPED = "shipped"  # handed to the carrier; cancellation is no longer possible
    DELIVERED = "delivered"  # the carrier reports delivery
    CANCELLED = "cancelled"  # cancelled by the buyer before shipment
    CLOSED = "closed"  # closed by the system (payment failure, stock, seller delay); refunded at once


OPEN_ORDER_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED)
UNSHIPPED_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PROCESSING)


class ClosedReason(models.TextChoices):
    PAYMENT_FAILED = "payment_failed"
    OUT_OF_STOCK = "out_of_stock"
    SELLER_DELAY = "seller_delay"  # not shipped by the processing deadline (order.auto_closed)


class Order(models.Model):
    order_number = models.CharField(max_length=16, unique=True)  # digits only, what buyers quote
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="orders")
    market = models.CharField(max_length=2, choices=Market.choices)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True, default="")
    currency = models.CharField(max_length=3)
    items_total = models.DecimalField(**MONEY)
    shipping_fee = models.DecimalField(**MONEY, default=Decimal("0.00"))
    placed_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The seller must hand the order to a carrier by then, or the worker closes and refunds it.
    processing_deadline = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(default=dict)  # {"name", "line1", "city", "country", "phone"}
    archived = models.BooleanField(default=False)  # hidden from the default "My Orders" view
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="order_customer_recent_idx"),
            # The worker's scan: unshipped orders whose processing deadline has passed.
            models.Index(
                fields=["processing_deadline"],
                name="order_processing_due_idx",
                condition=Q(status__in=["confirmed", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return self.order_number

    @property
    def total(self) -> Decimal:
        return self.items_total + self.shipping_fee

    @property
    def is_shipped(self) -> bool:
        return self.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_number = models.CharField(max_length=32)  # snapshot at order time
    title_ar = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(**MONEY)

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderStatusChange(models.Model):
    """The order's status history as the buyer would see it on the order page."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_history")
    old_status = models.CharField(max_length=20, blank=True, default="")
    new_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=16)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]


class PaymentMethod(models.TextChoices):
    CARD = "card"
    APPLE_PAY = "apple_pay"
    BANK_TRANSFER = "bank_transfer"
    WALLET = "wallet"
    INSTALLMENTS = "installments"
    CASH_ON_DELIVERY = "cod"


class VerificationStatus(models.TextChoices):
    PENDING = "pending"  # submitted, being verified (payment.verification_sla)
    VERIFIED = "verified"  # accepted; the order is confirmed
    FAILED = "failed"  # rejected; the order is closed and anything taken is refunded


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    submitted_at = models.DateTimeField()
    verification_status = models.CharField(max_length=10, choices=VerificationStatus.choices)
    verified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, default="")  # failure reason or bank reference
    # When a pending verification must be escalated (payment.verification_escalate), computed from the
    # market's business hours at submission; cleared once escalated or settled.
    escalate_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["escalate_at"], name="payment_escalate_due_idx", condition=Q(escalate_at__isnull=False))
        ]


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=64)
    shipped_at = models.DateTimeField()
    expected_from = models.DateTimeField()  # expected delivery window (inclusive)
    expected_to = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    code = models.CharField(max_length=32)  # picked_up, in_transit, customs, out_for_delivery, delivered, exception
    location = models.CharField(max_length=200, blank=True, default="")
    description = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]


class ReturnParcel(models.Model):
    """A parcel the buyer sent back to the seller (return.auto_refund watches it)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="return_parcels")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    free_return = models.BooleanField(default=False)  # carrier may upload tracking 1–2 days late
    shipped_back_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)  # confirmed delivered to the seller


class MessageAuthor(models.TextChoices):
    BUYER = "buyer"
    SELLER = "seller"


class SellerThread(models.Model):
    """The buyer ↔ seller conversation about one order (kept by the marketplace, mirrored here)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="seller_thread")
    last_buyer_message_at = models.DateTimeField(null=True, blank=True)
    last_seller_message_at = models.DateTimeField(null=True, blank=True)


class SellerMessage(models.Model):
    thread = models.ForeignKey(SellerThread, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=8, choices=MessageAuthor.choices)
    text = models.TextField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
