"""Order lifecycles (DOMAIN.md, Orders): the statuses and the moves allowed between them.

Order (what the shopper paid for, all sellers together):
    pending_payment -> paid | payment_failed | expired

Seller order (one per seller in an order):
    pending_payment -> paid | cancelled            (payment failed or abandoned)
    paid -> accepted | cancelled                    (seller rejects, or shopper cancels before shipping)
    accepted -> shipped | cancelled
    shipped -> delivered
    delivered -> completed | refunded               (completed when the 30-day return window ends)
    completed -> refunded                           (a later refund, e.g. a warranty decision)
Late shipment is derived (`is_late`), never stored as a status.

Payment (the charge of one order, as the provider reports it):
    pending -> succeeded | failed | cancelled       (paid; declined; the order expired unpaid)
    failed | cancelled -> succeeded                 (captured after the order closed: refunded at once)
Refunds are rows of their own (`Refund`), never a payment status:
    pending -> succeeded | failed                   (recorded first, then sent with its idempotency key)

Payout (one transfer to a seller on a pay date):
    pending -> paid | failed                        (a failed transfer's money is payable again)
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.calendar import add_business_days


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    EXPIRED = "expired", _("Expired (not paid in time)")


ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED}),
    OrderStatus.PAID: frozenset(),
    OrderStatus.PAYMENT_FAILED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}


class SellerOrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid, to accept")
    ACCEPTED = "accepted", _("Accepted, to ship")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


S = SellerOrderStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# A shopper may cancel before the parcel leaves; so may the seller (it counts against its quality).
CANCELLABLE = frozenset({S.PAID, S.ACCEPTED})
# Seller orders the seller still has to act on.
OPEN_FOR_SELLER = frozenset({S.PAID, S.ACCEPTED})


class CancelledBy(models.TextChoices):
    NOBODY = "", _("Not cancelled")
    SHOPPER = "shopper", _("Shopper")
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED}),
    # The provider captured the money after the order had closed unpaid: recorded, then refunded.
    PaymentStatus.FAILED: frozenset({PaymentStatus.SUCCEEDED}),
    PaymentStatus.CANCELLED: frozenset({PaymentStatus.SUCCEEDED}),
    PaymentStatus.SUCCEEDED: frozenset(),
}


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("On its way")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")


REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutStatus.PENDING: frozenset({PayoutStatus.PAID, PayoutStatus.FAILED}),
    PayoutStatus.PAID: frozenset(),
    PayoutStatus.FAILED: frozenset(),
}


# --- derived: late shipment ---------------------------------------------------------------
SHIPPING_BUSINESS_DAYS = 1


def ship_by(paid_at: datetime, *, time_zone: str, market_code: str) -> datetime:
    """Deadline to ship: the end of the first business day after the payment day, in the market's
    time zone, weekends and the market's public holidays skipped (`marketplace.calendar`, the one
    business-day calendar; DOMAIN.md). Paid on a Friday in France: the end of Monday, or of
    Tuesday when Monday is Easter Monday."""
    return add_business_days(paid_at, SHIPPING_BUSINESS_DAYS, time_zone=time_zone, market_code=market_code)


def is_late(*, ship_by_at: datetime | None, shipped_at: datetime | None, now: datetime) -> bool:
    """Late: shipped after the deadline, or not shipped and the deadline has passed. Pure."""
    if ship_by_at is None:
        return False
    if shipped_at is not None:
        return shipped_at > ship_by_at
    return now > ship_by_at


# --- derived: what a shopper reads --------------------------------------------------------------
# The seller's working words ("Paid, to accept") mean little to a buyer: the storefront shows these.
class ShopperStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAYMENT_DECLINED = "payment_declined", _("Payment declined")
    NOT_PAID_IN_TIME = "not_paid_in_time", _("Not paid in time")
    PREPARING = "preparing", _("Being prepared")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    ON_ITS_WAY = "on_its_way", _("On its way")
    PARTLY_DELIVERED = "partly_delivered", _("Partly delivered")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


_PARCEL_SHOPPER_STATUS = {
    S.PENDING_PAYMENT: ShopperStatus.AWAITING_PAYMENT,
    S.PAID: ShopperStatus.PREPARING,
    S.ACCEPTED: ShopperStatus.PREPARING,
    S.SHIPPED: ShopperStatus.ON_ITS_WAY,
    S.DELIVERED: ShopperStatus.DELIVERED,
    S.COMPLETED: ShopperStatus.DELIVERED,
    S.CANCELLED: ShopperStatus.CANCELLED,
    S.REFUNDED: ShopperStatus.REFUNDED,
}


def parcel_shopper_status(status: str) -> ShopperStatus:
    """One parcel (seller order) as its buyer reads it. Pure."""
    return _PARCEL_SHOPPER_STATUS[SellerOrderStatus(status)]


def order_shopper_status(order_status: str, parcel_statuses: list[str]) -> ShopperStatus:
    """The whole order as its buyer reads it, from the order's status and its parcels'. Pure.

    Unpaid orders say why; a paid order follows its live parcels (cancelled and refunded ones set
    aside, unless every parcel is): all delivered, some delivered, all on their way, some shipped,
    or being prepared.
    """
    if order_status == OrderStatus.PENDING_PAYMENT:
        return ShopperStatus.AWAITING_PAYMENT
    if order_status == OrderStatus.PAYMENT_FAILED:
        return ShopperStatus.PAYMENT_DECLINED
    if order_status == OrderStatus.EXPIRED:
        return ShopperStatus.NOT_PAID_IN_TIME
    parcels = [parcel_shopper_status(status) for status in parcel_statuses]
    live = [p for p in parcels if p not in (ShopperStatus.CANCELLED, ShopperStatus.REFUNDED)]
    if not live:
        return ShopperStatus.REFUNDED if ShopperStatus.REFUNDED in parcels else ShopperStatus.CANCELLED
    delivered = sum(p == ShopperStatus.DELIVERED for p in live)
    shipped = sum(p == ShopperStatus.ON_ITS_WAY for p in live)
    if delivered == len(live):
        return ShopperStatus.DELIVERED
    if delivered:
        return ShopperStatus.PARTLY_DELIVERED
    if shipped == len(live):
        return ShopperStatus.ON_ITS_WAY
    if shipped:
        return ShopperStatus.PARTLY_SHIPPED
    return ShopperStatus.PREPARING
