"""The one door through which every channel reads a buyer's orders, so authorisation is written once."""

from __future__ import annotations

from django.db.models import QuerySet

from awn.core.digits import clean_number
from awn.marketplace.models import Customer, Order


class OrderAccessError(LookupError):
    """Raised with ``code`` ``order_not_found`` for both unknown and other buyers' orders.

    The two cases are deliberately indistinguishable to the caller's audience: telling a buyer that
    an order exists but is someone else's would leak it.
    """

    code = "order_not_found"


def orders_for_customer(customer: Customer, *, include_archived: bool = True) -> QuerySet[Order]:
    qs = Order.objects.filter(customer=customer).select_related("seller")
    if not include_archived:
        qs = qs.filter(archived=False)
    return qs.order_by("-placed_at")


def get_order_for_customer(customer: Customer, order_number: str) -> Order:
    """Return the customer's order by the number they typed (any digits, spaces, dashes, '#')."""
    number = clean_number(order_number)
    if not number:
        raise OrderAccessError(f"no order number in {order_number!r}")
    try:
        return orders_for_customer(customer).get(order_number=number)
    except Order.DoesNotExist as exc:
        raise OrderAccessError(f"order {number} not found for this customer") from exc
