"""The offer summary also holds what a category or search page counts without a listing-level filter.

`high_price_amount`, `storages` and `colours` per (product, market) are kept by the same statement triggers
as the rest (the refresh and the rebuild compute them), so an unfiltered or brand-filtered page counts its
facets and sorts its products over one summary row per product instead of scanning every visible offer
(`catalog.selectors.browse`). Storage and colour are the variant's: a variant whose storage, colour or
product changes now refreshes the rows of the products it leaves and joins.
"""

import importlib

import django.contrib.postgres.fields
from django.db import migrations, models

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
    offers AS (
        SELECT k.product_id, k.market_id, l.grade_id, l.currency, l.price_amount, v.storage_gb, v.colour
        FROM keys AS k
        JOIN catalog_variant AS v ON v.product_id = k.product_id
        CROSS JOIN LATERAL (
            -- Per variant, on the partial index (market, variant, grade, price) of visible listings;
            -- OFFSET 0 keeps this a nested lookup whatever the statistics say (migration 0005).
            SELECT l.grade_id, l.currency, l.price_amount
            FROM catalog_listing AS l
            WHERE l.market_id = k.market_id AND l.variant_id = v.id AND l.status = 'active' AND l.stock > 0
            OFFSET 0
        ) AS l
    ),
    per_grade AS (
        SELECT product_id, market_id, grade_id, min(currency) AS currency, min(price_amount) AS low, count(*) AS offers
        FROM offers
        GROUP BY product_id, market_id, grade_id
    ),
    per_product AS (
        SELECT product_id, market_id, max(price_amount) AS high,
               coalesce(array_agg(DISTINCT storage_gb ORDER BY storage_gb) FILTER (WHERE storage_gb IS NOT NULL),
                        '{}') AS storages,
               coalesce(array_agg(DISTINCT colour ORDER BY colour) FILTER (WHERE colour <> ''), '{}') AS colours
        FROM offers
        GROUP BY product_id, market_id
    ),
    fresh AS (
        SELECT g.product_id, g.market_id, min(g.currency) AS currency, min(g.low) AS from_price_amount,
               sum(g.offers)::integer AS offers, jsonb_object_agg(g.grade_id, g.low) AS grade_prices,
               min(p.high) AS high_price_amount, min(p.storages) AS storages, min(p.colours) AS colours
        FROM per_grade AS g
        JOIN per_product AS p ON p.product_id = g.product_id AND p.market_id = g.market_id
        GROUP BY g.product_id, g.market_id
    ),
    gone AS (
        DELETE FROM catalog_offersummary AS s
        USING keys AS k
        WHERE s.product_id = k.product_id AND s.market_id = k.market_id
          AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.product_id = k.product_id AND f.market_id = k.market_id)
    )
    INSERT INTO catalog_offersummary (product_id, market_id, currency, from_price_amount, offers, grade_prices,
                                      high_price_amount, storages, colours)
    SELECT product_id, market_id, currency, from_price_amount, offers, grade_prices,
           high_price_amount, storages, colours
    FROM fresh
    ON CONFLICT (product_id, market_id) DO UPDATE
    SET currency = EXCLUDED.currency,
        from_price_amount = EXCLUDED.from_price_amount,
        offers = EXCLUDED.offers,
        grade_prices = EXCLUDED.grade_prices,
        high_price_amount = EXCLUDED.high_price_amount,
        storages = EXCLUDED.storages,
        colours = EXCLUDED.colours
    WHERE (catalog_offersummary.currency, catalog_offersummary.from_price_amount, catalog_offersummary.offers,
           catalog_offersummary.grade_prices, catalog_offersummary.high_price_amount,
           catalog_offersummary.storages, catalog_offersummary.colours)
          IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.from_price_amount, EXCLUDED.offers, EXCLUDED.grade_prices,
                            EXCLUDED.high_price_amount, EXCLUDED.storages, EXCLUDED.colours);
END;
$$;

CREATE OR REPLACE FUNCTION catalog_offer_summary_rebuild() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    LOCK TABLE catalog_offersummary IN EXCLUSIVE MODE;
    DELETE FROM catalog_offersummary;
    WITH offers AS (
        SELECT v.product_id, l.market_id, l.grade_id, l.currency, l.price_amount, v.storage_gb, v.colour
        FROM catalog_listing AS l
        JOIN catalog_variant AS v ON v.id = l.variant_id
        WHERE l.status = 'active' AND l.stock > 0
    ),
    per_grade AS (
        SELECT product_id, market_id, grade_id, min(currency) AS currency, min(price_amount) AS low, count(*) AS offers
        FROM offers
        GROUP BY product_id, market_id, grade_id
    ),
    per_product AS (
        SELECT product_id, market_id, max(price_amount) AS high,
               coalesce(array_agg(DISTINCT storage_gb ORDER BY storage_gb) FILTER (WHERE storage_gb IS NOT NULL),
                        '{}') AS storages,
               coalesce(array_agg(DISTINCT colour ORDER BY colour) FILTER (WHERE colour <> ''), '{}') AS colours
        FROM offers
        GROUP BY product_id, market_id
    )
    INSERT INTO catalog_offersummary (product_id, market_id, currency, from_price_amount, offers, grade_prices,
                                      high_price_amount, storages, colours)
    SELECT g.product_id, g.market_id, min(g.currency), min(g.low), sum(g.offers)::integer,
           jsonb_object_agg(g.grade_id, g.low), min(p.high), min(p.storages), min(p.colours)
    FROM per_grade AS g
    JOIN per_product AS p ON p.product_id = g.product_id AND p.market_id = g.market_id
    GROUP BY g.product_id, g.market_id;
END;
$$;

CREATE FUNCTION catalog_variant_offer_summary_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('catalog.offer_summary', true) = 'off' THEN
        RETURN NULL;
    END IF;
    -- The products a changed variant leaves and joins, in every market where it has a visible offer.
    PERFORM catalog_offer_summary_refresh(array_agg(pair.product_id), array_agg(pair.market_id))
    FROM (
        SELECT DISTINCT side.product_id, l.market_id::text AS market_id
        FROM old_rows AS o
        JOIN new_rows AS n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.product_id), (n.product_id)) AS side(product_id)
        JOIN catalog_listing AS l ON l.variant_id = n.id AND l.status = 'active' AND l.stock > 0
        WHERE (n.storage_gb, n.colour, n.product_id) IS DISTINCT FROM (o.storage_gb, o.colour, o.product_id)
    ) AS pair;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalog_variant_offer_summary_update
    AFTER UPDATE ON catalog_variant REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_variant_offer_summary_updated();

SELECT catalog_offer_summary_rebuild();
ANALYZE catalog_offersummary;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS catalog_variant_offer_summary_update ON catalog_variant;
DROP FUNCTION IF EXISTS catalog_variant_offer_summary_updated();
CREATE OR REPLACE FUNCTION catalog_offer_summary_rebuild() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    LOCK TABLE catalog_offersummary IN EXCLUSIVE MODE;
    DELETE FROM catalog_offersummary;
    INSERT INTO catalog_offersummary (product_id, market_id, currency, from_price_amount, offers, grade_prices)
    SELECT product_id, market_id, min(currency), min(low), sum(offers)::integer, jsonb_object_agg(grade_id, low)
    FROM (
        SELECT v.product_id, l.market_id, l.grade_id, min(l.currency) AS currency,
               min(l.price_amount) AS low, count(*) AS offers
        FROM catalog_listing AS l
        JOIN catalog_variant AS v ON v.id = l.variant_id
        WHERE l.status = 'active' AND l.stock > 0
        GROUP BY v.product_id, l.market_id, l.grade_id
    ) AS per_grade
    GROUP BY product_id, market_id;
END;
$$;
""" + importlib.import_module("catalog.migrations.0005_offer_summary_refresh_per_variant").REFRESH_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_pictures_and_handling_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="offersummary",
            name="colours",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=60), default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="offersummary",
            name="high_price_amount",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="offersummary",
            name="storages",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.PositiveIntegerField(), default=list, size=None
            ),
        ),
        migrations.RunSQL(REFRESH_SQL, REVERSE_SQL),
    ]
