"""The performance window's counts for every seller, set-based: one SQL statement over orders, warranty
and mystery-order findings (sellers sits above both floors and reads their tables).

The window of a day D is the `window_days` whole UTC days ending with D: [D - (window_days - 1),
D + 1). Counting an order line, claim, return or review depends only on its own timestamps inside
the window, so a second run the same day counts the same, except for two clocks read at `as_of`
(the run's time, at most the window's end): an unshipped seller order becomes late once its
`ship_by` has passed, and an unanswered claim counts once its answer deadline has passed.

- units delivered: order lines' quantities of seller orders delivered in the window;
- defects: technical claims (technical defect, battery) opened in the window and not rejected as not
  covered, plus units of returns opened in the window for a defect or not as described (not cancelled);
- seller orders paid in the window; of them, cancelled by the seller; shipped or due (not cancelled,
  shipped, or past `ship_by`), and of those late (shipped after `ship_by`, or unshipped past it);
- ratings: visible reviews written in the window (seller stars);
- claim answer time: claims opened in the window, from opening to the seller's answer; a claim
  escalated because nobody answered counts as answered at its escalation (else at its deadline);
  the median, in seconds;
- mystery orders: units audited in the window, and those failing at least one check.
Audit orders are ordinary orders to these counts: they count like any other (DOMAIN.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from sellers.scoring import Counts


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime
    end: datetime
    as_of: datetime


def window_of(day: date, window_days: int, now: datetime | None = None) -> Window:
    start = datetime.combine(day - timedelta(days=window_days - 1), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return Window(day=day, start=start, end=end, as_of=min(now or timezone.now(), end))


COUNTS_SQL = """
WITH delivered AS (
    SELECT so.seller_id, sum(l.quantity) AS units
    FROM orders_sellerorder so
    JOIN orders_orderline l ON l.seller_order_id = so.id
    WHERE so.delivered_at >= %(start)s AND so.delivered_at < %(end)s {seller_order_filter}
    GROUP BY so.seller_id
),
fulfilment AS (
    SELECT seller_id,
        count(*) AS seller_orders,
        count(*) FILTER (WHERE cancelled_by = 'seller') AS cancelled,
        count(*) FILTER (WHERE status <> 'cancelled' AND (shipped_at IS NOT NULL OR ship_by < %(as_of)s)) AS ship_due,
        count(*) FILTER (
            WHERE status <> 'cancelled'
            AND (shipped_at > ship_by OR (shipped_at IS NULL AND ship_by < %(as_of)s))
        ) AS late
    FROM orders_sellerorder
    WHERE paid_at >= %(start)s AND paid_at < %(end)s {plain_filter}
    GROUP BY seller_id
),
claims AS (
    SELECT seller_id,
        count(*) FILTER (WHERE technical) AS technical,
        count(answer) AS answered,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY answer) AS median_answer
    FROM (
        SELECT seller_id,
            category IN ('technical_defect', 'battery') AND outcome <> 'rejected' AS technical,
            extract(epoch FROM coalesce(
                answered_at,
                CASE WHEN deadline_missed THEN coalesce(escalated_at, answer_due_at) END,
                CASE WHEN answer_due_at < %(as_of)s THEN answer_due_at END
            ) - opened_at) AS answer
        FROM warranty_claim
        WHERE opened_at >= %(start)s AND opened_at < %(end)s {plain_filter}
    ) claim
    GROUP BY seller_id
),
defect_returns AS (
    SELECT r.seller_id, count(*) AS units
    FROM warranty_return r
    JOIN warranty_returnitem i ON i.return_id = r.id
    WHERE r.opened_at >= %(start)s AND r.opened_at < %(end)s
        AND r.reason IN ('defective', 'not_as_described') AND r.status <> 'cancelled' {return_filter}
    GROUP BY r.seller_id
),
ratings AS (
    SELECT seller_id, count(*) AS n, sum(seller_stars) AS stars
    FROM warranty_review
    WHERE status = 'visible' AND created_at >= %(start)s AND created_at < %(end)s {plain_filter}
    GROUP BY seller_id
),
audits AS (
    SELECT seller_id AS seller_id,
        count(*) AS units,
        count(*) FILTER (
            WHERE NOT (grade_as_claimed AND battery_as_stated AND identifier_matches
                       AND wiped_and_unlocked AND accessories_complete)
        ) AS failures
    FROM sellers_auditfinding
    WHERE recorded_at >= %(start)s AND recorded_at < %(end)s {plain_filter}
    GROUP BY seller_id
)
SELECT s.organisation_id,
    coalesce(d.units, 0),
    coalesce(c.technical, 0) + coalesce(r.units, 0),
    coalesce(f.seller_orders, 0),
    coalesce(f.cancelled, 0),
    coalesce(f.ship_due, 0),
    coalesce(f.late, 0),
    coalesce(v.n, 0),
    coalesce(v.stars, 0),
    coalesce(c.answered, 0),
    round(c.median_answer)::bigint,
    coalesce(a.units, 0),
    coalesce(a.failures, 0)
FROM sellers_seller s
LEFT JOIN delivered d ON d.seller_id = s.organisation_id
LEFT JOIN fulfilment f ON f.seller_id = s.organisation_id
LEFT JOIN claims c ON c.seller_id = s.organisation_id
LEFT JOIN defect_returns r ON r.seller_id = s.organisation_id
LEFT JOIN ratings v ON v.seller_id = s.organisation_id
LEFT JOIN audits a ON a.seller_id = s.organisation_id
{seller_filter}
ORDER BY s.organisation_id
"""


def window_counts(window: Window, *, seller_ids: Collection[int] | None = None) -> dict[int, Counts]:
    """Every seller's counts over `window` (or only `seller_ids`'), keyed by organisation id: one statement.

    Sellers with nothing in the window get zero counts (and so no score: "new")."""
    params: dict[str, Any] = {"start": window.start, "end": window.end, "as_of": window.as_of}
    filters = {"seller_order_filter": "", "plain_filter": "", "return_filter": "", "seller_filter": ""}
    if seller_ids is not None:
        params["ids"] = list(seller_ids)
        filters = {
            "seller_order_filter": "AND so.seller_id = ANY(%(ids)s)",
            "plain_filter": "AND seller_id = ANY(%(ids)s)",
            "return_filter": "AND r.seller_id = ANY(%(ids)s)",
            "seller_filter": "WHERE s.organisation_id = ANY(%(ids)s)",
        }
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL.format(**filters), params)
        rows = cursor.fetchall()
    return {
        row[0]: Counts(
            units_delivered=int(row[1]),
            defects=int(row[2]),
            seller_orders=int(row[3]),
            cancelled_by_seller=int(row[4]),
            ship_due=int(row[5]),
            shipped_late=int(row[6]),
            rating_count=int(row[7]),
            rating_sum=int(row[8]),
            answered_claims=int(row[9]),
            median_answer_seconds=None if row[10] is None else max(int(row[10]), 0),
            audited_units=int(row[11]),
            audit_failures=int(row[12]),
        )
        for row in rows
    }
