"""The offer summary's refresh looks listings up per variant, whatever the planner's statistics.

Migration 0004 joined the touched products' variants to the visible listings and let the planner pick
the order; on a table filled inside one transaction (the demo seed: 12,000 `listing_create` calls) there
are no statistics yet, the planner started from the listings of the market and every statement's refresh
scanned them all: quadratic. The lookup is now a LATERAL subquery per variant behind `OFFSET 0` (an
optimisation fence), which always runs on the partial index `listing_visible_by_variant`.
"""

from django.db import migrations

REFRESH_SQL = """
CREATE OR REPLACE FUNCTION catalog_offer_summary_refresh(p_products bigint[], p_markets text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_products IS NULL OR cardinality(p_products) = 0 THEN
        RETURN;
    END IF;
    -- Serialise the writers of one (product, market); sorted, so one statement never deadlocks another.
    PERFORM pg_advisory_xact_lock(hashtextextended('catalog_offer_summary:' || k.product_id || ':' || k.market_id, 0))
    FROM (
        SELECT DISTINCT t.product_id, t.market_id
        FROM unnest(p_products, p_markets) AS t(product_id, market_id)
        ORDER BY 1, 2
    ) AS k;
    -- A new statement, so a new snapshot (READ COMMITTED): it sees what the lock's previous holder committed.
    WITH keys AS (
        SELECT DISTINCT t.product_id, t.market_id FROM unnest(p_products, p_markets) AS t(product_id, market_id)
    ),
    per_grade AS (
        SELECT k.product_id, k.market_id, l.grade_id, min(l.currency) AS currency,
               min(l.price_amount) AS low, count(*) AS offers
        FROM keys AS k
        JOIN catalog_variant AS v ON v.product_id = k.product_id
        CROSS JOIN LATERAL (
            -- Per variant, on the partial index (market, variant, grade, price) of visible listings.
            -- OFFSET 0 keeps this a nested lookup whatever the statistics say: a table filled inside
            -- one transaction has none, and a join planned from the listings' side scanned them all
            -- for every statement (a seed of 12,000 listings went quadratic).
            SELECT l.grade_id, l.currency, l.price_amount
            FROM catalog_listing AS l
            WHERE l.market_id = k.market_id AND l.variant_id = v.id AND l.status = 'active' AND l.stock > 0
            OFFSET 0
        ) AS l
        GROUP BY k.product_id, k.market_id, l.grade_id
    ),
    fresh AS (
        SELECT product_id, market_id, min(currency) AS currency, min(low) AS from_price_amount,
               sum(offers)::integer AS offers, jsonb_object_agg(grade_id, low) AS grade_prices
        FROM per_grade
        GROUP BY product_id, market_id
    ),
    gone AS (
        DELETE FROM catalog_offersummary AS s
        USING keys AS k
        WHERE s.product_id = k.product_id AND s.market_id = k.market_id
          AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.product_id = k.product_id AND f.market_id = k.market_id)
    )
    INSERT INTO catalog_offersummary (product_id, market_id, currency, from_price_amount, offers, grade_prices)
    SELECT product_id, market_id, currency, from_price_amount, offers, grade_prices FROM fresh
    ON CONFLICT (product_id, market_id) DO UPDATE
    SET currency = EXCLUDED.currency,
        from_price_amount = EXCLUDED.from_price_amount,
        offers = EXCLUDED.offers,
        grade_prices = EXCLUDED.grade_prices
    WHERE (catalog_offersummary.currency, catalog_offersummary.from_price_amount,
           catalog_offersummary.offers, catalog_offersummary.grade_prices)
          IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.from_price_amount, EXCLUDED.offers, EXCLUDED.grade_prices);
END;
$$;
"""

PREVIOUS_REFRESH_SQL = """
CREATE OR REPLACE FUNCTION catalog_offer_summary_refresh(p_products bigint[], p_markets text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_products IS NULL OR cardinality(p_products) = 0 THEN
        RETURN;
    END IF;
    -- Serialise the writers of one (product, market); sorted, so one statement never deadlocks another.
    PERFORM pg_advisory_xact_lock(hashtextextended('catalog_offer_summary:' || k.product_id || ':' || k.market_id, 0))
    FROM (
        SELECT DISTINCT t.product_id, t.market_id
        FROM unnest(p_products, p_markets) AS t(product_id, market_id)
        ORDER BY 1, 2
    ) AS k;
    -- A new statement, so a new snapshot (READ COMMITTED): it sees what the lock's previous holder committed.
    WITH keys AS (
        SELECT DISTINCT t.product_id, t.market_id FROM unnest(p_products, p_markets) AS t(product_id, market_id)
    ),
    per_grade AS (
        SELECT k.product_id, k.market_id, l.grade_id, min(l.currency) AS currency,
               min(l.price_amount) AS low, count(*) AS offers
        FROM keys AS k
        JOIN catalog_variant AS v ON v.product_id = k.product_id
        JOIN catalog_listing AS l ON l.variant_id = v.id AND l.market_id = k.market_id
        WHERE l.status = 'active' AND l.stock > 0
        GROUP BY k.product_id, k.market_id, l.grade_id
    ),
    fresh AS (
        SELECT product_id, market_id, min(currency) AS currency, min(low) AS from_price_amount,
               sum(offers)::integer AS offers, jsonb_object_agg(grade_id, low) AS grade_prices
        FROM per_grade
        GROUP BY product_id, market_id
    ),
    gone AS (
        DELETE FROM catalog_offersummary AS s
        USING keys AS k
        WHERE s.product_id = k.product_id AND s.market_id = k.market_id
          AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.product_id = k.product_id AND f.market_id = k.market_id)
    )
    INSERT INTO catalog_offersummary (product_id, market_id, currency, from_price_amount, offers, grade_prices)
    SELECT product_id, market_id, currency, from_price_amount, offers, grade_prices FROM fresh
    ON CONFLICT (product_id, market_id) DO UPDATE
    SET currency = EXCLUDED.currency,
        from_price_amount = EXCLUDED.from_price_amount,
        offers = EXCLUDED.offers,
        grade_prices = EXCLUDED.grade_prices
    WHERE (catalog_offersummary.currency, catalog_offersummary.from_price_amount,
           catalog_offersummary.offers, catalog_offersummary.grade_prices)
          IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.from_price_amount, EXCLUDED.offers, EXCLUDED.grade_prices);
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_offer_summary"),
    ]

    operations = [
        migrations.RunSQL(REFRESH_SQL, PREVIOUS_REFRESH_SQL),
    ]
