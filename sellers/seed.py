"""Demo sellers in every lifecycle state, each with a login (password: encore-demo).

`seed` (before the catalog seed) gives the kernel's demo and bench seller organisations their
seller rows, active, so the catalog seed can list for them. `seed_after` (once the catalog
exists) adds one seller per state with a few listings, driven through the real services:
applied; probation day 3 with 4 new listings today; probation day 41 (the next beat run
moves it to review); under review (listings paused by the platform); terminated (for fraud).

Performance: four sellers whose figures explain their state, with a real order history over the
last 85 days (placed, paid, shipped, delivered, some late, some cancelled by the seller; claims,
returns for defects and reviews through the after-sales services): a good one (score about 98),
one with a warning (late parcels, cancellations), one under the listing cap (defects, poor
ratings), and one the scoring job suspends (16 % defects). Their 60 past days of history are
backfilled (`sellers_score(history_only=True)`), then today's run applies the ladder for real.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Grade, Listing, Variant
from marketplace.actors import Actor
from marketplace.models import Market, Membership, MembershipRole, Organisation, OrganisationKind, User
from marketplace.seed import DEMO_PASSWORD
from sellers.models import LegalForm, Seller
from sellers.performance_seed import PERFORMANCE_RECIPES, performance_history
from sellers.services.lifecycle import seller_start_review, seller_terminate
from sellers.services.listings import seller_listing_create
from sellers.services.performance import sellers_score
from sellers.services.standing import seller_standing_sync, seller_standings_sync_many
from sellers.states import SellerStatus, TerminationGround
from warranty.services.labels import seller_return_address_set

Log = Callable[[str], None]

# slug, name, market, owner e-mail, target state
STATE_SELLERS = [
    ("fresh-start-refurb", "Fresh Start Refurb", "es", "applied@encore.test", "applied"),
    ("kickoff-mobile", "Kickoff Mobile", "it", "probation@encore.test", "probation_day_3"),
    ("day41-devices", "Day41 Devices", "be", "day41@encore.test", "probation_day_41"),
    ("review-tech", "Review Tech", "gb", "review@encore.test", "under_review"),
    ("suspended-cells", "Suspended Cells", "us", "suspended@encore.test", "suspended_by_score"),
    ("closed-circuit", "Closed Circuit", "jp", "terminated@encore.test", "terminated"),
    ("steady-screens", "Steady Screens", "fr", "score-good@encore.test", "scored_good"),
    ("slow-parcel", "Slow Parcel Co", "de", "score-warning@encore.test", "scored_warning"),
    ("cracked-corner", "Cracked Corner", "fr", "score-cap@encore.test", "scored_cap"),
]
# Valid-format VAT ids that carry `n` whole, so every demo or bench seller gets a unique one.
VAT_EXAMPLES = {
    "fr": "FR40{n:09d}",
    "de": "DE{n:09d}",
    "es": "ESB{n:07d}4",
    "it": "IT{n:011d}",
    "be": "BE0{n:09d}",
    "gb": "GB{n:09d}",
    "us": "12-{n:07d}",
    "jp": "T{n:013d}",
}


def _seller_row(organisation: Organisation, n: int, *, status: str = SellerStatus.ACTIVE) -> Seller:
    market = Market.objects.get(code=organisation.country if organisation.country in VAT_EXAMPLES else "fr")
    now = timezone.now()
    return Seller(
        organisation=organisation,
        status=status,
        legal_form=LegalForm.LIMITED_COMPANY,
        vat_id=VAT_EXAMPLES[market.code].format(n=n),
        home_market=market,
        address_line=f"{n} Refurbishers' Row",
        postal_code="10000",
        city="Demo City",
        contact_name=f"{organisation.name} team",
        contact_email=f"contact@{organisation.slug}.test",
        contact_phone="+33 1 00 00 00 00",
        monthly_capacity=250 + n,
        capacity_description="Certified technicians, a 40-point test protocol and certified data erasure.",
        charter_version=settings.QUALITY_CHARTER_VERSION,
        charter_accepted_at=now - timedelta(days=120),
        applied_at=now - timedelta(days=120),
        approved_at=now - timedelta(days=110) if status != SellerStatus.APPLIED else None,
    )


def seed(*, scale: str, log: Log) -> None:
    """Seller rows (active) for the kernel's seller organisations that have none yet."""
    missing = list(
        Organisation.objects.filter(kind=OrganisationKind.SELLER, seller__isnull=True)
        .exclude(slug__in=[slug for slug, *_ in STATE_SELLERS])
        .order_by("pk")
    )
    sellers = Seller.objects.bulk_create(
        [_seller_row(org, 1 + index) for index, org in enumerate(missing)], batch_size=500, ignore_conflicts=True
    )
    seller_standings_sync_many(sellers=sellers)
    if missing:
        log(f"sellers: {len(missing)} active sellers")


def seed_after(*, scale: str, log: Log) -> None:
    created = 0
    scored: list[Seller] = []
    for n, (slug, name, market_code, email, state) in enumerate(STATE_SELLERS, start=900):
        if Organisation.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            seller = _state_seller(n, slug, name, market_code, email, state)
        if seller is not None and state in PERFORMANCE_RECIPES:
            scored.append(seller)
        created += 1
    if created:
        log(f"sellers: {created} demo sellers in every lifecycle state")
    _return_addresses()
    if scored:
        started = time.perf_counter()
        for seller in scored:
            performance_history(seller, PERFORMANCE_RECIPES[seller_state(seller)])
        _score_with_history([seller.pk for seller in scored])
        seconds = time.perf_counter() - started
        log(f"sellers: order history and 60 days of scores for {len(scored)} sellers in {seconds:.1f}s")


def _return_addresses() -> None:
    """Every seller's return address on warranty's side (labels go there), as an application records it."""
    for seller in Seller.objects.filter(organisation__return_address__isnull=True).select_related("organisation"):
        seller_return_address_set(
            organisation=seller.organisation,
            name=seller.organisation.name,
            address_line=seller.address_line,
            postal_code=seller.postal_code,
            city=seller.city,
            country=seller.home_market_id,
        )


def seller_state(seller: Seller) -> str:
    return next(state for slug, *_, state in STATE_SELLERS if slug == seller.organisation.slug)


def _state_seller(n: int, slug: str, name: str, market_code: str, email: str, state: str) -> Seller | None:
    owner = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, full_name=f"{name} owner"
    )
    organisation = Organisation.objects.create(kind=OrganisationKind.SELLER, name=name, slug=slug, country=market_code)
    Membership.objects.create(user=owner, organisation=organisation, role=MembershipRole.OWNER)
    now = timezone.now()
    seller = _seller_row(organisation, n, status=SellerStatus.APPLIED if state == "applied" else SellerStatus.ACTIVE)
    seller.save()
    seller_standing_sync(seller=seller)
    if state == "applied":
        return seller
    platform = Actor.system("demo data")
    if state in PERFORMANCE_RECIPES:  # active sellers with an order history: the scoring job decides
        _demo_listings(organisation, market_code, count=4)
        return seller
    if state != "suspended":  # every other state passes through probation
        days = 2 if state == "probation_day_3" else 40
        started = now - timedelta(days=days, hours=1)
        Seller.objects.filter(pk=seller.pk).update(
            status=SellerStatus.PROBATION,
            probation_started_at=started,
            probation_ends_at=started + timedelta(days=settings.PROBATION_DAYS),
        )
        seller.refresh_from_db()
    _demo_listings(organisation, market_code, count=4)  # a probation seller uses 4 of its 5 slots
    if state == "under_review":
        seller_start_review(seller=seller, actor=platform, reason="End of the 40-day probation (demo data).")
    elif state == "terminated":
        seller_start_review(seller=seller, actor=platform, reason="End of the 40-day probation (demo data).")
        seller_terminate(
            seller=seller,
            actor=platform,
            reason="Units shipped under the identifiers of other devices, found by mystery orders (demo data).",
            ground=TerminationGround.FRAUD,
        )
    return seller


def _demo_listings(organisation: Organisation, market_code: str, *, count: int) -> None:
    market = Market.objects.get(code=market_code)
    # Copy the first offers other demo sellers make in this market, a little cheaper.
    templates = list(
        Listing.objects.filter(market=market, status="active")
        .exclude(seller=organisation)
        .select_related("grade", "variant")
        .order_by("pk")[:count]
    )
    if not templates:
        variants = list(Variant.objects.order_by("pk")[:count])
        grade = Grade.objects.get(code="good")
        templates = [
            Listing(variant=v, grade=grade, price_amount=19900 if market.currency != "JPY" else 29800) for v in variants
        ]
    for index, template in enumerate(templates):
        seller_listing_create(
            seller=organisation,
            actor=Actor.system("demo data"),
            variant=template.variant,
            grade=template.grade,
            market=market,
            price_amount=max(template.price_amount - 500, 100),
            stock=2,
            sku=f"{organisation.slug.upper()[:8]}-{index + 1:03d}",
            battery_health=max(template.grade.battery_floor, 88),
            warranty_months=12,
        )


def _score_with_history(seller_ids: list[int]) -> None:
    """60 past days of history (backfilled: no sanction), then today's run, which applies the ladder."""
    today = timezone.now().date()
    actor = Actor.system("scoring job (demo data)")
    for days_ago in range(60, 0, -1):
        sellers_score(day=today - timedelta(days=days_ago), seller_ids=seller_ids, actor=actor, history_only=True)
    sellers_score(day=today, seller_ids=seller_ids, actor=actor)


def demo_logins() -> list[tuple[str, str]]:
    labels = {
        "applied": "seller owner, applied (waiting for approval)",
        "probation_day_3": "seller owner, probation day 3, 4 of 5 listings today",
        "probation_day_41": "seller owner, probation day 41 (next beat run pauses it)",
        "under_review": "seller owner, under review",
        "suspended_by_score": "seller owner, suspended by the score (16 % defects)",
        "terminated": "seller owner, terminated",
        "scored_good": "seller owner, score about 98",
        "scored_warning": "seller owner, score warning (late parcels, cancellations)",
        "scored_cap": "seller owner, listing cap (defects, poor ratings)",
    }
    return [(email, f"{labels[state]} ({name})") for _, name, _, email, state in STATE_SELLERS]
