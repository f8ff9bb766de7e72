"""Demo workshops: the demo refurbishers' boards with units in every state, driven through the services.

For Renew Labs (seller@encore.test, staff@encore.test) and Phoenix Refurb (seller2@encore.test): their
figures (labour rate, margin, warranty), technicians and a partner workshop, and units received,
diagnosed, in repair (with parts), in quality check, ready (one after a failed check), listed (each
starting its own listing), sold (ordered by the demo shopper and shipped with the unit picked),
taken apart for parts and recycled. Renew Labs also buys a lot of two routed trade-ins (they arrive
on its board through trade-in's hook) and takes back a customer return (through warranty's hook).

Some units are moved back in time after the services ran (as `orders/seed.py` does with orders): two
are overdue, the listed ones took days from received to listed (the turnaround report), and parts were
fitted over the last months (the parts chart). Deterministic and idempotent: a seller whose board has
its demo units is left alone (units that arrived otherwise, e.g. a return in the after-sales demo, do
not count).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Category, Grade, Listing, Variant
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.models import Market, Membership, MembershipRole, Organisation, User
from marketplace.money import Money
from orders.models import SellerOrder
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
from orders.services.payment import order_mark_paid
from tradein.models import TradeIn
from tradein.questionnaire import questionnaire_for
from tradein.services.lots import lot_bid, lot_create
from tradein.services.quotes import Contact as TradeInContact
from tradein.services.quotes import PayoutChoice, tradein_quote_accept, tradein_quote_create
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect, tradein_receive
from tradein.states import TradeInStatus
from warranty.services.claims import Claimant
from warranty.services.returns import return_open, return_receive
from workshop.models import PartUsed, Unit, WorkEntry
from workshop.selectors import check_items_for
from workshop.services.listing import unit_listing_create
from workshop.services.setup import technician_save, workshop_settings_update
from workshop.services.units import due_at, unit_create, unit_transition
from workshop.services.work import PartInput, unit_diagnose, unit_quality_check_record, unit_repair
from workshop.states import PartOrigin, UnitStatus, WorkerKind

Log = Callable[[str], None]
ACTOR = Actor.system("demo data")
# slug, labour rate per hour (minor units), target margin (%), warranty months, identifier offset
DEMO_WORKSHOPS = [("renew-labs", 4500, 25, 24, 810_000), ("phoenix-refurb", 3800, 22, 12, 820_000)]
# The story of each demo unit: its last state, and how long ago it arrived (days).
STORIES = [
    ("received", 0),
    ("received_overdue", 4),
    ("diagnosed", 1),
    ("in_repair", 2),
    ("in_repair_overdue", 6),
    ("quality_check", 2),
    ("ready_after_failed_check", 5),
    ("listed", 9),
    ("listed", 12),
    ("sold", 20),
    ("parts", 15),
    ("recycled", 10),
]


def _imei(n: int) -> str:
    body = f"35{n:012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def seed(*, scale: str, log: Log) -> None:
    """Nothing of its own before the catalog exists (the quality check's items are a data migration)."""


def seed_after(*, scale: str, log: Log) -> None:
    for slug, rate, margin, warranty, offset in DEMO_WORKSHOPS:
        seller = Organisation.objects.filter(slug=slug, kind="seller").first()
        if seller is None or not hasattr(seller, "seller"):
            continue
        # Its first demo unit's identifier says the board was built (units that arrived otherwise, e.g. a
        # customer's return in the after-sales demo, do not).
        if Unit.objects.filter(seller=seller, identifier=_imei(offset + 1)).exists():
            continue
        with transaction.atomic():
            count = _seed_workshop(seller, rate=rate, margin=margin, warranty=warranty, offset=offset)
        log(f"workshop: {seller.name}'s board with {count} units in every state")


def _variants(seller: Organisation, market: Market) -> list[Variant]:
    """Variants of phones, tablets and laptops the seller does not list yet in the market (so each listed
    demo unit starts its own listing and the order demo's listings stay as they are)."""
    listed = set(Listing.objects.filter(seller=seller, market=market).values_list("variant_id", flat=True))
    categories = Category.objects.filter(slug__in=["smartphones", "tablets", "laptops"])
    return [
        variant
        for variant in Variant.objects.filter(product__category__in=categories)
        .select_related("product__category")
        .order_by("product__category__position", "product__release_year", "pk")
        if variant.pk not in listed
    ]


def _seed_workshop(seller: Organisation, *, rate: int, margin: int, warranty: int, offset: int) -> int:
    market = seller.seller.home_market  # type: ignore[attr-defined]
    workshop_settings_update(
        seller=seller, actor=ACTOR, labour_rate_amount=rate, target_margin_percent=margin, warranty_months=warranty
    )
    members = list(Membership.objects.filter(organisation=seller).select_related("user").order_by("role", "pk"))
    owner = next((m.user for m in members if m.role == MembershipRole.OWNER), None)
    phones = Category.objects.filter(slug__in=["smartphones", "tablets"])
    technicians = []
    if owner is not None:
        technicians.append(
            technician_save(
                seller=seller,
                actor=ACTOR,
                kind=WorkerKind.TECHNICIAN,
                user=owner,
                categories=phones,
                capacity_per_day=6,
            )
        )
    for member in members:
        if member.role != MembershipRole.OWNER:
            technicians.append(
                technician_save(
                    seller=seller, actor=ACTOR, kind=WorkerKind.TECHNICIAN, user=member.user, capacity_per_day=4
                )
            )
    technicians.append(
        technician_save(
            seller=seller,
            actor=ACTOR,
            kind=WorkerKind.PARTNER_WORKSHOP,
            name="Atelier Lumière" if market.code == "fr" else "Werkstatt Nord",
            categories=Category.objects.filter(slug__in=["laptops", "consoles"]),
            capacity_per_day=3,
        )
    )
    variants = _variants(seller, market)
    if not variants:
        return 0
    now = timezone.now()
    units = []
    for n, (story, days) in enumerate(STORIES, 1):
        variant = variants[(n - 1) % len(variants)]
        unit = unit_create(
            seller=seller,
            actor=ACTOR,
            identifier=_imei(offset + n),
            variant=variant,
            purchase_amount=_amount([9000, 14500, 21000, 6000][n % 4], market),
            notes="",
            received_at=now - timedelta(days=days, hours=n),
        )
        _tell(unit, story, seller=seller, market=market, days=days)
        units.append(unit)
    if seller.slug == "renew-labs":
        _routed_lot(seller)
        _customer_return(seller, market)
    _spread_parts(seller)
    return Unit.objects.filter(seller=seller).count()


def _tell(unit: Unit, story: str, *, seller: Organisation, market: Market, days: int) -> None:
    """Drive `unit` through the services to the end of its story."""
    if story.startswith("received"):
        return
    unit_diagnose(unit=unit, actor=ACTOR, findings=_findings(story), labour_minutes=20)
    if story == "diagnosed":
        return
    if story == "parts":
        unit_transition(unit=unit, actor=ACTOR, to=UnitStatus.PARTS, note="logic board beyond repair: kept for parts")
        return
    if story == "recycled":
        unit_transition(unit=unit, actor=ACTOR, to=UnitStatus.RECYCLED, note="water damage everywhere")
        return
    unit_repair(
        unit=unit,
        actor=ACTOR,
        findings="Screen and battery replaced",
        labour_minutes=45,
        parts=[
            PartInput(name="OLED screen", cost_amount=_amount(6500, market), supplier="Mobile Parts Europe"),
            PartInput(
                name="Battery", cost_amount=_amount(1800, market), supplier="CellSource", origin=PartOrigin.CERTIFIED
            ),
        ],
    )
    if story.startswith("in_repair"):
        return
    unit_transition(unit=unit, actor=ACTOR, to=UnitStatus.QUALITY_CHECK)
    if story == "quality_check":
        return
    if story == "ready_after_failed_check":
        results = {item.code: item.code != "microphones" for item in check_items_for(unit.variant.product.category)}
        unit_quality_check_record(
            unit=unit,
            actor=ACTOR,
            results=results,
            screen="not_at_20cm",
            body="not_at_50cm",
            battery_health=86,
            note="Bottom microphone muffled",
        )
        unit_repair(unit=unit, actor=ACTOR, findings="Microphone mesh cleaned", labour_minutes=15)
        unit_transition(unit=unit, actor=ACTOR, to=UnitStatus.QUALITY_CHECK)
    unit_quality_check_record(
        unit=unit,
        actor=ACTOR,
        results={item.code: True for item in check_items_for(unit.variant.product.category)},
        screen="flawless" if story == "sold" else "not_at_20cm",
        body="not_at_20cm",
        battery_health=92 if story == "sold" else 88,
    )
    if story.startswith("ready"):
        return
    unit = Unit.objects.select_related("seller", "suggested_grade").get(pk=unit.pk)
    grade = unit.suggested_grade or Grade.objects.get(code="good")
    listing = unit_listing_create(
        unit=unit,
        actor=ACTOR,
        market=market,
        grade=grade,
        price_amount=_amount(42900 if unit.variant.product.category.slug != "laptops" else 79900, market),
        warranty_months=seller.workshop_settings.warranty_months,  # type: ignore[attr-defined]
    )
    # It took days from intake to the listing (the turnaround report): listed a day ago at the latest.
    listed_at = timezone.now() - timedelta(days=max(1, days // 3))
    Unit.objects.filter(pk=unit.pk).update(listed_at=listed_at, status_changed_at=listed_at)
    if story == "sold":
        _sell(unit, listing)


def _findings(story: str) -> str:
    return {
        "parts": "Does not power on; logic board shorted",
        "recycled": "Liquid damage on every board",
    }.get(story, "Cracked screen, battery at 78 %")


def _amount(eur_cents: int, market: Market) -> int:
    """A demo price in the market's currency (JPY has no minor unit: about 1.6 yen a cent)."""
    return Money(eur_cents * 16 // 10 if market.currency == "JPY" else eur_cents, market.currency).amount


def _shopper() -> User | None:
    return User.objects.filter(email="shopper@encore.test").first()


def _contact(shopper: User, market: Market) -> Contact:
    addresses = {
        "fr": ("3 rue de la Paix", "75002", "Paris"),
        "de": ("Unter den Linden 5", "10117", "Berlin"),
    }
    address, postal_code, city = addresses.get(market.code, addresses["fr"])
    return Contact(
        email=shopper.email,
        full_name=shopper.full_name,
        address_line=address,
        postal_code=postal_code,
        city=city,
        country=market.code,
        state="" if market.prices_include_tax else "NY",  # US orders add the state's sales tax
    )


def _sell(unit: Unit, listing: Listing) -> SellerOrder | None:
    """The demo shopper orders the unit's listing; the seller ships it, picking the unit."""
    shopper = _shopper()
    if shopper is None or listing.status != ListingStatus.ACTIVE:
        return None
    market = Market.objects.get(code=listing.market_id)
    order = order_place(
        actor=Actor.for_user(shopper),
        market=market,
        lines=[PlacementLine(listing.pk, 1)],
        contact=_contact(shopper, market),
        buyer=shopper,
    )
    order = order_mark_paid(
        order=order, actor=ACTOR, amount_received=order.total, reference=order.payment.reference or ""
    )
    seller_order = order.seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=ACTOR)
    line = seller_order.lines.get()
    return seller_order_ship(
        seller_order=seller_order,
        actor=ACTOR,
        carrier="Colissimo" if market.code == "fr" else "DHL",
        tracking_number=f"6A{unit.pk:09d}",
        units={line.pk: [unit.identifier]},
    )


def _routed_lot(seller: Organisation) -> None:
    """Two wiped trade-ins in a fixed-price lot the seller buys: they arrive on its board (trade-in's hook)."""
    shopper = _shopper()
    product = (
        Variant.objects.filter(product__tradein_prices__isnull=False).select_related("product").order_by("pk").first()
    )
    if shopper is None or product is None:
        return
    market = Market.objects.get(code="fr")
    # The best answer to every question (each question lists its answers best first): a like-new device.
    answers = {question.code: question.answers[0].code for question in questionnaire_for(product.product.category.slug)}
    devices = []
    for n in (1, 2):
        tradein = tradein_quote_create(
            actor=Actor.for_user(shopper),
            product=product.product,
            variant_id=product.pk,
            market=market,
            answers=answers,
        )
        tradein = tradein_quote_accept(
            tradein=tradein,
            actor=Actor.for_user(shopper),
            contact=TradeInContact(
                full_name=shopper.full_name,
                email=shopper.email,
                address_line="3 rue de la Paix",
                postal_code="75002",
                city="Paris",
                country="fr",
            ),
            payout=PayoutChoice(method="store_credit"),
            owner=shopper,
        )
        tradein = tradein_receive(tradein=tradein, actor=ACTOR)
        tradein = tradein_inspect(
            tradein=tradein,
            actor=ACTOR,
            data=InspectionInput(
                answers=answers, identifier=_imei(830_000 + n), activation_lock=False, battery_health=89 + n
            ),
        )
        tradein = TradeIn.objects.get(pk=tradein.pk)
        tradein_erasure_record(tradein=tradein, actor=ACTOR, method="purge", tool="Blancco Mobile 6", result="passed")
        tradein = TradeIn.objects.get(pk=tradein.pk)
        if tradein.status == TradeInStatus.PAID:
            devices.append(tradein.pk)
    if not devices:
        return
    condition = TradeIn.objects.select_related("inspection").get(pk=devices[0]).inspection.condition
    lot = lot_create(
        actor=ACTOR,
        product=product.product,
        condition=condition,
        currency="EUR",
        tradein_ids=devices,
        fixed_price=Money(25000 * len(devices), "EUR"),
    )
    lot_bid(lot=lot, seller=seller, amount=Money(25000 * len(devices), "EUR"), actor=ACTOR)


def _customer_return(seller: Organisation, market: Market) -> None:
    """A unit sold, delivered, returned by the shopper and received: it is back on the board (warranty's hook)."""
    shopper = _shopper()
    unit = Unit.objects.filter(seller=seller, status=UnitStatus.LISTED).select_related("listing").order_by("pk").first()
    if shopper is None or unit is None or unit.listing is None:
        return
    seller_order = _sell(unit, unit.listing)
    if seller_order is None:
        return
    seller_order = seller_order_mark_delivered(seller_order=seller_order, actor=ACTOR)
    order_unit = Unit.objects.get(pk=unit.pk).order_unit
    if order_unit is None:
        return
    ret = return_open(
        seller_order=seller_order,
        units=[order_unit],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=ACTOR,
    )
    return_receive(ret=ret, actor=ACTOR)


def _spread_parts(seller: Organisation) -> None:
    """Parts fitted over the last months (the parts chart has more than one bar): the seed's repairs happened
    today, so each one's entry and parts move back by a few weeks, unit by unit."""
    now = timezone.now()
    for index, entry in enumerate(
        WorkEntry.objects.filter(unit__seller=seller, kind="repair", parts__isnull=False).distinct().order_by("pk")
    ):
        back = timedelta(days=index * 23 % 170)
        if back:
            WorkEntry.objects.filter(pk=entry.pk).update(created_at=F("created_at") - back)
            PartUsed.objects.filter(work=entry).update(created_at=now - back)
    # Two units overdue: nobody moved them on time.
    for unit in Unit.objects.filter(
        seller=seller, status__in=[UnitStatus.RECEIVED, UnitStatus.IN_REPAIR]
    ).select_related("seller"):
        if unit.received_at < now - timedelta(days=3):
            moved = now - timedelta(days=5)
            market = seller.seller.home_market  # type: ignore[attr-defined]
            Unit.objects.filter(pk=unit.pk).update(
                status_changed_at=moved, due_at=due_at(unit.status, market=market, now=moved)
            )
