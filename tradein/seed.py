"""Demo trade-ins: a price grid for the demo smartphones in the euro markets, and trade-ins in every
state (quoted, accepted, expired, received, held, inspected, counter_offered, counter_accepted,
returned, paid, routed), moved through the real services, and an open lot. Deterministic and
idempotent: a second run finds the demo trade-ins and adds nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import transaction

from catalog.models import Product
from marketplace.actors import Actor
from marketplace.models import Market, Organisation, User
from orders.models import BlockedDevice
from tradein.models import PriceGridRow, TradeIn
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline
from tradein.services.lots import lot_create, tradein_recycle
from tradein.services.quotes import Contact, PayoutChoice, tradein_quote_accept, tradein_quote_create
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect, tradein_receive
from tradein.states import TradeInStatus

Log = Callable[[str], None]
ACTOR = Actor.system("demo data")
SHARE = {"like_new": 45, "good": 38, "fair": 27, "broken": 8}  # % of the launch price (EUR)
LIKE_NEW = {
    "powers_on": "yes",
    "screen": "flawless",
    "body": "flawless",
    "functions": "all_working",
    "battery": "healthy",
    "accounts_signed_out": "yes",
}
# The path each demo trade-in takes (the last state it reaches).
PATHS = [
    "quoted",
    "accepted",
    "expired",
    "received",
    "held",
    "inspected",
    "counter_offered",
    "counter_accepted",
    "returned",
    "paid",
    "routed",
    "lot",
    "lot",
]


def demo_logins() -> list[tuple[str, str]]:
    return [("operator@encore.test", "warehouse operator (/console/trade-ins/intake/)")]


def seed(*, scale: str, log: Log) -> None:
    """The price grid of the demo smartphones (fr, de, es, it, be)."""
    products = list(
        Product.objects.filter(category__slug="smartphones").prefetch_related("variants").order_by("pk")[:12]
    )
    markets = list(Market.objects.filter(currency="EUR"))
    rows = []
    for product in products:
        launch = (product.launch_prices or {}).get("EUR") or 80000
        for storage in sorted({v.storage_gb for v in product.variants.all()}, key=lambda s: s or 0):
            bump = 1 + (storage or 0) / 2048
            for condition, share in SHARE.items():
                amount = int(launch * share / 100 * bump) // 100 * 100
                rows.extend(
                    PriceGridRow(
                        product=product,
                        storage_gb=storage,
                        condition=condition,
                        market=market,
                        price_amount=amount,
                        currency="EUR",
                    )
                    for market in markets
                )
    PriceGridRow.objects.bulk_create(rows, ignore_conflicts=True)
    log(f"trade-in: price grid for {len(products)} models")


def seed_after(*, scale: str, log: Log) -> None:
    shopper = User.objects.filter(email="shopper@encore.test").first()
    if shopper is None or TradeIn.objects.filter(owner=shopper).exists():
        return
    operator = User.objects.filter(email="operator@encore.test").first()
    if operator is None:
        from marketplace.seed import DEMO_PASSWORD

        operator = User.objects.create_user(
            email="operator@encore.test", password=DEMO_PASSWORD, full_name="Omar Operator", is_staff=True
        )
    operator.groups.add(Group.objects.get(name="warehouse operators"))
    product = Product.objects.filter(tradein_prices__isnull=False).distinct().order_by("pk").first()
    if product is None:
        return
    variant = product.variants.order_by("pk").first()
    market = Market.objects.get(code="fr")
    buyer = Organisation.objects.filter(slug="renew-labs").first()
    BlockedDevice.objects.get_or_create(identifier="356938035643809", defaults={"reason": "reported stolen (demo)"})
    with transaction.atomic():
        for n, path in enumerate(PATHS, 1):
            _one(n, path, shopper=shopper, operator=operator, product=product, variant_id=variant.pk, market=market)
        eligible = TradeIn.objects.filter(
            owner=shopper, status=TradeInStatus.PAID, certificate__isnull=False, lot__isnull=True
        )
        if eligible.exists():
            lot_create(
                actor=ACTOR,
                product=product,
                condition="like_new",
                currency="EUR",
                tradein_ids=list(eligible.values_list("pk", flat=True)),
            )
    log(f"trade-in: {len(PATHS)} demo trade-ins in every state{' and an open lot' if buyer else ''}")


def _imei(n: int) -> str:
    body = f"35{n + 700000:012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def _one(
    n: int, path: str, *, shopper: User, operator: User, product: Product, variant_id: int, market: Market
) -> None:
    staff = Actor.for_user(operator)
    owner_actor = Actor.for_user(shopper)
    tradein = tradein_quote_create(
        actor=owner_actor, product=product, variant_id=variant_id, market=market, answers=LIKE_NEW
    )
    if path == "quoted":
        return
    bank = path in ("inspected", "counter_accepted")  # bank transfers wait for their SEPA file
    tradein = tradein_quote_accept(
        tradein=tradein,
        actor=owner_actor,
        contact=Contact(
            full_name=shopper.full_name,
            email=shopper.email,
            address_line="3 rue de la Paix",
            postal_code="75002",
            city="Paris",
            country="fr",
        ),
        payout=PayoutChoice(
            method="bank_transfer" if bank else "store_credit", iban="FR1420041010050500013M02606" if bank else ""
        ),
        owner=shopper,
    )
    if path == "accepted":
        return
    if path == "expired":
        from tradein.services.common import tradein_transition

        tradein_transition(tradein, to=TradeInStatus.EXPIRED, actor=ACTOR, reason="demo: not received within 21 days")
        return
    tradein = tradein_receive(tradein=tradein, actor=staff)
    if path == "received":
        return
    worse = path in ("counter_offered", "counter_accepted", "returned")
    identifier = "356938035643809" if path == "held" else _imei(n)
    answers = {**LIKE_NEW, "screen": "deep_scratches"} if worse else LIKE_NEW
    tradein = tradein_inspect(
        tradein=tradein,
        actor=staff,
        data=InspectionInput(answers=answers, identifier=identifier, activation_lock=False, battery_health=95 - n // 2),
    )
    if path in ("held", "counter_offered") or (path == "inspected" and bank):
        return
    if path == "returned":
        counter_offer_decline(tradein=tradein, actor=owner_actor)
        return
    if worse:
        tradein = counter_offer_accept(tradein=tradein, actor=owner_actor)
        if path == "counter_accepted":
            return
    tradein = TradeIn.objects.get(pk=tradein.pk)
    tradein_erasure_record(tradein=tradein, actor=staff, method="purge", tool="Blancco Mobile 6", result="passed")
    if path == "routed" and tradein.status == TradeInStatus.PAID:
        tradein_recycle(tradein=TradeIn.objects.get(pk=tradein.pk), actor=staff)
