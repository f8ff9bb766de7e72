"""Demo trade-ins: a price grid for the demo smartphones in the euro markets, and trade-ins in every
state (quoted, accepted, expired, received, held, inspected, counter_offered, counter_accepted,
returned, paid, routed), moved through the real services, and an open lot. Forward trade-in: the demo
shopper's guaranteed buy-backs on delivered phones (one active, one redeemed into a trade-in), seen in
My devices. Business trade-in: Telco One's batches (one paid with every document, one device with its
counter-offer open; one quote waiting to be accepted). Deterministic and idempotent: a second run finds
the demo rows and adds nothing."""

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
    _seed_consumer(log)
    _seed_forward_tradein(log)
    _seed_business(log)


def _seed_consumer(log: Log) -> None:
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


# --- forward trade-in: guarantees on the demo shopper's delivered phones ------------------------------------
def _seed_forward_tradein(log: Log) -> None:
    from orders.models import BuybackGuarantee, OrderLine
    from orders.services.buyback import buyback_guarantees_take
    from orders.states import OrderStatus, SellerOrderStatus
    from tradein.services.guarantees import guarantee_redeem

    shopper = User.objects.filter(email="shopper@encore.test").first()
    if shopper is None or BuybackGuarantee.objects.filter(line__seller_order__order__buyer=shopper).exists():
        return
    lines = list(
        OrderLine.objects.filter(
            seller_order__order__buyer=shopper,
            seller_order__order__status=OrderStatus.PAID,
            seller_order__status__in=[SellerOrderStatus.DELIVERED, SellerOrderStatus.COMPLETED],
            listing__variant__product__tradein_prices__isnull=False,
        )
        .distinct()
        .select_related("seller_order__order", "listing__variant__product")
        .order_by("-seller_order__order__paid_at", "pk")[:2]
    )
    if not lines:
        return
    with transaction.atomic():
        for line in lines:
            order = line.seller_order.order
            buyback_guarantees_take(order=order, lines=[line], now=order.paid_at or order.created_at)
        # The older purchase's guarantee redeemed: a trade-in at this month's guaranteed price, accepted.
        redeemed = BuybackGuarantee.objects.filter(line=lines[-1]).order_by("unit_number").first()
        if redeemed is not None and len(lines) > 1:
            tradein = guarantee_redeem(
                guarantee=redeemed,
                owner=shopper,
                actor=Actor.for_user(shopper),
                answers=LIKE_NEW,
                liquid_damage=False,
            )
            tradein_quote_accept(
                tradein=tradein,
                actor=Actor.for_user(shopper),
                contact=Contact(
                    full_name=shopper.full_name,
                    email=shopper.email,
                    address_line="3 rue de la Paix",
                    postal_code="75002",
                    city="Paris",
                    country="fr",
                ),
                payout=PayoutChoice(method="store_credit", iban=""),
                owner=shopper,
            )
    log(f"trade-in: {len(lines)} guaranteed buy-backs for shopper@encore.test (My devices), one redeemed")


# --- business trade-in: Telco One's batches -----------------------------------------------------------------
BUSINESS_SLUG = "telco-one"
BUSINESS_BATCHES = ("DEMO-FLEET-2026-Q3", "DEMO-FLEET-2026-Q4")


def _seed_business(log: Log) -> None:
    from tradein.batch_files import BatchRow
    from tradein.models import Batch
    from tradein.services.batches import batch_accept, batch_quote_create, business_profile_set, parcel_receive

    partner = Organisation.objects.filter(slug=BUSINESS_SLUG).first()
    if partner is None or Batch.objects.filter(partner=partner, partner_reference__in=BUSINESS_BATCHES).exists():
        return
    products = list(
        Product.objects.filter(tradein_prices__isnull=False, variants__isnull=False).distinct().order_by("pk")[:3]
    )
    if not products:
        return
    operator = User.objects.filter(email="operator@encore.test").first()
    staff = Actor.for_user(operator) if operator is not None else ACTOR
    with transaction.atomic():
        business_profile_set(
            partner=partner,
            actor=ACTOR,
            values={
                "company_name": "Telco One SAS",
                "contact_name": "Paula Partner",
                "email": "partner@encore.test",
                "address_line": "12 avenue de France",
                "postal_code": "75013",
                "city": "Paris",
            },
        )

        variants = {product.pk: product.variants.order_by("pk").values_list("pk", flat=True)[0] for product in products}

        def rows(first: int, count: int) -> list[BatchRow]:
            return [
                BatchRow(
                    number=n + 2,
                    product=products[n % len(products)].slug,
                    variant_id=variants[products[n % len(products)].pk],
                    identifier=_imei(first + n),
                    condition="good" if n % 3 else "like_new",
                )
                for n in range(count)
            ]

        # A fleet renewal: accepted (partner credit), received, inspected and wiped; one device worse
        # than declared, its counter-offer waiting for the company's answer.
        paid_batch = batch_quote_create(
            partner=partner, actor=ACTOR, rows=rows(500, 6), market_code="fr", partner_reference=BUSINESS_BATCHES[0]
        )
        paid_batch = batch_accept(batch=paid_batch, actor=ACTOR, payout=PayoutChoice(method="partner_credit", iban=""))
        for parcel in paid_batch.parcels.all():
            parcel_receive(parcel=parcel, actor=staff)
        for n, device in enumerate(TradeIn.objects.filter(batch=paid_batch).order_by("pk")):
            worse = n == 5
            answers = {**LIKE_NEW, "screen": "cracked"} if worse else LIKE_NEW
            device = tradein_inspect(
                tradein=device,
                actor=staff,
                data=InspectionInput(
                    answers=answers, identifier=device.declared_identifier, activation_lock=False, battery_health=90
                ),
            )
            if not worse:
                tradein_erasure_record(
                    tradein=TradeIn.objects.get(pk=device.pk),
                    actor=staff,
                    method="purge",
                    tool="Blancco Mobile 6",
                    result="passed",
                )
        # The next one: quoted, waiting for the company to accept it in its back-office.
        batch_quote_create(
            partner=partner, actor=ACTOR, rows=rows(600, 12), market_code="fr", partner_reference=BUSINESS_BATCHES[1]
        )
    log("trade-in: Telco One's business batches (one paid with its documents and a counter-offer open, one quoted)")
