"""Demo order histories that explain a seller's score (`sellers.seed`): orders placed, paid, shipped and
delivered through the real services over the last 85 days, some shipped late, some cancelled by the
seller; technical claims (answered after a given time, or not at all), returns for a defect and
reviews through the after-sales services. Timestamps are moved back in time the way `orders.seed` does
(the delivery itself is recorded on its day, so warranties start then). Deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from catalog.models import Grade, Listing, Variant
from marketplace.actors import Actor
from marketplace.models import Market, User
from marketplace.seed import DEMO_PASSWORD
from orders.models import LedgerEntry, Order, OrderUnit, SellerOrder
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import (
    seller_order_accept,
    seller_order_cancel,
    seller_order_mark_delivered,
    seller_order_ship,
)
from orders.services.payment import order_mark_paid
from orders.states import CancelledBy
from sellers.models import Seller
from sellers.services.listings import seller_listing_create
from warranty.services.claims import Claimant, claim_open, claim_respond
from warranty.services.returns import return_open
from warranty.services.reviews import review_submit

DEMO_BUYER = ("perf-buyer@encore.test", "Léon Acheteur")
CITIES = {
    "fr": ("75011", "Paris"),
    "de": ("10115", "Berlin"),
    "es": ("28001", "Madrid"),
    "it": ("00184", "Roma"),
    "be": ("1000", "Bruxelles"),
    "gb": ("EC1A 1BB", "London"),
    "us": ("10001", "New York"),
    "jp": ("100-0001", "Tokyo"),
}


@dataclass(frozen=True)
class Recipe:
    """An order history: `orders` single-unit orders spread over 85 days; the indexes (0 = oldest) of
    those shipped late and cancelled by the seller; technical claims as hours to answer (None: never
    answered); units returned as defective; the seller stars of the reviews."""

    orders: int
    late: frozenset[int] = frozenset()
    cancelled: frozenset[int] = frozenset()
    claims: tuple[float | None, ...] = ()
    defective_returns: int = 0
    stars: tuple[int, ...] = ()
    recent_defects: bool = False  # claims and returns on the most recent units (a score falling lately)


PERFORMANCE_RECIPES = {
    # 40 delivered, 1 claim answered in 3 h, twelve 5-star reviews: about 98.
    "scored_good": Recipe(orders=40, claims=(3,), stars=(5,) * 12),
    # 30 placed, 2 cancelled, 4 of 28 late, a claim answered in 30 h, 4-star reviews: about 63 (warning).
    "scored_warning": Recipe(
        orders=30, late=frozenset({3, 9, 15, 27}), cancelled=frozenset({12, 25}), claims=(30,), stars=(4,) * 8
    ),
    # 41 placed, 1 cancelled, 2 of 40 late, 3 claims (7.5 % defects) answered in 20 h, 3.4 stars: about 56 (cap).
    "scored_cap": Recipe(
        orders=41, late=frozenset({5, 30}), cancelled=frozenset({20}), claims=(20, 20, 20), stars=(3, 4, 3, 4, 3)
    ),
    # 30 delivered, 4 claims and 1 defective return lately (16.7 % defects), poor ratings: suspended.
    "suspended_by_score": Recipe(
        orders=30,
        late=frozenset({28}),
        claims=(70, 70, None, None),
        defective_returns=1,
        stars=(2, 3, 2, 4),
        recent_defects=True,
    ),
}


def _imei(n: int) -> str:
    body = f"35{n:012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def _buyer() -> User:
    email, name = DEMO_BUYER
    return User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=name
    )


def _stock_listing(seller: Seller, market: Market, count: int) -> Listing:
    """One listing with stock for the whole history (a copy of the catalog's first variant, good grade)."""
    variant = Variant.objects.order_by("pk").first()
    grade = Grade.objects.get(code="good")
    if variant is None:
        raise RuntimeError("The catalog seed must run first.")
    return seller_listing_create(
        seller=seller.organisation,
        actor=Actor.system("demo data"),
        variant=variant,
        grade=grade,
        market=market,
        price_amount=19900 if market.currency != "JPY" else 29800,
        stock=count + 5,
        sku=f"{seller.organisation.slug.upper()[:8]}-HIST",
        battery_health=88,
        warranty_months=12,
    )


def _backdate(seller_order: SellerOrder, *, paid: datetime, late: bool) -> datetime:
    """Move the order back to `paid`; shipped within the day (or two days late). Returns shipped_at."""
    delta = timezone.now() - paid
    shipped = paid + timedelta(days=2, hours=6) if late else paid + timedelta(hours=20)
    shipped = min(shipped, timezone.now() - timedelta(hours=3))
    Order.objects.filter(pk=seller_order.order_id).update(
        created_at=F("created_at") - delta,
        updated_at=F("updated_at") - delta,
        expires_at=F("expires_at") - delta,
        paid_at=paid,
    )
    SellerOrder.objects.filter(pk=seller_order.pk).update(
        created_at=paid,
        updated_at=paid,
        paid_at=paid,
        ship_by=paid + timedelta(days=1, hours=4),
        accepted_at=paid + timedelta(hours=2) if seller_order.accepted_at else None,
        shipped_at=shipped if seller_order.shipped_at else None,
        cancelled_at=paid + timedelta(hours=3) if seller_order.cancelled_at else None,
    )
    LedgerEntry.objects.filter(seller_order=seller_order).update(created_at=paid)
    return shipped


def performance_history(seller: Seller, recipe: Recipe) -> None:
    """Build `recipe`'s order history for `seller` (its home market) through the real services."""
    actor = Actor.system("demo data")
    market = seller.home_market
    buyer = _buyer()
    postal_code, city = CITIES.get(market.code, ("10000", "Demo City"))
    contact = Contact(
        email=buyer.email,
        full_name=buyer.full_name,
        address_line="12 Demo Street",
        postal_code=postal_code,
        city=city,
        country=market.code,
        state="NY" if not market.prices_include_tax else "",  # US orders add the state's sales tax
    )
    listing = _stock_listing(seller, market, recipe.orders)
    now = timezone.now()
    delivered: list[tuple[SellerOrder, datetime]] = []
    for index in range(recipe.orders):
        paid_at = now - timedelta(days=85) + timedelta(days=83 * index / max(recipe.orders - 1, 1))
        order = order_place(
            actor=actor, market=market, lines=[PlacementLine(listing.pk, 1)], contact=contact, buyer=buyer
        )
        order_mark_paid(order=order, actor=actor, amount_received=order.total, reference=order.payment.reference or "")
        seller_order = order.seller_orders.get()
        if index in recipe.cancelled:
            seller_order_cancel(seller_order=seller_order, actor=actor, by=CancelledBy.SELLER, reason="Out of stock")
            _backdate(SellerOrder.objects.get(pk=seller_order.pk), paid=paid_at, late=False)
            continue
        seller_order_accept(seller_order=seller_order, actor=actor)
        line = seller_order.lines.get()
        seller_order_ship(
            seller_order=seller_order,
            actor=actor,
            carrier="DHL",
            tracking_number=f"DEMO{seller.pk:05d}{index:04d}",
            units={line.pk: [_imei(seller.pk * 10_000 + index)]},
        )
        shipped = _backdate(SellerOrder.objects.get(pk=seller_order.pk), paid=paid_at, late=index in recipe.late)
        delivered_at = min(shipped + timedelta(days=2), now - timedelta(hours=2))
        seller_order_mark_delivered(
            seller_order=SellerOrder.objects.get(pk=seller_order.pk), actor=actor, delivered_at=delivered_at
        )
        delivered.append((SellerOrder.objects.get(pk=seller_order.pk), delivered_at))
    _after_sales(delivered, recipe, buyer=buyer, now=now)


def _after_sales(delivered: list[tuple[SellerOrder, datetime]], recipe: Recipe, *, buyer: User, now: datetime) -> None:
    actor = Actor.system("demo data")
    claimant = Claimant(shopper=buyer)
    # Defects on the newest units (a score falling lately) or spread over the window.
    defect_count = len(recipe.claims) + recipe.defective_returns
    if recipe.recent_defects:
        defect_targets = delivered[-(defect_count + 2) : -2]
    else:
        step = max(len(delivered) // max(defect_count, 1), 1)
        defect_targets = delivered[::step][:defect_count]
    for (seller_order, delivered_at), answer_hours in zip(defect_targets, recipe.claims, strict=False):
        unit = OrderUnit.objects.filter(line__seller_order=seller_order).order_by("pk").first()
        if unit is None:
            continue
        opened = min(delivered_at + timedelta(days=1), now - timedelta(hours=2))
        claim = claim_open(
            line=unit.line,
            identifier=unit.identifier,
            claimant=claimant,
            category="technical_defect",
            description="The phone switches off by itself when the battery is at 30 %.",
            actor=actor,
            now=opened,
        )
        if answer_hours is not None and opened + timedelta(hours=answer_hours) < now:
            claim_respond(
                claim=claim,
                resolution="repair",
                message="Sorry about this: please send it back with the label, we repair it within 5 days.",
                actor=actor,
                now=opened + timedelta(hours=answer_hours),
            )
    for seller_order, delivered_at in defect_targets[len(recipe.claims) :]:
        unit = OrderUnit.objects.filter(line__seller_order=seller_order).order_by("pk").first()
        if unit is not None:
            return_open(
                seller_order=seller_order,
                units=[unit],
                reason="defective",
                buyer=claimant,
                actor=actor,
                now=min(delivered_at + timedelta(days=3), now - timedelta(hours=1)),
            )
    for (seller_order, delivered_at), stars in zip(reversed(delivered), recipe.stars, strict=False):
        line = seller_order.lines.get()
        review_submit(
            line=line,
            shopper=buyer,
            seller_stars=stars,
            unit_stars=min(stars + 1, 5),
            text={5: "Perfect, like new.", 4: "Good, shipped a bit late.", 3: "Works, but marks not in the grade."}.get(
                stars, "Disappointed: the battery drains fast."
            ),
            actor=actor,
            now=min(delivered_at + timedelta(days=4), now - timedelta(minutes=30)),
        )
