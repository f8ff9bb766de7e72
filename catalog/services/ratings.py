"""Ratings the catalog shows and sorts by, kept current by warranty (reviews live there, a floor above).

- A seller's rating: the count and sum of the seller stars of its visible reviews, on its
  `SellerStanding` (shown with its count on offers, the buy box, seller and product pages).
- A product's rating: the count and sum of the unit stars of its units' visible reviews, on
  `ProductRating`, with the Bayesian score "Best rated" sorts by.
- A seller's sales: the units it has delivered (from the delivery hook).

Changes are deltas applied in place (`UPDATE ... SET n = n + delta`, or an upsert for the first one),
so concurrent reviews never lose an update. A rating change bumps the catalog cache version on
commit, so cached pages show the new figures.

The Bayesian score is `catalog.ratings.bayesian_score_milli` (its formula and prior are there).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F
from django.utils import timezone

from catalog.models import ProductRating, SellerStanding
from catalog.ratings import PRIOR_SCORE_MILLI, bayesian_score_milli
from catalog.versioning import catalog_changed


def seller_rating_change(*, organisation_id: int, count: int, stars: int) -> None:
    """Add `count` ratings summing to `stars` to a seller's rating (negative to take them away: a review
    hidden or edited). Runs in the caller's transaction; a seller without a standing row gets one (it
    may not sell until the sellers app says so)."""
    if count == 0 and stars == 0:
        return
    now = timezone.now()
    # An update first: a delta that takes ratings away (an edit, a hidden review) is no row of its own,
    # and PostgreSQL checks an INSERT's candidate row before ON CONFLICT. The insert is for a first rating.
    updated = SellerStanding.objects.filter(organisation_id=organisation_id).update(
        rating_count=F("rating_count") + count, rating_sum=F("rating_sum") + stars, updated_at=now
    )
    if not updated:
        table = SellerStanding._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (organisation_id, may_sell, rating_count, rating_sum, units_delivered, updated_at)
                VALUES (%s, false, %s, %s, 0, %s)
                ON CONFLICT (organisation_id) DO UPDATE
                    SET rating_count = {table}.rating_count + EXCLUDED.rating_count,
                        rating_sum = {table}.rating_sum + EXCLUDED.rating_sum,
                        updated_at = EXCLUDED.updated_at
                """,  # noqa: S608 - the table name comes from model meta; values are bound
                [organisation_id, count, stars, now],
            )
    catalog_changed()


def product_rating_change(*, product_id: int, count: int, stars: int) -> None:
    """Add `count` unit ratings summing to `stars` to a product's rating and recompute its Bayesian
    score under the row's lock (the upsert holds it until the caller's transaction ends)."""
    if count == 0 and stars == 0:
        return
    now = timezone.now()
    updated = ProductRating.objects.filter(product_id=product_id).update(
        rating_count=F("rating_count") + count, rating_sum=F("rating_sum") + stars, updated_at=now
    )
    if not updated:  # a first rating (see `seller_rating_change` for why an update comes first)
        table = ProductRating._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (product_id, rating_count, rating_sum, score_milli, updated_at)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (product_id) DO UPDATE
                    SET rating_count = {table}.rating_count + EXCLUDED.rating_count,
                        rating_sum = {table}.rating_sum + EXCLUDED.rating_sum,
                        updated_at = EXCLUDED.updated_at
                """,  # noqa: S608 - the table name comes from model meta; values are bound
                [product_id, count, stars, PRIOR_SCORE_MILLI, now],
            )
    # The row is locked by the write above until the caller's transaction ends: the score is consistent.
    new_count, new_sum = ProductRating.objects.filter(pk=product_id).values_list("rating_count", "rating_sum").get()
    ProductRating.objects.filter(pk=product_id).update(score_milli=bayesian_score_milli(count=new_count, total=new_sum))
    catalog_changed()


def seller_sales_add(*, organisation_id: int, units: int) -> None:
    """`units` more units delivered by a seller (its sales on its public page). Caller's transaction."""
    if units <= 0:
        return
    table = SellerStanding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (organisation_id, may_sell, rating_count, rating_sum, units_delivered, updated_at)
            VALUES (%s, false, 0, 0, %s, %s)
            ON CONFLICT (organisation_id) DO UPDATE
                SET units_delivered = {table}.units_delivered + EXCLUDED.units_delivered,
                    updated_at = EXCLUDED.updated_at
            """,  # noqa: S608 - the table name comes from model meta; values are bound
            [organisation_id, units, timezone.now()],
        )
    # No cache bump: only the seller's own page shows sales, and it is not cached.
