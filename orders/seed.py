"""Demo orders: shoppers with order histories over the last 120 days, in every state.

Orders are placed and moved through the real services (so the ledger, warranties, events and
audit are the real ones), then their timestamps are moved back in time; deliveries are recorded
on their day in the past, so that the warranties created on delivery start on it. Deterministic and
idempotent: a second run finds the demo shoppers' orders and adds nothing.
`--scale bench` adds 1,000,000 order lines with set-based SQL (250,000 orders x 4 lines).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Listing
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.models import Market, Organisation, User
from marketplace.seed import DEMO_PASSWORD
from orders.models import BlockedDevice, LedgerEntry, Order, OrderLine, Payment, SellerOrder, SellerPayoutAccount
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.disputes import stripe_dispute_created
from orders.services.fulfilment import (
    seller_order_accept,
    seller_order_cancel,
    seller_order_complete,
    seller_order_mark_delivered,
    seller_order_ship,
)
from orders.services.payment import order_expire, order_mark_paid, test_payment_settle
from orders.states import CancelledBy, SellerOrderStatus

Log = Callable[[str], None]
DEMO_SHOPPERS = [("shopper@encore.test", "Chloé Shopper")] + [
    (f"demo-shopper-{n}@encore.test", name)
    for n, name in enumerate(["Léa Martin", "Jonas Weber", "Sofia Rossi", "Hugo Bernard", "Emma Dubois"], 1)
]
# What happens to each demo order: the last state it reaches.
OUTCOMES = [
    "completed",
    "completed",
    "delivered",
    "shipped",
    "accepted",
    "paid",
    "cancelled_by_shopper",
    "cancelled_by_seller",
    "expired",
    "payment_failed",
    "pending_payment",
]
BENCH_ORDERS = 250_000
BENCH_LINES_PER_ORDER = 4


def demo_logins() -> list[tuple[str, str]]:
    return [(email, "shopper with order history (/account/orders/)") for email, _ in DEMO_SHOPPERS[1:2]]


def seed(*, scale: str, log: Log) -> None:
    """Rows of this app alone: a stolen device on the blocklist (so the refusal can be tried)."""
    BlockedDevice.objects.get_or_create(identifier="356938035643809", defaults={"reason": "reported stolen (demo)"})


def seed_after(*, scale: str, log: Log) -> None:
    _seed_demo_orders(log)
    if scale == "bench":
        _seed_bench_lines(log)


def _imei(n: int) -> str:
    body = f"35{n:012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def _backdate(order: Order, delta: timedelta) -> None:
    """Move an order, its seller orders and its ledger entries `delta` back in time (keeping the gaps).

    Not `delivered_at`: the demo delivers on the backdated day already, so that the warranties,
    which warranty creates on delivery through orders' hook, start on that day too.
    """
    Order.objects.filter(pk=order.pk).update(
        created_at=F("created_at") - delta,
        updated_at=F("updated_at") - delta,
        expires_at=F("expires_at") - delta,
        paid_at=F("paid_at") - delta,
    )
    seller_orders = SellerOrder.objects.filter(order=order)
    seller_orders.update(
        created_at=F("created_at") - delta,
        updated_at=F("updated_at") - delta,
        paid_at=F("paid_at") - delta,
        ship_by=F("ship_by") - delta,
        accepted_at=F("accepted_at") - delta,
        shipped_at=F("shipped_at") - delta,
        completed_at=F("completed_at") - delta,
        cancelled_at=F("cancelled_at") - delta,
    )
    LedgerEntry.objects.filter(seller_order__order=order).update(created_at=F("created_at") - delta)


def _seed_demo_orders(log: Log) -> None:
    market = Market.objects.get(code="fr")
    listings = list(
        Listing.objects.filter(market=market, status=ListingStatus.ACTIVE, seller__kind="seller")
        .select_related("seller")
        .order_by("pk")[:60]
    )
    if len(listings) < 4:
        log("orders: no demo listings in France, no demo orders")
        return
    shoppers = []
    for email, name in DEMO_SHOPPERS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
        )
        shoppers.append(user)
    if Order.objects.filter(buyer__in=shoppers).exists():
        log("orders: demo orders already there")
        return
    # Connected payout accounts (ready: test accounts, no money moves), but one seller left unconnected
    # so its payouts page shows why nothing is paid.
    sellers = list(Organisation.objects.filter(pk__in={listing.seller_id for listing in listings}).order_by("pk"))
    for seller in sellers[:-1] if len(sellers) > 1 else sellers:
        SellerPayoutAccount.objects.get_or_create(
            seller=seller,
            defaults={
                "stripe_account_id": f"acct_demo_{seller.pk}",
                "details_submitted": True,
                "charges_enabled": True,
                "payouts_enabled": True,
                "is_test": True,
                "synced_at": timezone.now(),
            },
        )
    rng = random.Random(5)  # noqa: S311 - deterministic demo data
    actor = Actor.system("seed")
    started = time.perf_counter()
    count = 0
    unit = 1000
    for shopper in shoppers:
        for index, outcome in enumerate(OUTCOMES):
            picked = rng.sample(listings, k=1 + (index % 3 == 0))
            # Enough stock for the demo order, whatever earlier runs sold.
            for listing in picked:
                Listing.objects.filter(pk=listing.pk, stock__lt=2).update(stock=5)
            # Awaiting payment: placed just now (the beat expires it after 30 minutes, as it should).
            days_ago = {"pending_payment": 0, "paid": 0}.get(outcome, rng.randint(2, 120))
            if outcome in ("completed",):
                days_ago = rng.randint(45, 120)
            if outcome == "delivered":
                days_ago = rng.randint(5, 25)
            with transaction.atomic():
                order = order_place(
                    actor=actor,
                    market=market,
                    lines=[PlacementLine(listing.pk, 1) for listing in picked],
                    contact=Contact(
                        email=shopper.email,
                        full_name=shopper.full_name,
                        address_line=f"{rng.randint(1, 90)} rue de la République",
                        postal_code="69002",
                        city="Lyon",
                        country="fr",
                    ),
                    buyer=shopper,
                )
                shipped: list[SellerOrder] = []
                if outcome == "expired":
                    order_expire(order=order, actor=actor)
                elif outcome == "payment_failed":
                    Payment.objects.filter(order=order).update(provider="test")
                    test_payment_settle(number=order.number, shopper=None, actor=actor, succeed=False)
                elif outcome != "pending_payment":
                    order = order_mark_paid(
                        order=order, actor=actor, amount_received=order.total, reference=order.payment.reference or ""
                    )
                    for seller_order in order.seller_orders.order_by("pk"):
                        if outcome == "cancelled_by_shopper":
                            seller_order_cancel(seller_order=seller_order, actor=actor, by=CancelledBy.SHOPPER)
                            continue
                        if outcome == "paid":
                            continue
                        seller_order_accept(seller_order=seller_order, actor=actor)
                        if outcome == "cancelled_by_seller":
                            seller_order_cancel(
                                seller_order=seller_order, actor=actor, by=CancelledBy.SELLER, reason="unit failed QA"
                            )
                            continue
                        if outcome == "accepted":
                            continue
                        units = {}
                        for line in OrderLine.objects.filter(seller_order=seller_order):
                            units[line.pk] = [_imei(unit + n) for n in range(line.quantity)]
                            unit += line.quantity
                        seller_order_ship(
                            seller_order=seller_order,
                            actor=actor,
                            carrier=rng.choice(["Colissimo", "DHL", "UPS", "Chronopost"]),
                            tracking_number=f"DEMO{unit:09d}",
                            units=units,
                        )
                        shipped.append(seller_order)
                age = timedelta(days=days_ago, hours=rng.randint(0, 20)) if days_ago else timedelta(0)
                if outcome in ("delivered", "completed"):
                    for seller_order in shipped:
                        # Delivered on its day in the past: the warranties start on it (see _backdate).
                        seller_order_mark_delivered(
                            seller_order=seller_order, actor=actor, delivered_at=timezone.now() - age
                        )
                        if outcome == "completed":
                            seller_order_complete(seller_order=seller_order, actor=actor)
                if age:
                    _backdate(order, age)
            count += 1
    log(f"orders: {count} demo orders for {len(shoppers)} shoppers in {time.perf_counter() - started:.1f}s")
    _seed_demo_dispute(shoppers, log)


def _seed_demo_dispute(shoppers: list[User], log: Log) -> None:
    """A card dispute open on one delivered demo order: its seller's share held (order and payouts pages)."""
    seller_order = (
        SellerOrder.objects.filter(order__buyer__in=shoppers, status=SellerOrderStatus.DELIVERED)
        .select_related("order__payment")
        .order_by("pk")
        .first()
    )
    if seller_order is None or not seller_order.order.payment.reference:
        return
    stripe_dispute_created(
        dispute={
            "id": "dp_demo_1",
            "amount": seller_order.subtotal_amount,
            "currency": seller_order.currency.lower(),
            "payment_intent": seller_order.order.payment.reference,
            "reason": "product_not_received",
            "status": "needs_response",
        },
        actor=Actor.system("seed"),
    )
    log(f"orders: a card dispute open on order {seller_order.order.number}")


def _seed_bench_lines(log: Log) -> None:
    """250,000 completed orders x 4 lines = 1,000,000 order lines, set-based.

    Everything is computed first in temporary tables (which listings each order holds, its
    totals), then each table is filled by one INSERT ... SELECT: no row-by-row work, no UPDATE after.
    """
    if Order.objects.filter(number__startswith="B").exists():
        log("orders: bench orders already there")
        return
    started = time.perf_counter()
    shopper = User.objects.filter(email="bench-shopper@encore.test").first() or User.objects.create_user(
        email="bench-shopper@encore.test", password=DEMO_PASSWORD, full_name="Bench Shopper"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_listing ON COMMIT DROP AS
            WITH offer AS (
                SELECT l.id, l.seller_id, l.price_amount, l.sku, l.warranty_months, l.grade_id,
                       p.name AS product_name, p.slug, p.category_id, o.name AS seller_name,
                       count(*) OVER (PARTITION BY l.seller_id) AS scount
                FROM catalog_listing l JOIN catalog_variant v ON v.id = l.variant_id
                JOIN catalog_product p ON p.id = v.product_id JOIN marketplace_organisation o ON o.id = l.seller_id
                WHERE l.market_id = 'fr' AND l.currency = 'EUR'
            )
            SELECT row_number() OVER (ORDER BY id) - 1 AS n,
                   row_number() OVER (PARTITION BY seller_id ORDER BY id) - 1 AS sn, *
            FROM offer WHERE scount >= 4  -- 4 different listings per order
            """
        )
        cursor.execute("CREATE INDEX ON bench_listing (n); CREATE INDEX ON bench_listing (seller_id, sn)")
        cursor.execute("SELECT count(*) FROM bench_listing")
        listing_count = cursor.fetchone()[0]
        if listing_count == 0:
            log("orders: no listings in France, no bench orders")
            return
        # One seller per order (the listing picked by the order number decides it); its 4 lines are
        # that seller's next listings, so each order has one seller order and one line per listing.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_line ON COMMIT DROP AS
            SELECT g, k, line.*
            FROM generate_series(1, %s) g
            JOIN bench_listing first ON first.n = g %% %s
            CROSS JOIN generate_series(0, %s - 1) k
            JOIN bench_listing line ON line.seller_id = first.seller_id AND line.sn = (first.sn + k) %% first.scount
            """,
            [BENCH_ORDERS, listing_count, BENCH_LINES_PER_ORDER],
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_order ON COMMIT DROP AS
            SELECT g, min(seller_id) AS seller_id, sum(price_amount) AS total,
                   now() - (g % 120) * interval '1 day' - (g % 997) * interval '1 minute' AS placed
            FROM bench_line GROUP BY g
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_order (number, channel, buyer_id, partner_reference, market_id, currency, total_amount,
                vat_amount, status, email, full_name, phone, address_line, postal_code, city, country,
                created_at, updated_at, expires_at, paid_at, is_audit, sales_tax_amount, state)
            SELECT 'B' || lpad(g::text, 9, '0'), 'storefront', %s, '', 'fr', 'EUR', total,
                round(total * 2000.0 / 12000.0), 'paid', 'bench-shopper@encore.test', 'Bench Shopper', '',
                '1 rue du Bench', '75001', 'Paris', 'fr', placed, placed, placed + interval '30 minutes', placed,
                false, 0, ''
            FROM bench_order
            """,
            [shopper.pk],
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_order_id ON COMMIT DROP AS
            SELECT b.g, o.id AS order_id
            FROM bench_order b JOIN orders_order o ON o.number = 'B' || lpad(b.g::text, 9, '0')
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_sellerorder (order_id, seller_id, status, currency, subtotal_amount, commission_amount,
                carrier, tracking_number, cancelled_by, cancel_reason, paid_at, ship_by, accepted_at, shipped_at,
                delivered_at, completed_at, created_at, updated_at)
            SELECT i.order_id, b.seller_id, 'completed', 'EUR', b.total, round(b.total / 10.0),
                'DHL', 'BENCH' || b.g, '', '', b.placed, b.placed + interval '1 day', b.placed,
                b.placed + interval '12 hours', b.placed + interval '3 days', b.placed + interval '33 days',
                b.placed, b.placed
            FROM bench_order b JOIN bench_order_id i ON i.g = b.g
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderline (seller_order_id, listing_id, quantity, unit_price_amount, currency,
                commission_basis_points, product_name, product_slug, category_id_snapshot, variant_label, grade_code,
                grade_name, seller_name, sku, warranty_months)
            SELECT so.id, l.id, 1, l.price_amount, 'EUR', 1000, l.product_name, l.slug, l.category_id, '',
                l.grade_id, l.grade_id, l.seller_name, l.sku, l.warranty_months
            FROM bench_line l
            JOIN bench_order_id i ON i.g = l.g
            JOIN orders_sellerorder so ON so.order_id = i.order_id
            ORDER BY so.id, l.k
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_payment (order_id, provider, reference, client_secret, status, currency, amount,
                captured_amount, refunded_amount, created_at, updated_at)
            SELECT i.order_id, 'test', 'bench_' || i.g, '', 'succeeded', 'EUR', b.total, b.total, 0, b.placed, b.placed
            FROM bench_order b JOIN bench_order_id i ON i.g = b.g
            """
        )
    cursor = connection.cursor()
    cursor.execute("ANALYZE orders_order; ANALYZE orders_sellerorder; ANALYZE orders_orderline; ANALYZE orders_payment")
    lines = OrderLine.objects.filter(seller_order__order__number__startswith="B").count()
    log(f"orders: bench {BENCH_ORDERS} orders, {lines} order lines in {time.perf_counter() - started:.1f}s")
