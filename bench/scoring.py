"""Scoring benchmark: one full run of the daily scoring job (every seller scored, its history row written,
the catalog's score updated, the ladder applied) over 2,000 sellers and 1,000,000 order lines with
claims, returns, reviews and mystery-order findings in proportion. Prints the run's time and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/encore_scoring REDIS_URL=redis://127.0.0.1:6379/4 \\
      .venv/bin/python bench/scoring.py [--lines 1000000] [--sellers 2000] [--runs 3] [--no-seed]

The database is migrated, then seeded set-based (temporary tables and INSERT ... SELECT, no row-by-row
work; a few minutes): orders over 120 days (4 lines of one unit each; 1 % cancelled by the seller,
6 % shipped late), 3 % of units with a warranty claim, 1.5 % returned (a third for a defect), 10 % of
lines reviewed, a few hundred audited units, and 89 past days of history per seller. Sellers get a
quality profile (most good, some poor), so that a run moves scores, steps and a few suspensions.

Each timed run starts from yesterday's state (every seller's current score and step reset to the
history's last day), so it does a real day's work: history upserted, scores, events, audit rows,
step e-mails queued, suspensions. Time: wall clock of `sellers_score()`. Memory: the peak of Python
allocations during a run (tracemalloc, in a separate run: it slows Python down), and the process's
peak RSS. Goal on 2 cores: within 3 s, memory flat in the number of lines (the SQL aggregates; Python
holds one row per seller).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)
ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MARKER = "bench-score-0000"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(*, sellers: int, lines: int) -> None:
    from django.db import connection, transaction

    from marketplace.models import User
    from sellers.selectors.performance import score_formula_current

    formula = score_formula_current()
    shopper = (
        User.objects.filter(email="bench-score-shopper@encore.test").first()
        or User.objects.create_user(email="bench-score-shopper@encore.test", password=None, full_name="Bench Shopper")
    ).pk
    orders = lines // 4
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Sellers, with a quality profile: 0 good (80 %), 1 so-so (12 %), 2 poor (6 %), 3 bad (2 %).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_seller ON COMMIT DROP AS
            SELECT n, CASE WHEN n %% 50 = 7 THEN 3 WHEN n %% 50 IN (3, 13, 23) THEN 2
                           WHEN n %% 50 IN (1, 11, 21, 31, 41, 49) THEN 1 ELSE 0 END AS profile
            FROM generate_series(0, %s - 1) n
            """,
            [sellers],
        )
        cursor.execute(
            """
            INSERT INTO marketplace_organisation (kind, name, slug, country, created_at, receives_webhooks)
            SELECT 'seller', 'Bench Refurb ' || n, 'bench-score-' || lpad(n::text, 4, '0'), 'fr', now(), false
            FROM bench_seller
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_org ON COMMIT DROP AS
            SELECT b.n, b.profile, o.id FROM bench_seller b
            JOIN marketplace_organisation o ON o.slug = 'bench-score-' || lpad(b.n::text, 4, '0')
            """
        )
        cursor.execute("CREATE INDEX ON bench_org (n)")
        cursor.execute(
            """
            INSERT INTO sellers_seller (organisation_id, status, legal_form, vat_id, address_line, postal_code, city,
                contact_name, contact_email, contact_phone, monthly_capacity, capacity_description, charter_version,
                charter_accepted_at, applied_at, approved_at, updated_at, home_market_id, ladder_step,
                termination_ground, termination_statement)
            SELECT id, 'active', 'limited_company', 'FR90' || lpad(n::text, 9, '0'), '1 rue du Bench', '75001',
                'Paris', 'Bench', 'bench-score-' || n || '@encore.test', '+33 1 00 00 00 00', 500, 'Bench',
                '2026-09', now(), now() - interval '200 days', now() - interval '190 days', now(), 'fr', 'none',
                '', ''
            FROM bench_org
            """
        )
        cursor.execute(
            """
            INSERT INTO catalog_sellerstanding (organisation_id, may_sell, score, rating_count, rating_sum,
                units_delivered, updated_at)
            SELECT id, true, NULL, 0, 0, 0, now() FROM bench_org
            """
        )
        # Orders: one seller order of 4 one-unit lines each, over 120 days.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_order ON COMMIT DROP AS
            SELECT g, o.id AS seller_id, o.profile,
                   now() - (g %% 120) * interval '1 day' - (g %% 997) * interval '1 minute' AS paid,
                   (g %% 100 < CASE o.profile WHEN 3 THEN 4 WHEN 2 THEN 3 ELSE 1 END) AS cancelled,
                   (g %% 100 >= 90 - CASE o.profile WHEN 3 THEN 20 WHEN 2 THEN 12 WHEN 1 THEN 6 ELSE 2 END) AS late
            FROM generate_series(1, %s) g JOIN bench_org o ON o.n = g %% %s
            """,
            [orders, sellers],
        )
        cursor.execute(
            """
            INSERT INTO orders_order (number, channel, buyer_id, partner_reference, market_id, currency, total_amount,
                vat_amount, sales_tax_amount, state, status, email, full_name, phone, address_line, postal_code, city,
                country, created_at, updated_at, expires_at, paid_at, is_audit)
            SELECT 'S' || lpad(g::text, 9, '0'), 'storefront', %s, '', 'fr', 'EUR', 40000, 6667, 0, '', 'paid',
                'bench-score-shopper@encore.test', 'Bench Shopper', '', '1 rue du Bench', '75001', 'Paris', 'fr',
                paid, paid, paid + interval '30 minutes', paid, false
            FROM bench_order
            """,
            [shopper],
        )
        cursor.execute(
            """
            INSERT INTO orders_sellerorder (order_id, seller_id, status, currency, subtotal_amount, commission_amount,
                carrier, tracking_number, cancelled_by, cancel_reason, paid_at, ship_by, accepted_at, shipped_at,
                delivered_at, completed_at, cancelled_at, created_at, updated_at)
            SELECT o.id, b.seller_id,
                CASE WHEN b.cancelled THEN 'cancelled' WHEN b.paid > now() - interval '33 days' THEN 'delivered'
                     ELSE 'completed' END,
                'EUR', 40000, 4000, CASE WHEN b.cancelled THEN '' ELSE 'DHL' END,
                CASE WHEN b.cancelled THEN '' ELSE 'BENCHS' || b.g END,
                CASE WHEN b.cancelled THEN 'seller' ELSE '' END, '', b.paid, b.paid + interval '1 day', b.paid,
                CASE WHEN b.cancelled THEN NULL WHEN b.late THEN b.paid + interval '2 days'
                     ELSE b.paid + interval '12 hours' END,
                CASE WHEN b.cancelled THEN NULL ELSE b.paid + interval '3 days' END,
                CASE WHEN b.cancelled OR b.paid > now() - interval '33 days' THEN NULL
                     ELSE b.paid + interval '33 days' END,
                CASE WHEN b.cancelled THEN b.paid + interval '2 hours' END, b.paid, b.paid
            FROM bench_order b JOIN orders_order o ON o.number = 'S' || lpad(b.g::text, 9, '0')
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_so ON COMMIT DROP AS
            SELECT so.id, so.seller_id, so.status, so.delivered_at, b.g, b.profile, so.order_id
            FROM bench_order b JOIN orders_order o ON o.number = 'S' || lpad(b.g::text, 9, '0')
            JOIN orders_sellerorder so ON so.order_id = o.id
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderline (seller_order_id, listing_id, quantity, unit_price_amount, currency,
                commission_basis_points, product_name, product_slug, category_id_snapshot, variant_label, grade_code,
                grade_name, seller_name, sku, warranty_months)
            SELECT so.id, NULL, 1, 10000, 'EUR', 1000, 'Bench phone', 'bench-phone', NULL, '128 GB', 'good', 'Good',
                'Bench Refurb', 'BENCH-' || k, 12
            FROM bench_so so CROSS JOIN generate_series(0, 3) k
            ORDER BY so.id, k
            """
        )
        # After-sales on a share of the delivered lines: units and warranties for those lines only.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_line ON COMMIT DROP AS
            SELECT l.id, so.seller_id, so.profile, so.delivered_at, so.id AS seller_order_id, so.g,
                   row_number() OVER (ORDER BY l.id) AS r
            FROM orders_orderline l JOIN bench_so so ON so.id = l.seller_order_id
            WHERE so.delivered_at IS NOT NULL
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_after ON COMMIT DROP AS
            SELECT * FROM bench_line
            WHERE r % 100 < CASE profile WHEN 3 THEN 14 WHEN 2 THEN 8 WHEN 1 THEN 5 ELSE 3 END  -- claims
               OR r % 1000 BETWEEN 500 AND 514                                                  -- returns
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderunit (identifier, identifier_kind, created_at, line_id)
            SELECT 'BS' || lpad(id::text, 12, '0'), 'serial', delivered_at, id FROM bench_after
            """
        )
        cursor.execute(
            """
            INSERT INTO warranty_warranty (identifier, months, starts_on, ends_on, created_at, line_id, seller_id,
                shopper_id, unit_id)
            SELECT u.identifier, 12, a.delivered_at::date, a.delivered_at::date + 365, a.delivered_at, a.id,
                a.seller_id, %s, u.id
            FROM bench_after a JOIN orders_orderunit u ON u.line_id = a.id
            """,
            [shopper],
        )
        cursor.execute(
            """
            INSERT INTO warranty_claim (identifier, category, description, status, resolution, outcome, answer_message,
                escalation_reason, deadline_missed, accepted_silently, decision_reason, replacement_identifier,
                opened_at, answer_due_at, answered_at, resolved_at, closed_at, updated_at, line_id, market_id,
                purchase_id, seller_id, shopper_id, warranty_id)
            SELECT w.identifier, CASE WHEN a.r %% 7 = 0 THEN 'cosmetic' ELSE 'technical_defect' END,
                'Bench claim', 'closed', 'repair', 'repaired', 'Send it back', '', false, false, '', '',
                a.delivered_at + interval '5 days', a.delivered_at + interval '7 days',
                a.delivered_at + interval '5 days'
                    + (a.r %% (CASE a.profile WHEN 0 THEN 30 ELSE 90 END)) * interval '1 hour',
                a.delivered_at + interval '12 days', a.delivered_at + interval '26 days',
                a.delivered_at + interval '26 days', a.id, 'fr', w.id, a.seller_id, %s, w.id
            FROM bench_after a JOIN warranty_warranty w ON w.line_id = a.id
            WHERE a.r %% 1000 NOT BETWEEN 500 AND 514
            """,
            [shopper],
        )
        # One returned unit per parcel (a parcel's lines in the returns' range: its first one).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_returned ON COMMIT DROP AS
            SELECT DISTINCT ON (seller_order_id) * FROM bench_after
            WHERE r % 1000 BETWEEN 500 AND 514 ORDER BY seller_order_id, id
            """
        )
        cursor.execute(
            """
            INSERT INTO warranty_return (reason, status, amount, currency, refunded_automatically, opened_at,
                received_at, refunded_at, updated_at, market_id, seller_id, seller_order_id, shopper_id)
            SELECT CASE WHEN a.r %% 3 = 0 THEN 'defective' ELSE 'changed_mind' END, 'refunded', 10000, 'EUR', false,
                a.delivered_at + interval '4 days', a.delivered_at + interval '9 days',
                a.delivered_at + interval '9 days', a.delivered_at + interval '9 days', 'fr', a.seller_id,
                a.seller_order_id, %s
            FROM bench_returned a
            """,
            [shopper],
        )
        cursor.execute(
            """
            INSERT INTO warranty_returnitem (unit_price_amount, live, line_id, return_id, unit_id)
            SELECT 10000, true, a.id, r.id, u.id
            FROM bench_returned a JOIN orders_orderunit u ON u.line_id = a.id
            JOIN warranty_return r ON r.seller_order_id = a.seller_order_id
            """
        )
        cursor.execute(
            """
            INSERT INTO warranty_review (author_name, seller_stars, unit_stars, text, status, hidden_reason,
                created_at, editable_until, reply_text, updated_at, line_id, seller_id, shopper_id)
            SELECT 'Bench S.', GREATEST(1, 5 - profile - (r %% 3 = 0)::int * profile), 5, 'Bench review', 'visible', '',
                delivered_at + interval '6 days', delivered_at + interval '36 days', '',
                delivered_at + interval '6 days', id, seller_id, %s
            FROM bench_line WHERE r %% 10 = 3
            """,
            [shopper],
        )
        # Mystery orders: one audited unit for every tenth seller, a fifth of them failing a check.
        cursor.execute(
            """
            INSERT INTO sellers_auditsample (drawn_at, size, weight_new, weight_low_score, weight_other,
                low_score_below, seed)
            VALUES (now() - interval '30 days', %s, 3, 4, 1, 70, 1)
            """,
            [sellers // 10],
        )
        cursor.execute(
            """
            INSERT INTO sellers_mysteryaudit ("group", status, ordered_at, recorded_at, updated_at, sample_id,
                seller_id, order_id)
            SELECT 'other', 'recorded', now() - interval '28 days', now() - interval '20 days', now(),
                (SELECT max(id) FROM sellers_auditsample), so.seller_id, so.order_id
            FROM (SELECT DISTINCT ON (a.seller_id) a.seller_id, so.order_id, a.id AS line_id
                  FROM bench_after a JOIN bench_so so ON so.id = a.seller_order_id
                  JOIN bench_org o ON o.id = a.seller_id
                  WHERE o.n % 10 = 0 AND a.r % 1000 NOT BETWEEN 500 AND 514
                  ORDER BY a.seller_id, a.id) so
            """
        )
        cursor.execute(
            """
            INSERT INTO sellers_auditfinding (grade_as_claimed, battery_as_stated, identifier_matches,
                wiped_and_unlocked, accessories_complete, notes, recorded_at, seller_id, unit_id, audit_id)
            SELECT (m.id % 5 <> 0), true, true, true, true, '', now() - interval '20 days', m.seller_id, u.id, m.id
            FROM sellers_mysteryaudit m
            JOIN LATERAL (SELECT u.id FROM orders_orderunit u JOIN orders_orderline l ON l.id = u.line_id
                          JOIN orders_sellerorder so ON so.id = l.seller_order_id
                          WHERE so.order_id = m.order_id ORDER BY u.id LIMIT 1) u ON true
            """
        )
        # 89 past days of history per seller (what yesterday's runs wrote).
        cursor.execute(
            """
            INSERT INTO sellers_performanceday (seller_id, day, formula_id, units_delivered, defects, seller_orders,
                cancelled_by_seller, ship_due, shipped_late, rating_count, rating_sum, answered_claims,
                median_answer_seconds, audited_units, audit_failures, score, step, computed_at)
            SELECT o.id, current_date - d, %s, 500, 10, 130, 1, 129, 3, 50, 240, 10, 36000, 0, 0,
                GREATEST(0, LEAST(100, 96 - o.profile * 16 - (o.n + d) %% 5)),
                CASE WHEN 96 - o.profile * 16 < 60 THEN 'cap' WHEN 96 - o.profile * 16 < 70 THEN 'warning'
                     ELSE 'none' END,
                now() - d * interval '1 day'
            FROM bench_org o CROSS JOIN generate_series(1, 89) d
            """,
            [formula.pk],
        )
    with connection.cursor() as cursor:
        for table in (
            "orders_order",
            "orders_sellerorder",
            "orders_orderline",
            "orders_orderunit",
            "warranty_warranty",
            "warranty_claim",
            "warranty_return",
            "warranty_returnitem",
            "warranty_review",
            "sellers_performanceday",
            "sellers_seller",
        ):
            cursor.execute(f"ANALYZE {table}")
    print(f"seeded {sellers} sellers, {lines} order lines in {time.perf_counter() - started:.0f} s")


def reset_to_yesterday() -> None:
    """Every bench seller back to yesterday's state: active, yesterday's score and step (a day's real work)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sellers_performanceday WHERE day = current_date")
        cursor.execute(
            """
            UPDATE sellers_seller s SET status = 'active', ladder_step = h.step, score = h.score,
                scored_on = current_date - 1, ladder_grace_until = NULL
            FROM sellers_performanceday h
            WHERE h.seller_id = s.organisation_id AND h.day = current_date - 1
            """
        )
        cursor.execute(
            """
            UPDATE catalog_sellerstanding c SET score = s.score, may_sell = true FROM sellers_seller s
            WHERE s.organisation_id = c.organisation_id AND s.vat_id LIKE 'FR90%'
            """
        )
        cursor.execute("DELETE FROM marketplace_event WHERE type IN ('seller.score_changed', 'seller.status_changed')")


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM sellers_seller), (SELECT count(*) FROM orders_orderline),
                   (SELECT count(*) FROM warranty_claim), (SELECT count(*) FROM warranty_return),
                   (SELECT count(*) FROM warranty_review), (SELECT count(*) FROM sellers_auditfinding),
                   (SELECT count(*) FROM sellers_performanceday)
            """
        )
        row = cursor.fetchone()
    return dict(zip(("sellers", "lines", "claims", "returns", "reviews", "findings", "history"), row, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sellers", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    setup_django()
    from marketplace.celery import app
    from marketplace.models import Organisation
    from sellers.services.performance import sellers_score

    if not args.no_seed and not Organisation.objects.filter(slug=MARKER).exists():
        seed(sellers=args.sellers, lines=args.lines)
    print("data:", ", ".join(f"{key} {value:,}" for key, value in counts().items()))
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    timings = []
    for run in range(args.runs):
        reset_to_yesterday()
        started = time.perf_counter()
        result = sellers_score()
        timings.append(time.perf_counter() - started)
        print(
            f"run {run + 1}: {timings[-1]:.2f} s: {result.scored} scored ({result.new} new), "
            f"{result.score_changes} scores and {result.step_changes} steps changed, {len(result.suspended)} suspended"
        )
    again = time.perf_counter()
    second = sellers_score()
    print(f"a second run the same day: {time.perf_counter() - again:.2f} s, {second.score_changes} scores changed")

    reset_to_yesterday()
    tracemalloc.start()
    sellers_score()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app.control.purge()  # the step e-mails the runs queued
    print(
        f"full scoring run: best {min(timings):.2f} s, median {sorted(timings)[len(timings) // 2]:.2f} s; "
        f"peak Python memory during a run {peak / 1024 / 1024:.1f} MiB; process peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
