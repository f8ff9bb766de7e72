"""Checkout: reserve stock and place an order split per seller; paid; payment failed; expiry.

Stock is reserved in the order's transaction by one conditional UPDATE per listing
(`stock >= qty AND status = active AND price unchanged`) whose row count is checked,
issued in primary-key order and last, just before the commit. Two checkouts touching
the same listings lock them in the same order, so they queue instead of deadlocking;
the hot rows are locked only for the UPDATEs and the commit; the CHECK (stock >= 0)
on catalog_listing is the last line of defence.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import Listing
from catalog.services import catalog_changed
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, emit_many
from marketplace.models import AuditEvent, EventType, Market, Organisation, User
from marketplace.money import Money, percentage_of, vat_included_in
from marketplace.transitions import bulk_transition, transition
from orders import gateways
from orders.models import (
    DEFAULT_COMMISSION_BASIS_POINTS,
    CommissionRate,
    Order,
    OrderChannel,
    OrderLine,
    Payment,
    PaymentProvider,
    PaymentStatus,
    SellerOrder,
)
from orders.services import ledger
from orders.states import (
    ORDER_TRANSITIONS,
    TRANSITIONS,
    CancelledBy,
    OrderStatus,
    SellerOrderStatus,
    ship_by,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlacementLine:
    listing_id: int
    quantity: int
    # The price the buyer agreed to (the cart's); None: whatever the price is now (partner API).
    expected_price_amount: int | None = None


@dataclass(frozen=True)
class Contact:
    email: str
    full_name: str
    address_line: str
    postal_code: str
    city: str
    country: str
    phone: str = ""


@dataclass
class PlacementProblem:
    listing_id: int
    code: ErrorCode
    message: str


@dataclass
class Placement:
    order: Order
    problems: list[PlacementProblem] = field(default_factory=list)


def commission_rates(category_ids: set[int]) -> dict[int, int]:
    """Commission in basis points per category id (default 10 %). A child category without its own
    rate takes its parent's."""
    from catalog.models import Category

    rates = dict(CommissionRate.objects.filter(category_id__in=category_ids).values_list("category_id", "basis_points"))
    missing = category_ids - set(rates)
    if missing:
        parents = dict(Category.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
        parent_rates = dict(
            CommissionRate.objects.filter(category_id__in=[p for p in parents.values() if p]).values_list(
                "category_id", "basis_points"
            )
        )
        for category_id in missing:
            rates[category_id] = parent_rates.get(parents.get(category_id), DEFAULT_COMMISSION_BASIS_POINTS)
    return rates


def _aggregate(lines: list[PlacementLine]) -> dict[int, PlacementLine]:
    merged: dict[int, PlacementLine] = {}
    for line in lines:
        if line.quantity < 1:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                "Quantity must be at least 1.",
                errors=[{"field": f"lines.{line.listing_id}.quantity", "message": "At least 1."}],
            )
        previous = merged.get(line.listing_id)
        quantity = line.quantity + (previous.quantity if previous else 0)
        merged[line.listing_id] = PlacementLine(line.listing_id, quantity, line.expected_price_amount)
    return merged


def _check(market: Market, wanted: dict[int, PlacementLine]) -> list[Listing]:
    """Read the listings (no lock) and refuse early what cannot be bought. Returns them in primary-key order."""
    ids = sorted(wanted)
    listings = list(
        Listing.objects.select_related("variant__product", "grade", "seller").filter(pk__in=ids).order_by("pk")
    )
    found = {listing.pk: listing for listing in listings}
    errors: list[dict[str, str]] = []
    code = ErrorCode.OUT_OF_STOCK
    for listing_id in ids:
        listing = found.get(listing_id)
        line = wanted[listing_id]
        if listing is None or listing.status != ListingStatus.ACTIVE or listing.market_id != market.code:
            code = ErrorCode.OFFER_UNAVAILABLE
            errors.append({"field": f"listing:{listing_id}", "message": "This offer is no longer available."})
        elif listing.stock < line.quantity:
            errors.append({"field": f"listing:{listing_id}", "message": f"Only {listing.stock} left in stock."})
        elif line.expected_price_amount is not None and line.expected_price_amount != listing.price_amount:
            code = ErrorCode.PRICE_CHANGED if code != ErrorCode.OFFER_UNAVAILABLE else code
            errors.append({"field": f"listing:{listing_id}", "message": f"The price is now {listing.price}."})
    if errors:
        messages = {
            ErrorCode.OFFER_UNAVAILABLE: "An offer in your cart is no longer available.",
            ErrorCode.PRICE_CHANGED: "A price changed since you added it to your cart.",
            ErrorCode.OUT_OF_STOCK: "Not enough stock left for your cart.",
        }
        raise ApplicationError(code, messages[code], errors=errors)
    return listings


def _take(listings: list[Listing], wanted: dict[int, PlacementLine]) -> None:
    """Take the stock: one conditional UPDATE per listing, in primary-key order, inside the caller's transaction.

    `stock >= qty AND status = active AND price = the price the order was built with`: a row that
    changed since `_check` updates nothing and the whole placement rolls back. Each UPDATE locks its
    row until commit; since every checkout locks in primary-key order, two carts with the same
    listings in opposite order queue instead of deadlocking. Done last in the transaction so that
    the locks on hot listings are held only until the commit.
    """
    now = timezone.now()
    sold_out = False
    for listing in sorted(listings, key=lambda item: item.pk):
        quantity = wanted[listing.pk].quantity
        changed = Listing.objects.filter(
            pk=listing.pk, stock__gte=quantity, status=ListingStatus.ACTIVE, price_amount=listing.price_amount
        ).update(stock=F("stock") - quantity, updated_at=now)
        if changed != 1:
            current = Listing.objects.filter(pk=listing.pk).values("stock", "status", "price_amount").first() or {}
            if current.get("status") != ListingStatus.ACTIVE:
                code, message = ErrorCode.OFFER_UNAVAILABLE, "This offer is no longer available."
            elif current.get("price_amount") != listing.price_amount:
                code, message = ErrorCode.PRICE_CHANGED, "The price changed meanwhile."
            else:
                code, message = ErrorCode.OUT_OF_STOCK, f"Only {current.get('stock', 0)} left in stock."
            raise ApplicationError(
                code,
                {
                    ErrorCode.OFFER_UNAVAILABLE: "An offer in your cart is no longer available.",
                    ErrorCode.PRICE_CHANGED: "A price changed since you added it to your cart.",
                    ErrorCode.OUT_OF_STOCK: "Not enough stock left for your cart.",
                }[code],
                errors=[{"field": f"listing:{listing.pk}", "message": message}],
            )
        sold_out = sold_out or listing.stock <= quantity
    if sold_out:
        catalog_changed()  # an offer may have left the storefront


def _release_stock(order: Order) -> None:
    """Give the reserved units back, in listing-id order (same lock order as reservation)."""
    quantities: dict[int, int] = defaultdict(int)
    for listing_id, quantity in OrderLine.objects.filter(seller_order__order=order, listing__isnull=False).values_list(
        "listing_id", "quantity"
    ):
        quantities[listing_id] += quantity
    for listing_id in sorted(quantities):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") + quantities[listing_id])
    if quantities:
        catalog_changed()


def order_place(
    *,
    actor: Actor,
    market: Market,
    lines: list[PlacementLine],
    contact: Contact,
    buyer: User | None = None,
    partner: Organisation | None = None,
    partner_reference: str = "",
) -> Order:
    """Reserve stock and create one order, one seller order per seller, one line per listing (a snapshot).

    Storefront orders (no partner) await payment: a payment is started with the checkout
    gateway (Stripe, or the test provider) and the order expires unpaid after
    ORDERS_PAYMENT_MINUTES. Partner orders are paid on invoice at once.
    Raises CART_EMPTY, OFFER_UNAVAILABLE, OUT_OF_STOCK, PRICE_CHANGED (nothing reserved then).
    """
    if not lines:
        raise ApplicationError(ErrorCode.CART_EMPTY, "The cart is empty.")
    if contact.country.lower() != market.code:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"We deliver orders of this market to {market.country} only.",
            errors=[{"field": "country", "message": f"Must be {market.code}."}],
        )
    wanted = _aggregate(lines)
    gateway = gateways.InvoiceGateway() if partner is not None else gateways.checkout_gateway()
    now = timezone.now()
    listings = _check(market, wanted)
    rates = commission_rates({listing.variant.product.category_id for listing in listings})
    with transaction.atomic():
        by_seller: dict[int, list[Listing]] = defaultdict(list)
        for listing in listings:
            by_seller[listing.seller_id].append(listing)
        total = Money.zero(market.currency)
        for listing in listings:
            total += listing.price * wanted[listing.pk].quantity
        order = Order.objects.create(
            channel=OrderChannel.PARTNER if partner is not None else OrderChannel.STOREFRONT,
            buyer=buyer,
            partner=partner,
            partner_reference=partner_reference,
            market=market,
            currency=market.currency,
            total_amount=total.amount,
            vat_amount=vat_included_in(total, market.vat_rate_basis_points).amount,
            email=contact.email,
            full_name=contact.full_name,
            phone=contact.phone,
            address_line=contact.address_line,
            postal_code=contact.postal_code,
            city=contact.city,
            country=contact.country.lower(),
            expires_at=now + timedelta(minutes=settings.ORDERS_PAYMENT_MINUTES),
        )
        order_lines: list[OrderLine] = []
        seller_orders: list[SellerOrder] = []
        lines_by_seller: list[list[OrderLine]] = []
        for seller_id in sorted(by_seller):
            subtotal = Money.zero(market.currency)
            commission = Money.zero(market.currency)
            pending_lines = []
            for listing in by_seller[seller_id]:
                quantity = wanted[listing.pk].quantity
                line_total = listing.price * quantity
                rate = rates[listing.variant.product.category_id]
                subtotal += line_total
                commission += percentage_of(line_total, rate)
                pending_lines.append(
                    OrderLine(
                        listing=listing,
                        quantity=quantity,
                        unit_price_amount=listing.price_amount,
                        currency=listing.currency,
                        commission_basis_points=rate,
                        product_name=listing.variant.product.name,
                        product_slug=listing.variant.product.slug,
                        category_id_snapshot=listing.variant.product.category_id,
                        variant_label=listing.variant.label,
                        grade_code=listing.grade_id,
                        grade_name=listing.grade.name,
                        seller_name=listing.seller.name,
                        sku=listing.sku,
                        warranty_months=listing.warranty_months,
                    )
                )
            seller_orders.append(
                SellerOrder(
                    order=order,
                    seller_id=seller_id,
                    currency=market.currency,
                    subtotal_amount=subtotal.amount,
                    commission_amount=commission.amount,
                )
            )
            lines_by_seller.append(pending_lines)
        SellerOrder.objects.bulk_create(seller_orders)
        for seller_order, pending_lines in zip(seller_orders, lines_by_seller, strict=True):
            for line in pending_lines:
                line.seller_order = seller_order
            order_lines.extend(pending_lines)
        OrderLine.objects.bulk_create(order_lines)
        payment = Payment(order=order, provider=gateway.provider, currency=order.currency, amount=order.total_amount)
        if not isinstance(gateway, gateways.StripeGateway):
            # No network involved (test provider, invoice): start the payment right here.
            start = gateway.start(amount=order.total, order_number=order.number, idempotency_key=f"{order.number}-pay")
            payment.reference = start.reference
        payment.save(force_insert=True)
        if partner is not None:
            order_mark_paid(order=order, actor=actor, amount_received=order.total, reference=payment.reference or "")
        _take(listings, wanted)  # last: the hot rows stay locked only until the commit
    if partner is None:
        order_start_payment(order=order, actor=actor)
    return Order.objects.select_related("market", "payment").get(pk=order.pk)


def order_start_payment(*, order: Order, actor: Actor) -> Payment:
    """Ask the gateway for a payment (a Stripe PaymentIntent) outside any lock; a failure releases the stock."""
    payment = order.payment
    if payment.reference:
        return payment
    gateway = gateways.gateway_for(payment.provider)
    try:
        start = gateway.start(amount=order.total, order_number=order.number, idempotency_key=f"{order.number}-pay")
    except ApplicationError:
        order_payment_failed(order=order, actor=actor, reason="The payment provider could not be reached.")
        raise
    Payment.objects.filter(pk=payment.pk).update(reference=start.reference, client_secret=start.client_secret)
    payment.reference, payment.client_secret = start.reference, start.client_secret
    return payment


def order_mark_paid(*, order: Order, actor: Actor, amount_received: Money, reference: str) -> Order:
    """pending_payment -> paid, from the payment provider's word only (the signed webhook, the test
    provider's button, a partner's invoice). Each seller order becomes paid with its ship-by deadline,
    the sale is booked in the ledger, `order.paid` is emitted per seller order, and e-mails go out after commit.

    Raises INVALID_TRANSITION when the order is not awaiting payment, PAYMENT_FAILED when the amount
    or currency differs from the order's.
    """
    if amount_received != order.total:
        raise ApplicationError(ErrorCode.PAYMENT_FAILED, "The amount paid differs from the order's total.")
    from orders import tasks

    now = timezone.now()
    market, partner = order.market, order.partner  # kept: the locked copy below has no related cache
    with transaction.atomic():
        order = transition(
            order,
            to=OrderStatus.PAID,
            actor=actor,
            transitions=ORDER_TRANSITIONS,
            reason=f"payment {reference}",
            extra_updates={"paid_at": now},
            organisation=partner,
        )
        payment = Payment.objects.select_for_update().get(order=order)
        payment.status = PaymentStatus.SUCCEEDED
        payment.captured_amount = amount_received.amount
        payment.updated_at = now
        payment.save(update_fields=["status", "captured_amount", "updated_at"])
        deadline = ship_by(now, time_zone=market.time_zone)
        # All seller orders at once: one UPDATE ... WHERE status = pending_payment, one audit row each.
        moved = bulk_transition(
            SellerOrder.objects.filter(order=order),
            from_status=SellerOrderStatus.PENDING_PAYMENT,
            to=SellerOrderStatus.PAID,
            actor=actor,
            transitions=TRANSITIONS,
            reason=f"payment {reference}",
        )
        SellerOrder.objects.filter(pk__in=moved).update(paid_at=now, ship_by=deadline)
        # Each audit row belongs to its seller (tenancy of the audit trail), in one UPDATE.
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(SellerOrder),
            object_id__in=[str(pk) for pk in moved],
            to_status=SellerOrderStatus.PAID,
            organisation__isnull=True,
        ).update(
            organisation_id=Subquery(
                SellerOrder.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values("seller_id")[:1]
            )
        )
        seller_orders = list(SellerOrder.objects.filter(pk__in=moved).select_related("seller").order_by("pk"))
        ledger.book_sales(seller_orders=seller_orders, payment=payment)
        emit_many(
            EventType.ORDER_PAID,
            [(_event_data(order, seller_order), seller_order.seller) for seller_order in seller_orders],
        )
        if partner is not None:
            emit(EventType.ORDER_PAID, _event_data(order, None), partner)
        order_id = order.pk
        transaction.on_commit(lambda: tasks.order_paid_notify_task.delay(order_id))
    return order


def _event_data(order: Order, seller_order: SellerOrder | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order": order.number,
        "market": order.market_id,
        "total": order.total.as_dict(),
    }
    if order.partner_reference:
        data["partner_reference"] = order.partner_reference
    if seller_order is not None:
        data.update(
            {
                "seller_order": seller_order.pk,
                "status": seller_order.status,
                "subtotal": seller_order.subtotal.as_dict(),
                "carrier": seller_order.carrier,
                "tracking_number": seller_order.tracking_number,
            }
        )
    return data


def _close_unpaid(order: Order, *, to: str, actor: Actor, reason: str) -> Order:
    with transaction.atomic():
        order = transition(order, to=to, actor=actor, transitions=ORDER_TRANSITIONS, reason=reason)
        Payment.objects.filter(order=order, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.FAILED if to == OrderStatus.PAYMENT_FAILED else PaymentStatus.CANCELLED,
            updated_at=timezone.now(),
        )
        for seller_order in order.seller_orders.order_by("pk"):
            transition(
                seller_order,
                to=SellerOrderStatus.CANCELLED,
                actor=actor,
                transitions=TRANSITIONS,
                reason=reason,
                extra_updates={"cancelled_at": timezone.now(), "cancelled_by": CancelledBy.PLATFORM},
            )
        _release_stock(order)
    return order


def order_payment_failed(*, order: Order, actor: Actor, reason: str) -> Order:
    """pending_payment -> payment_failed: stock back, seller orders cancelled. The PaymentIntent is
    cancelled so that it cannot succeed later."""
    order = _close_unpaid(order, to=OrderStatus.PAYMENT_FAILED, actor=actor, reason=reason)
    _cancel_intent_after_commit(order)
    return order


def order_expire(*, order: Order, actor: Actor) -> Order:
    """pending_payment -> expired (not paid in time): stock back, the PaymentIntent cancelled."""
    order = _close_unpaid(order, to=OrderStatus.EXPIRED, actor=actor, reason="not paid in time")
    _cancel_intent_after_commit(order)
    return order


def _cancel_intent_after_commit(order: Order) -> None:
    payment = Payment.objects.filter(order=order).first()
    if payment is None or not payment.reference or payment.provider != PaymentProvider.STRIPE:
        return
    reference = payment.reference

    def cancel() -> None:
        try:
            gateways.gateway_for(PaymentProvider.STRIPE).cancel(reference=reference)
        except ApplicationError:
            logger.warning("Could not cancel PaymentIntent %s", reference)

    transaction.on_commit(cancel)


def orders_expire_unpaid(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire storefront orders still unpaid past their due time. Safe to run twice (filters on status)."""
    now = now or timezone.now()
    ids = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lt=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    expired = 0
    for order in Order.objects.filter(pk__in=ids).order_by("pk"):
        try:
            order_expire(order=order, actor=Actor.system("order expiry"))
            expired += 1
        except ApplicationError:
            continue  # paid meanwhile
    return expired
