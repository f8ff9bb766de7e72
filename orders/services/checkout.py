"""Checkout: place an order split per seller, with the stock reserved in the same transaction.

The listings are read and checked first, without a lock; the order, its seller orders, lines
(snapshots of the offers as bought) and payment are written; the stock is taken last, just
before the commit (`stock.stock_take`: one conditional UPDATE per listing in primary-key order),
so the hot listing rows stay locked only for those UPDATEs and the commit. What happens to the
payment afterwards (paid, failed, expired) is in `payment`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Listing
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Organisation, User
from marketplace.money import Money, percentage_of, vat_included_in
from marketplace.prefetch import prefetched
from orders import gateways
from orders.models import (
    Cart,
    Order,
    OrderChannel,
    OrderLine,
    Payment,
    SellerOrder,
)
from orders.sales_tax import SalesTax, is_state, normalise_state, sales_tax_for
from orders.selectors import commission_rate_from, commission_rates_annotation
from orders.services import buyback, wallet
from orders.services.cart import cart_clear
from orders.services.payment import PaidAt, order_paid_at_placement, order_start_payment
from orders.services.stock import UNAVAILABLE_MESSAGES, stock_take
from orders.states import OrderStatus


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
    # A US order's state (two letters): it decides the sales tax (`orders.sales_tax`).
    state: str = ""


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


def _check(market: Market, wanted: dict[int, PlacementLine], read: Sequence[Listing] | None) -> list[Listing]:
    """Read the listings (no lock) and refuse early what cannot be bought. Returns them in primary-key order.
    `read`: the caller's listings of exactly these lines, read as below a moment ago (not read again)."""
    ids = sorted(wanted)
    if read is not None and sorted(listing.pk for listing in read) == ids:
        listings = sorted(read, key=lambda listing: listing.pk)
    else:
        listings = list(
            Listing.objects.select_related("variant__product", "grade", "seller")
            # The commission's two rates join the same query (`commission_rate_from` decides).
            .annotate(**commission_rates_annotation())
            .filter(pk__in=ids)
            .order_by("pk")
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
        raise ApplicationError(code, UNAVAILABLE_MESSAGES[code], errors=errors)
    return listings


def _sales_tax(market: Market, contact: Contact, subtotal: Money, *, exempt: bool) -> SalesTax | None:
    """The sales tax of a market whose prices exclude it (the US), from the state shipped to. A shopper's
    order must name a valid state. Exempt: a partner's order (a purchase for resale, the partner collects)
    and a mystery order (the platform buys from its own marketplace to audit a seller)."""
    if market.prices_include_tax or exempt:
        return None
    if not is_state(contact.state):
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Choose the state the order is shipped to: it decides the sales tax.",
            errors=[{"field": "state", "message": "A US state code, e.g. CA."}],
        )
    return sales_tax_for(subtotal, contact.state)


def order_place(
    *,
    actor: Actor,
    market: Market,
    lines: list[PlacementLine],
    contact: Contact,
    buyer: User | None = None,
    partner: Organisation | None = None,
    partner_reference: str = "",
    store_credit: Money | None = None,
    buyback_listing_ids: frozenset[int] = frozenset(),
    audit: bool = False,
    cart: Cart | None = None,
    listings: Sequence[Listing] | None = None,
) -> Order:
    """Reserve stock and create one order, one seller order per seller, one line per listing (a snapshot).

    Storefront orders (no partner) await payment: a payment is started with the checkout
    gateway (Stripe, or the test provider) and the order expires unpaid after
    ORDERS_PAYMENT_MINUTES. Partner orders are paid on invoice at once.
    `store_credit`: the buyer's store credit to spend on it (whole or part of the total; the rest
    is paid by card); spent in the same transaction, so a refused order spends nothing, and an order
    it pays in full is paid at once. `buyback_listing_ids`: the lines the buyer took a free guaranteed
    buy-back for (one guarantee per unit, its prices fixed now: `orders.services.buyback`); storefront
    orders with a buyer only.
    `audit`: a mystery order placed by the platform's auditors (the sellers app's console): flagged
    `is_audit`, paid by the platform at once (`PlatformGateway`, booked to `audit_cost`); to the seller
    it is an order like any other.
    `cart`: the buyer's cart the order comes from; the lines of the listings ordered leave it in the
    same transaction (a refused order leaves the cart as it was).
    `listings`: the lines' listings as the caller has just read them, unlocked as this reads them, with
    their product, grade and seller and the commission's rates annotated (`orders.selectors.cart_review`
    reads them so): not read again. Every condition is still checked on them, and again by the stock take.
    In a market whose prices exclude tax (the US) a storefront order adds the sales tax of
    `contact.state` (`orders.sales_tax`), kept on the order; the total paid includes it.
    Raises VALIDATION (country, state), CART_EMPTY, OFFER_UNAVAILABLE, OUT_OF_STOCK, PRICE_CHANGED,
    STORE_CREDIT_INSUFFICIENT
    (nothing reserved or spent then).
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
    if audit and partner is not None:
        raise ApplicationError(ErrorCode.VALIDATION, "A mystery order is the platform's, not a partner's.")
    gateway: gateways.PaymentGateway
    if audit:
        gateway = gateways.PlatformGateway()
    elif partner is not None:
        gateway = gateways.InvoiceGateway()
    else:
        gateway = gateways.checkout_gateway()
    now = timezone.now()
    listings = _check(market, wanted, listings)
    with transaction.atomic():
        by_seller: dict[int, list[Listing]] = defaultdict(list)
        for listing in listings:
            by_seller[listing.seller_id].append(listing)
        total = Money.zero(market.currency)
        for listing in listings:
            total += listing.price * wanted[listing.pk].quantity
        tax = _sales_tax(market, contact, total, exempt=partner is not None or audit)
        if tax is not None:
            total += tax.amount
        credit = Money.zero(market.currency)  # the store credit spent on it
        if store_credit is not None and store_credit.amount > 0 and buyer is not None and partner is None:
            credit = min(store_credit, total)
        # Paid as it is placed (a partner's invoice, a mystery order, store credit covering the total): its
        # rows are written paid (`PaidAt`, the rule `order_mark_paid` writes too), not written twice.
        paid = (
            PaidAt.of(market, now) if partner is not None or audit or (credit.amount > 0 and credit == total) else None
        )
        order = Order.objects.create(
            channel=OrderChannel.PARTNER if partner is not None else OrderChannel.STOREFRONT,
            buyer=buyer,
            partner=partner,
            partner_reference=partner_reference,
            market=market,
            currency=market.currency,
            total_amount=total.amount,
            vat_amount=vat_included_in(total, market.vat_rate_basis_points).amount if tax is None else 0,
            sales_tax_amount=tax.amount.amount if tax is not None else 0,
            sales_tax_rate=tax.rate if tax is not None else None,
            state=tax.state if tax is not None else normalise_state(contact.state)[:2],
            email=contact.email,
            full_name=contact.full_name,
            phone=contact.phone,
            address_line=contact.address_line,
            postal_code=contact.postal_code,
            city=contact.city,
            country=contact.country.lower(),
            expires_at=now + timedelta(minutes=settings.ORDERS_PAYMENT_MINUTES),
            is_audit=audit,
            **(paid.order() if paid is not None else {}),
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
                rate = commission_rate_from(listing.commission_own, listing.commission_parent)  # type: ignore[attr-defined]
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
                    **(paid.seller_order() if paid is not None else {}),
                )
            )
            lines_by_seller.append(pending_lines)
        SellerOrder.objects.bulk_create(seller_orders)
        for seller_order, pending_lines in zip(seller_orders, lines_by_seller, strict=True):
            for line in pending_lines:
                line.seller_order = seller_order
            order_lines.extend(pending_lines)
        OrderLine.objects.bulk_create(order_lines)
        guaranteed: list[OrderLine] = []
        if buyback_listing_ids and buyer is not None and partner is None:
            guaranteed = [line for line in order_lines if line.listing_id in buyback_listing_ids]
            if guaranteed:
                buyback.buyback_guarantees_take(order=order, lines=guaranteed, now=now)
        payment = Payment(
            order=order,
            provider=gateway.provider,
            currency=order.currency,
            amount=order.total_amount,
            **(paid.payment(captured_amount=order.total_amount) if paid is not None else {}),
        )
        if credit.amount > 0 and buyer is not None:
            wallet.store_credit_spend(user=buyer, order=order, amount=credit, actor=actor)
        due = order.total - credit
        if not isinstance(gateway, gateways.StripeGateway) and due.amount > 0:
            # No network involved (test provider, invoice): start the payment right here.
            start = gateway.start(amount=due, order_number=order.number, idempotency_key=f"{order.number}-pay")
            payment.reference = start.reference
        payment.save(force_insert=True)
        sellers = {listing.seller_id: listing.seller for listing in listings}  # read with the listings
        order.payment = payment
        if paid is not None:
            order_paid_at_placement(
                order=order,
                payment=payment,
                seller_orders=seller_orders,
                actor=actor,
                # Store credit alone: nothing for a payment provider to do.
                reference=payment.reference or "" if partner is not None or audit else "store credit",
                credit=credit,
                sellers=sellers,
            )
        if cart is not None:
            cart_clear(cart=cart, listing_ids=sorted(wanted))
        # Last: the hot rows stay locked only until the commit.
        stock_take(listings=listings, quantities={listing_id: line.quantity for listing_id, line in wanted.items()})
    # The order as placed, with its market and payment, paid or not: nothing is read back.
    if order.status == OrderStatus.PENDING_PAYMENT and partner is None:
        order_start_payment(order=order, actor=actor)
    _attach_placed(order, seller_orders, order_lines, sellers, {line.pk for line in guaranteed})
    return order


def _attach_placed(
    order: Order,
    created: list[SellerOrder],
    lines: list[OrderLine],
    sellers: dict[int, Organisation],
    guaranteed: set[int],
) -> None:
    """Attach the placed order's seller orders and lines as `orders.selectors`' detail queryset loads them
    (by primary key, each seller order with its seller), so a caller shows the order without reading it
    back (the seller orders as created, paid or not). No unit exists before shipping; only the lines with a
    guaranteed buy-back read theirs when asked."""
    parcels = created
    lines_of: dict[int, list[OrderLine]] = {}
    for line in lines:
        lines_of.setdefault(line.seller_order_id, []).append(line)
        prefetched(line, "units", [])
        if line.pk not in guaranteed:
            prefetched(line, "buyback_guarantees", [])
    for parcel in parcels:
        parcel.seller = sellers[parcel.seller_id]
        prefetched(parcel, "lines", lines_of.get(parcel.pk, []))
    prefetched(order, "seller_orders", parcels)
