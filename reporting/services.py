"""Refreshing the rollup tables, set-based: for a set of UTC days, every row of those days is deleted and
rebuilt from the source tables by a handful of `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE`
statements (one per family of metrics), in one transaction. The dashboards read the result: a seller's
the `SalesDay` rows (per market, seller and channel), the platform's and a partner's the `MarketDay`
rows (per market and channel: those summed over the sellers), and everyone's trade-ins the
`TradeInDay` rows.

Incremental: metrics are attributed to the day their event happened, and events happen now, so a run
recomputes the days since the previous run (and the two before it, for late writes such as a delivery
dated by its seller); `rollups_rebuild` recomputes every day that has data (a deploy, the benchmark).

What counts (docs/domain.md, Dashboards):
- **GMV**: what buyers paid for the units of the seller orders paid that day (VAT included), before
  refunds, which are their own figure (the goods given back; a US refund's sales tax was never GMV);
  **commission** the platform's share of it. Mystery orders (audit
  orders paid by the platform) are not sales: `counted_orders_sql` leaves them out of every sales
  figure (the hook for `Order.is_audit`).
- **Claims**: opened that day; technical ones (a technical defect, the battery) make the defect rate;
  resolved that day, and how many by a repair.
- **Trade-ins**: quoted, accepted, received, paid (and what was paid) on their days; routed devices
  resold (their share of the lot's price, and what they cost) or recycled.
- **CO2e and e-waste avoided**: the categories' figures (`catalog.impact`) times the units sold, and
  times the traded-in devices resold to refurbishers (reuse).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from catalog.impact import root_categories
from reporting.models import MarketDay, RollupState, SalesDay, TradeInDay
from warranty.states import TECHNICAL_CATEGORIES

STATE = "dashboards"
LOOKBACK_DAYS = 2  # days before the last run recomputed too: a delivery its seller dates in the past


def counted_orders_sql(alias: str = "o") -> str:
    """The SQL condition an order meets to count as a sale: not a mystery order (DOMAIN.md: an audit
    order counts in the seller's metrics but stays out of GMV figures). The one place the rule lives
    here, the same as `Order.objects.excluding_audits()`."""
    return f"{alias}.is_audit = false"


def _impact_table() -> dict[str, list[int]]:
    """Every category id with its top level's figures, as arrays for `unnest` (the SQL's impact table)."""
    roots = root_categories()
    ids = sorted(roots)
    return {
        "category_ids": ids,
        "category_co2e": [roots[pk].co2e_avoided_grams for pk in ids],
        "category_ewaste": [roots[pk].ewaste_avoided_grams for pk in ids],
    }


IMPACT = """impact AS (
    SELECT * FROM unnest(%(category_ids)s::bigint[], %(category_co2e)s::bigint[], %(category_ewaste)s::bigint[])
        AS impact(category_id, co2e, ewaste)
)"""

SALES_COLUMNS = (
    "seller_orders",
    "orders",
    "units",
    "gmv_amount",
    "commission_amount",
    "refunds",
    "refunds_amount",
    "units_delivered",
    "claims_opened",
    "defect_claims",
    "claims_resolved",
    "claims_repaired",
    "co2e_grams",
    "ewaste_grams",
)
TRADEIN_COLUMNS = (
    "quoted",
    "accepted",
    "received",
    "paid",
    "paid_amount",
    "resold",
    "recycled",
    "resale_amount",
    "resold_cost_amount",
    "co2e_grams",
    "ewaste_grams",
)


def _upsert(table: str, keys: tuple[str, ...], columns: tuple[str, ...], select: str) -> str:
    """INSERT the SELECT's rows (its columns: the keys, then `columns`), adding to any row of the same
    keys: each family of metrics fills its own columns of the day's rows."""
    all_columns = ", ".join((*keys, *columns))
    updates = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in columns)
    return f"INSERT INTO {table} ({all_columns}) {select} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"


SALES_KEYS = ("day", "market_id", "seller_id", "partner_id", "currency")
TRADEIN_KEYS = ("day", "market_id", "partner_id", "buyer_id", "currency")
DAY = "(({column}) AT TIME ZONE 'UTC')::date"


def _sales_statements(counted: str) -> list[str]:
    sold = _upsert(
        "reporting_salesday",
        SALES_KEYS,
        ("seller_orders", "orders", "units", "gmv_amount", "commission_amount", "co2e_grams", "ewaste_grams"),
        f"""
        WITH {IMPACT},
        sold AS (
            SELECT so.id, so.order_id, so.seller_id, so.currency, so.subtotal_amount, so.commission_amount,
                   {DAY.format(column="so.paid_at")} AS day, o.market_id, o.partner_id,
                   so.id = min(so.id) OVER (PARTITION BY so.order_id) AS first_of_order
            FROM orders_sellerorder so JOIN orders_order o ON o.id = so.order_id
            WHERE so.paid_at IS NOT NULL AND {DAY.format(column="so.paid_at")} = ANY(%(days)s) AND {counted}
        ),
        lines AS (
            SELECT l.seller_order_id, sum(l.quantity) AS units,
                   sum(l.quantity * coalesce(i.co2e, 0)) AS co2e, sum(l.quantity * coalesce(i.ewaste, 0)) AS ewaste
            FROM orders_orderline l JOIN sold ON sold.id = l.seller_order_id
            LEFT JOIN impact i ON i.category_id = l.category_id_snapshot
            GROUP BY l.seller_order_id
        )
        SELECT sold.day, sold.market_id, sold.seller_id, sold.partner_id, sold.currency,
               count(*), count(*) FILTER (WHERE sold.first_of_order), coalesce(sum(lines.units), 0),
               sum(sold.subtotal_amount), sum(sold.commission_amount),
               coalesce(sum(lines.co2e), 0), coalesce(sum(lines.ewaste), 0)
        FROM sold LEFT JOIN lines ON lines.seller_order_id = sold.id
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    refunded = _upsert(
        "reporting_salesday",
        SALES_KEYS,
        ("refunds", "refunds_amount"),
        f"""
        SELECT {DAY.format(column="r.completed_at")}, o.market_id, so.seller_id, o.partner_id, r.currency,
               count(*), sum(r.amount - r.sales_tax_amount)
        FROM orders_refund r
        JOIN orders_payment p ON p.id = r.payment_id
        JOIN orders_order o ON o.id = p.order_id
        LEFT JOIN orders_sellerorder so ON so.id = r.seller_order_id
        WHERE r.status = 'succeeded' AND r.completed_at IS NOT NULL
          AND {DAY.format(column="r.completed_at")} = ANY(%(days)s) AND {counted}
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    delivered = _upsert(
        "reporting_salesday",
        SALES_KEYS,
        ("units_delivered",),
        f"""
        SELECT {DAY.format(column="so.delivered_at")}, o.market_id, so.seller_id, o.partner_id, so.currency,
               coalesce(sum(l.quantity), 0)
        FROM orders_sellerorder so
        JOIN orders_order o ON o.id = so.order_id
        JOIN orders_orderline l ON l.seller_order_id = so.id
        WHERE so.delivered_at IS NOT NULL AND {DAY.format(column="so.delivered_at")} = ANY(%(days)s)
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    claims = _upsert(
        "reporting_salesday",
        SALES_KEYS,
        ("claims_opened", "defect_claims"),
        f"""
        SELECT {DAY.format(column="c.opened_at")}, c.market_id, c.seller_id, c.partner_id, m.currency,
               count(*), count(*) FILTER (WHERE c.category = ANY(%(technical)s))
        FROM warranty_claim c JOIN marketplace_market m ON m.code = c.market_id
        WHERE {DAY.format(column="c.opened_at")} = ANY(%(days)s)
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    resolved = _upsert(
        "reporting_salesday",
        SALES_KEYS,
        ("claims_resolved", "claims_repaired"),
        f"""
        SELECT {DAY.format(column="c.resolved_at")}, c.market_id, c.seller_id, c.partner_id, m.currency,
               count(*), count(*) FILTER (WHERE c.outcome = 'repaired')
        FROM warranty_claim c JOIN marketplace_market m ON m.code = c.market_id
        WHERE c.resolved_at IS NOT NULL AND {DAY.format(column="c.resolved_at")} = ANY(%(days)s)
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    return [sold, refunded, delivered, claims, resolved]


# The platform's and partners' rows: the days' sales rows summed per market, channel and currency
# (after the sales statements).
MARKET_DAYS = f"""
    INSERT INTO reporting_marketday (day, market_id, partner_id, currency, {", ".join(SALES_COLUMNS)})
    SELECT day, market_id, partner_id, currency, {", ".join(f"sum({column})" for column in SALES_COLUMNS)}
    FROM reporting_salesday WHERE day = ANY(%(days)s)
    GROUP BY 1, 2, 3, 4
"""


def _tradein_statements() -> list[str]:
    def counted(column: str, name: str) -> str:
        return _upsert(
            "reporting_tradeinday",
            TRADEIN_KEYS,
            (name,),
            f"""
            SELECT {DAY.format(column=f"t.{column}")}, t.market_id, t.partner_id, NULL::bigint, t.currency, count(*)
            FROM tradein_tradein t
            WHERE t.{column} IS NOT NULL AND {DAY.format(column=f"t.{column}")} = ANY(%(days)s)
            GROUP BY 1, 2, 3, 4, 5
            """,
        )

    paid = _upsert(
        "reporting_tradeinday",
        TRADEIN_KEYS,
        ("paid", "paid_amount"),
        f"""
        SELECT {DAY.format(column="t.paid_at")}, t.market_id, t.partner_id, NULL::bigint, t.currency,
               count(*), coalesce(sum(coalesce(p.amount, t.final_amount, 0)), 0)
        FROM tradein_tradein t LEFT JOIN tradein_payout p ON p.tradein_id = t.id
        WHERE t.paid_at IS NOT NULL AND {DAY.format(column="t.paid_at")} = ANY(%(days)s)
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    routed = _upsert(
        "reporting_tradeinday",
        TRADEIN_KEYS,
        ("resold", "recycled", "resale_amount", "resold_cost_amount", "co2e_grams", "ewaste_grams"),
        f"""
        WITH {IMPACT},
        lots AS (
            SELECT lot_id, count(*) AS devices FROM tradein_tradein WHERE lot_id IS NOT NULL GROUP BY lot_id
        )
        SELECT {DAY.format(column="t.routed_at")}, t.market_id, t.partner_id, t.routed_to_id, t.currency,
               count(*) FILTER (WHERE t.route = 'resold'), count(*) FILTER (WHERE t.route = 'recycled'),
               coalesce(sum(CASE WHEN t.route = 'resold' THEN round(l.price_amount::numeric / lots.devices) END), 0),
               coalesce(sum(CASE WHEN t.route = 'resold' THEN coalesce(p.amount, t.final_amount, 0) END), 0),
               coalesce(sum(CASE WHEN t.route = 'resold' THEN i.co2e END), 0),
               coalesce(sum(CASE WHEN t.route = 'resold' THEN i.ewaste END), 0)
        FROM tradein_tradein t
        JOIN catalog_product pr ON pr.id = t.product_id
        LEFT JOIN impact i ON i.category_id = pr.category_id
        LEFT JOIN tradein_lot l ON l.id = t.lot_id
        LEFT JOIN lots ON lots.lot_id = t.lot_id
        LEFT JOIN tradein_payout p ON p.tradein_id = t.id
        WHERE t.routed_at IS NOT NULL AND {DAY.format(column="t.routed_at")} = ANY(%(days)s)
        GROUP BY 1, 2, 3, 4, 5
        """,
    )
    return [
        counted("created_at", "quoted"),
        counted("accepted_at", "accepted"),
        counted("received_at", "received"),
        paid,
        routed,
    ]


def rollups_refresh_days(days: Iterable[date]) -> int:
    """Rebuild every rollup row of `days` from the source tables, in one transaction (readers see the old
    rows or the new ones, never half). Returns the number of rows written."""
    wanted = sorted(set(days))
    if not wanted:
        return 0
    params: dict[str, Any] = {"days": wanted, "technical": sorted(TECHNICAL_CATEGORIES), **_impact_table()}
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        SalesDay.objects.filter(day__in=wanted).delete()
        MarketDay.objects.filter(day__in=wanted).delete()
        TradeInDay.objects.filter(day__in=wanted).delete()
        for statement in [*_sales_statements(counted_orders_sql()), MARKET_DAYS, *_tradein_statements()]:
            cursor.execute(statement, params)
            written += max(cursor.rowcount, 0)
    return written


def rollups_refresh(*, now: datetime | None = None) -> int:
    """The beat job: recompute the days since the previous run (and `LOOKBACK_DAYS` before it), up to
    today; the first run covers the last 30 days. Idempotent: a rerun rebuilds the same rows."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(
            name=STATE, defaults={"refreshed_at": now - timedelta(days=30)}
        )
        start = state.refreshed_at.date() - timedelta(days=LOOKBACK_DAYS)
        days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
        written = rollups_refresh_days(days)
        RollupState.objects.filter(pk=state.pk).update(refreshed_at=now)
    return written


def rollups_rebuild() -> int:
    """Every day that has data, rebuilt (a deploy, the benchmark), in chunks of 90 days."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT d FROM (
                SELECT (paid_at AT TIME ZONE 'UTC')::date FROM orders_sellerorder WHERE paid_at IS NOT NULL
                UNION SELECT (delivered_at AT TIME ZONE 'UTC')::date FROM orders_sellerorder
                    WHERE delivered_at IS NOT NULL
                UNION SELECT (completed_at AT TIME ZONE 'UTC')::date FROM orders_refund WHERE completed_at IS NOT NULL
                UNION SELECT (opened_at AT TIME ZONE 'UTC')::date FROM warranty_claim
                UNION SELECT (resolved_at AT TIME ZONE 'UTC')::date FROM warranty_claim WHERE resolved_at IS NOT NULL
                UNION SELECT (created_at AT TIME ZONE 'UTC')::date FROM tradein_tradein
                UNION SELECT (accepted_at AT TIME ZONE 'UTC')::date FROM tradein_tradein WHERE accepted_at IS NOT NULL
                UNION SELECT (received_at AT TIME ZONE 'UTC')::date FROM tradein_tradein WHERE received_at IS NOT NULL
                UNION SELECT (routed_at AT TIME ZONE 'UTC')::date FROM tradein_tradein WHERE routed_at IS NOT NULL
                UNION SELECT (paid_at AT TIME ZONE 'UTC')::date FROM tradein_tradein WHERE paid_at IS NOT NULL
            ) AS all_days(d) ORDER BY d
            """
        )
        days = [row[0] for row in cursor.fetchall()]
    written = 0
    for start in range(0, len(days), 90):
        written += rollups_refresh_days(days[start : start + 90])
    RollupState.objects.update_or_create(name=STATE, defaults={"refreshed_at": timezone.now()})
    return written
