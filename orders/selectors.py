"""Order reads with rules: the cart review, a shopper's orders, a seller's orders (scoped), a partner's;
commission rates (a category without its own takes its parent's); a seller's balances."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import F, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from catalog.impact import ZERO as ZERO_IMPACT
from catalog.impact import Impact, impact_of
from catalog.models import Category, Listing
from catalog.states import ListingStatus
from marketplace.models import Market, Organisation, User
from marketplace.money import Money, vat_included_in
from marketplace.tenancy import get_scoped_or_404, scope
from orders.buyback import GUARANTEE_MONTHS, LIVE_SELLER_ORDER_STATUSES, buyback_schedule
from orders.models import (
    DEFAULT_COMMISSION_BASIS_POINTS,
    BuybackGuarantee,
    Cart,
    CartLine,
    Dispute,
    DisputeStatus,
    LedgerAccount,
    LedgerEntry,
    LineHold,
    Order,
    OrderLine,
    OrderUnit,
    PayoutMeasureKind,
    RetainedSale,
    SellerOrder,
    SellerPayoutAccount,
)
from orders.states import SellerOrderStatus


@dataclass
class CartRow:
    line: CartLine
    listing: Listing
    price: Money
    quantity: int
    available: bool
    price_changed: bool
    quantity_reduced: bool
    problem: str = ""

    @property
    def total(self) -> Money:
        return self.price * self.quantity


@dataclass
class CartGroup:
    seller: Organisation
    rows: list[CartRow] = field(default_factory=list)

    @property
    def subtotal(self) -> Money:
        total = Money.zero(self.rows[0].price.currency)
        for row in self.rows:
            if row.available:
                total += row.total
        return total


@dataclass
class CartReview:
    market: Market
    groups: list[CartGroup]
    elsewhere: list[CartRow]  # lines of another market: kept, not bought here

    @property
    def rows(self) -> list[CartRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def buyable(self) -> list[CartRow]:
        return [row for row in self.rows if row.available]

    @property
    def total(self) -> Money:
        total = Money.zero(self.market.currency)
        for row in self.buyable:
            total += row.total
        return total

    @property
    def vat(self) -> Money:
        return vat_included_in(self.total, self.market.vat_rate_basis_points)

    @property
    def has_changes(self) -> bool:
        return any(row.price_changed or not row.available or row.quantity_reduced for row in self.rows)

    @property
    def count(self) -> int:
        return sum(row.quantity for row in self.buyable)


def cart_review(*, cart: Cart | None, market: Market) -> CartReview:
    """The cart as it stands now: current prices and stock, with every change since adding shown plainly.

    Each row's listing is read as a placement reads it (its product, grade and seller, and the commission's
    two rates annotated: `commission_rates_annotation`), so the checkout places the buyable rows without
    reading their listings again (`order_place(listings=)`)."""
    if cart is None:
        return CartReview(market=market, groups=[], elsewhere=[])
    lines = (
        CartLine.objects.filter(cart=cart)
        .select_related("listing__seller", "listing__variant__product__category", "listing__grade")
        .annotate(**commission_rates_annotation("listing__"))
        .order_by("added_at", "id")
    )
    groups: dict[int, CartGroup] = {}
    elsewhere: list[CartRow] = []
    for line in lines:
        listing = line.listing
        listing.commission_own, listing.commission_parent = line.commission_own, line.commission_parent  # type: ignore[attr-defined]
        on_sale = listing.status == ListingStatus.ACTIVE and listing.stock > 0
        quantity = min(line.quantity, listing.stock) if on_sale else line.quantity
        row = CartRow(
            line=line,
            listing=listing,
            price=listing.price,
            quantity=max(quantity, 1),
            available=on_sale,
            price_changed=on_sale and line.seen_price_amount != listing.price_amount,
            quantity_reduced=on_sale and quantity < line.quantity,
            problem="" if on_sale else "unavailable",
        )
        if listing.market_id != market.code:
            elsewhere.append(row)
            continue
        groups.setdefault(listing.seller_id, CartGroup(seller=listing.seller)).rows.append(row)
    return CartReview(market=market, groups=list(groups.values()), elsewhere=elsewhere)


def _order_detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("market", "payment").prefetch_related(
        Prefetch(
            "seller_orders",
            queryset=SellerOrder.objects.select_related("seller")
            .prefetch_related(
                Prefetch(
                    "lines",
                    queryset=OrderLine.objects.prefetch_related(
                        Prefetch("units", queryset=OrderUnit.objects.select_related("warranty").order_by("pk")),
                        Prefetch("buyback_guarantees", queryset=BuybackGuarantee.objects.order_by("unit_number")),
                    ).order_by("pk"),
                )
            )
            .order_by("pk"),
        )
    )


def order_list_for_shopper(*, shopper: User) -> QuerySet[Order]:
    """A shopper's own orders, newest first, with parcels, lines, units and warranties loaded."""
    return _order_detail_queryset().filter(buyer=shopper).order_by("-created_at", "-id")


def order_get_for_shopper(*, shopper: User, number: str, detail: bool = True) -> Order:
    """A shopper's own order; another's is a plain 404. `detail=False`: without parcels and lines."""
    queryset = _order_detail_queryset() if detail else Order.objects.select_related("market", "payment")
    return get_object_or_404(queryset.filter(buyer=shopper), number=number)


def seller_order_list(*, seller: Organisation | None, status: str | None = None) -> QuerySet[SellerOrder]:
    """A seller's own seller orders (scoped), without those still awaiting payment; lines and units loaded."""
    queryset = scope(SellerOrder.objects.all(), seller, field="seller").select_related("order", "order__market")
    queryset = queryset.exclude(status=SellerOrderStatus.PENDING_PAYMENT)
    if status:
        queryset = queryset.filter(status=status)
    units = Prefetch("units", queryset=OrderUnit.objects.select_related("warranty").order_by("pk"))
    return queryset.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.prefetch_related(units).order_by("pk"))
    )


def seller_order_get(*, seller: Organisation | None, id: int) -> SellerOrder:
    """A seller's own order; another tenant's (or one still awaiting payment) is a plain 404."""
    return get_scoped_or_404(seller_order_list(seller=seller), seller, field="seller", pk=id)


def partner_order_list(*, partner: Organisation | None) -> QuerySet[Order]:
    """A partner's own orders (scoped), with parcels and lines loaded."""
    return scope(_order_detail_queryset(), partner, field="partner")


def partner_order_get(*, partner: Organisation | None, id: int) -> Order:
    """A partner's own order; another's is a plain 404."""
    return get_scoped_or_404(_order_detail_queryset(), partner, field="partner", pk=id)


def order_impact(*, order: Order) -> Impact:
    """CO2e and e-waste avoided by buying these units refurbished rather than new: every unit counts with
    its top-level category's figures (`catalog.impact`, the one convention). Two queries."""
    per_category: dict[int | None, int] = {}
    for category_id, quantity in OrderLine.objects.filter(seller_order__order=order).values_list(
        "category_id_snapshot", "quantity"
    ):
        per_category[category_id] = per_category.get(category_id, 0) + quantity
    return impact_of(per_category) if per_category else ZERO_IMPACT


def commission_rates(*, category_ids: set[int]) -> dict[int, int]:
    """Commission in basis points per category id (default 10 %). A child category without its own
    rate takes its parent's."""
    # One query: each category's own rate and its parent's (two left joins).
    rows = Category.objects.filter(pk__in=category_ids).values_list(
        "pk", "commission_rate__basis_points", "parent__commission_rate__basis_points"
    )
    found = {pk: commission_rate_from(own, parent) for pk, own, parent in rows}
    return {category_id: found.get(category_id, DEFAULT_COMMISSION_BASIS_POINTS) for category_id in category_ids}


# The two rates `commission_rate_from` decides from, as a queryset of listings annotates them.
COMMISSION_RATE_OWN = "variant__product__category__commission_rate__basis_points"
COMMISSION_RATE_PARENT = "variant__product__category__parent__commission_rate__basis_points"


def commission_rates_annotation(path: str = "") -> dict[str, F]:
    """`commission_own` and `commission_parent`, the two rates `commission_rate_from` decides from, to
    annotate on a queryset of listings (`path`: the way to the listing, e.g. `"listing__"` from cart lines)."""
    return {"commission_own": F(path + COMMISSION_RATE_OWN), "commission_parent": F(path + COMMISSION_RATE_PARENT)}


def commission_rate_from(own: int | None, parent: int | None) -> int:
    """The rule: the category's own rate, else its parent's, else the default (10 %)."""
    if own is not None:
        return own
    return parent if parent is not None else DEFAULT_COMMISSION_BASIS_POINTS


# --- what the platform owes a seller (the ledger's seller accounts) -----------------------------
@dataclass(frozen=True)
class Balance:
    currency: str
    pending: Money
    available: Money
    held: Money  # kept out of payouts while a claim or a return is open on its lines

    @property
    def total(self) -> Money:
        return self.pending + self.available + self.held


def seller_balances(*, seller: Organisation) -> list[Balance]:
    """What the platform owes a seller, per currency: pending (return window open), payable, and held
    (claims and returns open)."""
    rows = (
        LedgerEntry.objects.filter(
            seller=seller,
            account__in=[LedgerAccount.SELLER_PENDING, LedgerAccount.SELLER_AVAILABLE, LedgerAccount.SELLER_HELD],
        )
        .values("currency", "account")
        .annotate(total=Sum("amount"))
    )
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        totals.setdefault(row["currency"], {})[row["account"]] = -(row["total"] or 0)
    return [
        Balance(
            currency=currency,
            pending=Money(values.get(LedgerAccount.SELLER_PENDING, 0), currency),
            available=Money(values.get(LedgerAccount.SELLER_AVAILABLE, 0), currency),
            held=Money(values.get(LedgerAccount.SELLER_HELD, 0), currency),
        )
        for currency, values in sorted(totals.items())
    ]


# --- guaranteed buy-backs (forward trade-in) -----------------------------------------------------
def root_category_slugs(category_ids: Iterable[int | None]) -> dict[int, str]:
    """Category id -> the slug of its top-level category (curves are per top-level category)."""
    categories = {c.pk: c for c in Category.objects.only("pk", "parent_id", "slug")}
    roots: dict[int, str] = {}
    for category_id in {c for c in category_ids if c is not None}:
        category, seen = categories.get(category_id), 0
        while category is not None and category.parent_id is not None and seen < 10:
            category, seen = categories.get(category.parent_id), seen + 1
        if category is not None:
            roots[category_id] = category.slug
    return roots


def buyback_offers(*, listings: Iterable[Listing]) -> dict[int, list[tuple[int, Money]]]:
    """What a guaranteed buy-back would pay for each listing if bought now: (month, price) at the
    start and after 6, 12, 18 and 23 months (the last month it is redeemable), for the checkout page."""
    listings = list(listings)
    roots = root_category_slugs(listing.variant.product.category_id for listing in listings)
    offers = {}
    for listing in listings:
        schedule = buyback_schedule(listing.price, roots.get(listing.variant.product.category_id, ""))
        offers[listing.pk] = [(month, schedule[month]) for month in (0, 6, 12, 18, GUARANTEE_MONTHS - 1)]
    return offers


@dataclass(frozen=True)
class LiabilityRow:
    """Outstanding guaranteed buy-backs ending in one month: how many, and what they would pay today."""

    currency: str
    expiry_month: date
    count: int
    amount: Money


def buyback_liability(*, now: datetime) -> list[LiabilityRow]:
    """The guarantees the platform may still have to honour, by currency and month of expiry: active,
    within their 24 months, on a paid order whose parcel was not cancelled or refunded. `amount` is
    what they would pay if redeemed at `now` (the schedule's price of the month elapsed). One query."""
    sql = """
        SELECT g.currency,
               (date_trunc('month', g.ends_at AT TIME ZONE 'UTC'))::date AS expiry_month,
               count(*),
               sum((g.schedule ->> (
                   extract(year FROM age(%(now)s, g.starts_at)) * 12 + extract(month FROM age(%(now)s, g.starts_at))
               )::int)::bigint)
        FROM orders_buybackguarantee g
        JOIN orders_orderline l ON l.id = g.line_id
        JOIN orders_sellerorder so ON so.id = l.seller_order_id
        JOIN orders_order o ON o.id = so.order_id
        WHERE g.status = 'active' AND g.starts_at <= %(now)s AND g.ends_at > %(now)s
          AND o.status = 'paid' AND so.status = ANY(%(live)s)
        GROUP BY 1, 2
        ORDER BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "live": sorted(LIVE_SELLER_ORDER_STATUSES)})
        rows = cursor.fetchall()
    return [
        LiabilityRow(currency=currency, expiry_month=month, count=count, amount=Money(int(amount or 0), currency))
        for currency, month, count, amount in rows
    ]


# --- why money is or is not paid (the seller's payouts page) ---------------------------------------
@dataclass(frozen=True)
class PayoutLine:
    """One amount owed to a seller and why it is where it is. `kind`: payable, return_window,
    not_delivered, held_claim, held_dispute, retained. `until`: when it moves on (the end of the return
    window, a retainer's release, the pay date)."""

    kind: str
    amount: Money
    until: date | datetime | None = None
    seller_order: SellerOrder | None = None
    reason: str = ""


@dataclass(frozen=True)
class PayoutStatement:
    account: SellerPayoutAccount | None
    account_state: str  # none, onboarding, restricted, ready (`orders.services.connect.payout_account_state`)
    next_pay_date: date
    deferred_until: date | None
    lines: list[PayoutLine] = field(default_factory=list)

    @property
    def paid_next(self) -> bool:
        """The payable amounts go out on `next_pay_date` (a ready account, no deferral)."""
        return self.account_state == "ready" and self.deferred_until is None


def seller_payout_statement(*, seller: Organisation, now: datetime | None = None, limit: int = 100) -> PayoutStatement:
    """Every amount the platform owes the seller, each with why it is or is not paid: payable (on the next
    pay date, or not: no payout account, Stripe restricted it, payouts deferred), in the return window (until
    its end), not delivered yet, held (a claim or return, a card dispute, a payout retainer, with reason)."""
    from orders.services.connect import payout_account_state
    from orders.services.measures import payout_measures_live
    from orders.services.payouts import next_pay_date

    now = now or timezone.now()
    account = SellerPayoutAccount.objects.filter(seller=seller).first()
    deferral = (
        payout_measures_live(seller=seller, at=now).filter(kind=PayoutMeasureKind.DEFERRAL).order_by("-ends_at").first()
    )
    deferred_until = deferral.ends_at.date() if deferral is not None else None
    lines: list[PayoutLine] = []
    for balance in seller_balances(seller=seller):
        if balance.available.amount > 0:
            reason = deferral.reason if deferral is not None else ""
            lines.append(PayoutLine(kind="payable", amount=balance.available, reason=reason))
    pending = (
        LedgerEntry.objects.filter(seller=seller, account=LedgerAccount.SELLER_PENDING, seller_order__isnull=False)
        .values("seller_order_id", "currency")
        .annotate(total=Sum("amount"))
        .filter(total__lt=0)
        .order_by("seller_order_id")[:limit]
    )
    pending_rows = list(pending)
    seller_orders = SellerOrder.objects.select_related("order").in_bulk(
        [row["seller_order_id"] for row in pending_rows]
    )
    for row in pending_rows:
        seller_order = seller_orders[row["seller_order_id"]]
        amount = Money(-row["total"], row["currency"])
        if seller_order.delivered_at is not None:
            lines.append(
                PayoutLine(
                    kind="return_window",
                    amount=amount,
                    until=seller_order.return_window_ends_at,
                    seller_order=seller_order,
                )
            )
        else:
            lines.append(PayoutLine(kind="not_delivered", amount=amount, seller_order=seller_order))
    for hold in LineHold.objects.filter(seller=seller, released_at__isnull=True).select_related("seller_order__order")[
        :limit
    ]:
        lines.append(
            PayoutLine(kind="held_claim", amount=hold.money, seller_order=hold.seller_order, reason=hold.source)
        )
    for dispute in Dispute.objects.filter(seller=seller, status=DisputeStatus.OPEN).select_related(
        "seller_order__order"
    )[:limit]:
        lines.append(
            PayoutLine(
                kind="held_dispute", amount=dispute.held, seller_order=dispute.seller_order, reason=dispute.reason
            )
        )
    for share in RetainedSale.objects.filter(seller=seller, released_at__isnull=True).select_related(
        "seller_order__order", "measure"
    )[:limit]:
        lines.append(
            PayoutLine(
                kind="retained",
                amount=share.money,
                until=share.release_at,
                seller_order=share.seller_order,
                reason=share.measure.reason,
            )
        )
    return PayoutStatement(
        account=account,
        account_state=payout_account_state(account),
        next_pay_date=next_pay_date(now=now, not_before=deferred_until),
        deferred_until=deferred_until,
        lines=lines,
    )


def seller_disputes(
    *, seller: Organisation | None = None, seller_order: SellerOrder | None = None
) -> QuerySet[Dispute]:
    """Card disputes of a seller (or of one seller order), newest first."""
    queryset = Dispute.objects.select_related("seller_order__order", "seller")
    if seller is not None:
        queryset = queryset.filter(seller=seller)
    if seller_order is not None:
        queryset = queryset.filter(seller_order=seller_order)
    return queryset.order_by("-opened_at", "-pk")
