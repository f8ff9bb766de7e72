"""Dashboards benchmark: 1,000,000 orders over a year, the rollups rebuilt, then the three dashboards timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/encore_dash REDIS_URL=redis://127.0.0.1:6379/4 \\
      .venv/bin/python bench/dashboards.py [--orders 1000000] [--sellers 300] [--runs 20] [--no-seed]

The database is migrated, then seeded set-based (INSERT ... SELECT over generate_series, no row-by-row
work): sellers, one partner, orders spread over the last 365 days and the 8 markets (one seller order
and one line each, 5 % placed by the partner, 80 % delivered), and 50,000 trade-ins, a fifth of them
resold in lots. Every column a model has is filled (its default when the bench does not choose one),
so the seed follows the models as they change. `manage.py rollups_rebuild` then fills the rollup
tables; its time is printed.

Each dashboard (the platform's in the console, a seller's, the partner's) is requested `--runs` times
in-process (Django's test client, a logged-in member) for 30 and 365 days; printed: the wall time's p50
and max, the medians of the process's CPU time and of its queries' time, and the queries of a request,
with the machine's load average (on a shared machine the wall time is mostly waiting for a core). Goal:
every dashboard within 200 ms with 1,000,000 orders: it reads rollup rows (the platform's per day and
market, a seller's or a partner's its own), never the orders.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)
ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MARKER = "bench-dash"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    # DEBUG off like production, without collectstatic: pages link static files unhashed.
    os.environ["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    # The bench's logins are a password only: what is timed is the dashboard, not the second factor.
    os.environ.setdefault("MFA_REQUIRED_FOR_BACKOFFICE", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def insert_select(model: Any, source: str, expressions: dict[str, str], params: list[Any] | None = None) -> int:
    """INSERT INTO <model> SELECT ... FROM <source>: every concrete column but the key, from
    `expressions` (SQL over the source's columns) or the field's default (bound)."""
    from django.db import connection

    columns, values, bound = [], [], list(params or [])
    defaults: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.column in expressions:
            values.append(expressions[field.column])
        else:
            values.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {source}'  # noqa: S608
    # The defaults' placeholders come after the expressions' own in column order: bind them in that order.
    ordered: list[Any] = []
    expression_params = iter(bound)
    default_params = iter(defaults)
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in expressions:
            ordered.extend(next(expression_params) for _ in range(expressions[field.column].count("%s")))
        else:
            ordered.append(next(default_params))
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        return cursor.rowcount


def seed(*, orders: int, sellers: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from catalog.models import Category
    from marketplace.models import Market, Membership, Organisation, User
    from orders.models import Order, OrderLine, SellerOrder
    from tests.factories.catalog import VariantFactory
    from tradein.models import Lot, TradeIn

    started = time.perf_counter()
    with transaction.atomic():
        owner = User.objects.create_user(email=f"{MARKER}-owner@encore.test", password="bench", full_name="Bench")
        manager = User.objects.create_user(
            email=f"{MARKER}-manager@encore.test", password="bench", full_name="Bench", is_staff=True
        )
        from django.contrib.auth.models import Group

        manager.groups.add(Group.objects.get(name="success managers"))
        partner = Organisation.objects.create(
            kind="partner", name="Bench Partner", slug=f"{MARKER}-partner", country="fr"
        )
        Membership.objects.create(user=owner, organisation=partner, role="owner")
        Organisation.objects.bulk_create(
            [
                Organisation(kind="seller", name=f"Bench Seller {n}", slug=f"{MARKER}-seller-{n}", country="fr")
                for n in range(sellers)
            ]
        )
        seller_ids = list(
            Organisation.objects.filter(slug__startswith=f"{MARKER}-seller-").values_list("pk", flat=True)
        )
        Membership.objects.create(user=owner, organisation_id=seller_ids[0], role="owner")
        markets = list(Market.objects.values_list("code", "currency"))
        category = Category.objects.get(slug="smartphones").pk
        variant = VariantFactory()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_order ON COMMIT DROP AS SELECT n, "
                "now() - (random() * interval '365 days') AS paid_at, "
                "(%s::text[])[1 + (n %% %s)] AS market, (%s::text[])[1 + (n %% %s)] AS currency, "
                "(%s::bigint[])[1 + (n %% %s)] AS seller, 10000 + (n %% 500) * 100 AS amount, "
                "n %% 20 = 0 AS by_partner FROM generate_series(1, %s) n",
                [
                    [code for code, _ in markets],
                    len(markets),
                    [currency for _, currency in markets],
                    len(markets),
                    seller_ids,
                    len(seller_ids),
                    orders,
                ],
            )
        insert_select(
            Order,
            "bench_order",
            {
                "number": "'B' || lpad(n::text, 10, '0')",
                "channel": "CASE WHEN by_partner THEN 'partner' ELSE 'storefront' END",
                "partner_id": f"CASE WHEN by_partner THEN {partner.pk} END",
                "market_id": "market",
                "currency": "currency",
                "total_amount": "amount",
                "status": "'paid'",
                "email": "'bench@encore.test'",
                "full_name": "'Bench Buyer'",
                "address_line": "'1 rue du Banc'",
                "postal_code": "'75001'",
                "city": "'Paris'",
                "country": "market",
                "created_at": "paid_at",
                "updated_at": "paid_at",
                "paid_at": "paid_at",
            },
        )
        insert_select(
            SellerOrder,
            "bench_order b JOIN orders_order o ON o.number = 'B' || lpad(b.n::text, 10, '0')",
            {
                "order_id": "o.id",
                "seller_id": "b.seller",
                "status": "CASE WHEN b.n %% 5 = 0 THEN 'paid' ELSE 'delivered' END",
                "currency": "b.currency",
                "subtotal_amount": "b.amount",
                "commission_amount": "b.amount / 10",
                "paid_at": "b.paid_at",
                "delivered_at": "CASE WHEN b.n %% 5 = 0 THEN NULL ELSE b.paid_at + interval '2 days' END",
                "created_at": "b.paid_at",
                "updated_at": "b.paid_at",
            },
        )
        insert_select(
            OrderLine,
            "orders_sellerorder so JOIN orders_order o ON o.id = so.order_id WHERE o.number LIKE 'B%%'",
            {
                "seller_order_id": "so.id",
                "quantity": "1",
                "unit_price_amount": "so.subtotal_amount",
                "currency": "so.currency",
                "commission_basis_points": "1000",
                "product_name": "'Bench Phone'",
                "product_slug": "'bench-phone'",
                "category_id_snapshot": str(category),
                "variant_label": "'128 GB'",
                "grade_code": "'good'",
                "grade_name": "'Good'",
                "seller_name": "'Bench Seller'",
                "sku": "'BENCH'",
                "warranty_months": "12",
            },
        )
        lot = Lot.objects.create(
            product=variant.product,
            condition="good",
            currency="EUR",
            status="sold",
            buyer_id=seller_ids[0],
            price_amount=5_000_000,
            closes_at=time_now(),
        )
        insert_select(
            TradeIn,
            "generate_series(1, 50000) n",
            {
                "reference": "'TB' || lpad(n::text, 8, '0')",
                "status": "CASE WHEN n %% 5 = 0 THEN 'routed' ELSE 'paid' END",
                "product_id": str(variant.product_id),
                "variant_id": str(variant.pk),
                "market_id": "'fr'",
                "currency": "'EUR'",
                "answers": "'{}'::jsonb",
                "declared_condition": "'good'",
                "offer_amount": "15000",
                "final_amount": "15000",
                "price_source": "'grid'",
                "expires_at": "now()",
                "owner_id": str(owner.pk),
                "payout_method": "'store_credit'",
                "accepted_at": "now() - (n %% 365) * interval '1 day'",
                "received_at": "now() - (n %% 365) * interval '1 day'",
                "paid_at": "now() - (n %% 365) * interval '1 day'",
                "route": "CASE WHEN n %% 5 = 0 THEN 'resold' ELSE '' END",
                "routed_to_id": f"CASE WHEN n %% 5 = 0 THEN {seller_ids[0]} END",
                "lot_id": f"CASE WHEN n %% 5 = 0 THEN {lot.pk} END",
                "routed_at": "CASE WHEN n %% 5 = 0 THEN now() - (n %% 365) * interval '1 day' END",
                "created_at": "now() - (n %% 365) * interval '1 day'",
                "updated_at": "now()",
            },
        )
    print(f"seeded {orders:,} orders and 50,000 trade-ins in {time.perf_counter() - started:.1f} s")
    return {"seller": seller_ids[0], "partner": partner.pk}


def time_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def measure(path: str, email: str, runs: int, query: dict[str, str]) -> dict[str, float]:
    """`runs` requests of `path`: the wall time's p50 and max, and the medians of this process's CPU time
    and of the time its queries took (on a loaded machine the wall time is mostly waiting for a core:
    the CPU and database times say what the page itself costs)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.login(email=email, password="bench")
    client.get(path, query)  # warm: the session, the markets
    walls, cpus, dbs, counts = [], [], [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, query)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        dbs.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        counts.append(len(queries))
        assert response.status_code == 200, response.status_code
    return {
        "p50": statistics.median(walls),
        "max": max(walls),
        "cpu": statistics.median(cpus),
        "db": statistics.median(dbs),
        "queries": counts[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, check=True)
    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from marketplace.models import Organisation

    if not args.no_seed and not Organisation.objects.filter(slug=f"{MARKER}-partner").exists():
        seed(orders=args.orders, sellers=args.sellers)
    started = time.perf_counter()
    from reporting.services import rollups_rebuild

    rows = rollups_rebuild()
    print(f"rollups rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    owner, manager = f"{MARKER}-owner@encore.test", f"{MARKER}-manager@encore.test"
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'dashboard':<34} {'p50 ms':>8} {'max ms':>8} {'cpu ms':>8} {'db ms':>8} {'queries':>8}")
    for label, path, email in (
        ("platform (console)", "/console/reports/", manager),
        ("seller", "/seller/reports/", owner),
        ("partner", "/partner/reports/", owner),
    ):
        for days in ("30", "365"):
            m = measure(path, email, args.runs, {"days": days})
            flag = "" if m["p50"] <= 200 else "  <- over 200 ms"
            print(
                f"{label + ', ' + days + ' days':<34} {m['p50']:8.1f} {m['max']:8.1f} {m['cpu']:8.1f} {m['db']:8.1f} "
                f"{m['queries']:8.0f}{flag}"
            )


if __name__ == "__main__":
    main()
