"""Ratings: the Bayesian average (one pure function, table-tested), the rows warranty keeps current, the
"Best rated" sort, and ratings with their count on offers, the buy box, product and seller pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductRating, SellerStanding
from catalog.ratings import PRIOR_SCORE_MILLI, bayesian_average, bayesian_score_milli
from catalog.services.ratings import product_rating_change, seller_rating_change, seller_sales_add
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing
from tests.factories.sellers import SellerFactory


@pytest.mark.parametrize(
    ("count", "total", "average"),
    [
        (0, 0, Decimal("4")),  # no rating: the prior
        (1, 5, Decimal("45") / 11),  # 4.09
        (1, 1, Decimal("41") / 11),  # 3.73
        (100, 480, Decimal("520") / 110),  # a hundred 4.8s: 4.73
        (10, 50, Decimal("4.5")),
        (1000, 4700, Decimal("4740") / 1010),  # the record dominates: 4.69
    ],
)
def test_bayesian_average(count, total, average):
    assert bayesian_average(count=count, total=total) == average


def test_one_five_star_review_does_not_beat_a_hundred_four_point_eights():
    one_five = bayesian_score_milli(count=1, total=5)
    hundred = bayesian_score_milli(count=100, total=480)

    assert (one_five, hundred) == (4091, 4727)
    assert hundred > one_five > PRIOR_SCORE_MILLI


def test_the_average_refuses_negative_counts():
    with pytest.raises(ValueError):
        bayesian_average(count=-1, total=0)


@pytest.mark.django_db
def test_rating_changes_are_deltas_on_the_catalogs_rows():
    seller = SellerFactory().organisation
    product = ProductFactory()

    with transaction.atomic():
        seller_rating_change(organisation_id=seller.pk, count=1, stars=5)
        seller_rating_change(organisation_id=seller.pk, count=1, stars=3)
        seller_rating_change(organisation_id=seller.pk, count=0, stars=1)  # an edit: 3 -> 4
        product_rating_change(product_id=product.pk, count=1, stars=5)
        seller_sales_add(organisation_id=seller.pk, units=3)

    standing = SellerStanding.objects.get(organisation=seller)
    assert (standing.rating_count, standing.rating_sum, standing.rating_average) == (2, 9, 4.5)
    assert standing.units_delivered == 3
    rating = ProductRating.objects.get(product=product)
    assert (rating.rating_count, rating.rating_sum, rating.score_milli) == (1, 5, 4091)

    with transaction.atomic():
        product_rating_change(product_id=product.pk, count=-1, stars=-5)  # hidden by a success manager
    rating.refresh_from_db()
    assert (rating.rating_count, rating.rating_sum, rating.score_milli) == (0, 0, PRIOR_SCORE_MILLI)


@pytest.mark.django_db
def test_the_database_keeps_ratings_between_one_and_five_stars():
    seller = SellerFactory().organisation
    with pytest.raises(IntegrityError), transaction.atomic():
        seller_rating_change(organisation_id=seller.pk, count=1, stars=6)


@pytest.mark.django_db
def test_best_rated_sorts_by_the_bayesian_score(client):
    seller = SellerFactory().organisation
    lucky = ProductFactory(name="Lucky One")
    steady = ProductFactory(name="Steady Hundred")
    unrated = ProductFactory(name="Never Rated")
    poor = ProductFactory(name="Poorly Rated")
    for product in (lucky, steady, unrated, poor):
        make_listing(seller=seller, variant=VariantFactory(product=product))
    with transaction.atomic():
        product_rating_change(product_id=lucky.pk, count=1, stars=5)
        product_rating_change(product_id=steady.pk, count=100, stars=480)
        product_rating_change(product_id=poor.pk, count=4, stars=8)

    page = client.get("/c/smartphones/?market=fr&sort=rated").content.decode()

    positions = [page.index(name) for name in ("Steady Hundred", "Lucky One", "Never Rated", "Poorly Rated")]
    assert positions == sorted(positions)
    assert "(100)" in page  # the card shows the count


@pytest.mark.django_db
def test_offers_buy_box_product_and_seller_pages_show_the_rating_with_its_count(client):
    rated = SellerFactory(organisation__name="Rated Refurb").organisation
    fresh = SellerFactory(organisation__name="Fresh Refurb").organisation
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    variant = VariantFactory(product=product)
    make_listing(seller=rated, variant=variant, price_amount=40000, sku="R-1")
    make_listing(seller=fresh, variant=variant, price_amount=41000, sku="F-1")
    with transaction.atomic():
        for stars in (5, 5, 4):
            seller_rating_change(organisation_id=rated.pk, count=1, stars=stars)
        product_rating_change(product_id=product.pk, count=3, stars=14)
        seller_sales_add(organisation_id=rated.pk, units=12)

    page = client.get("/p/iphone-13/?market=fr").content.decode()

    assert page.count("Rated 4.7 out of 5 from 3 reviews") >= 3  # buy box, offers table, product's own rating
    assert "No ratings yet" in page  # the seller without any
    seller_page = client.get(f"/sellers/{rated.slug}/").content.decode()
    assert "Rated 4.7 out of 5 from 3 reviews" in seller_page
    assert ">12<" in seller_page


@pytest.mark.django_db
def test_ratings_load_with_the_offers_no_query_more(client):
    sellers = [SellerFactory().organisation for _ in range(5)]
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    variant = VariantFactory(product=product)
    for n, seller in enumerate(sellers):
        make_listing(variant=variant, seller=seller, price_amount=40000 + n, sku=f"A-{n}")
    with transaction.atomic():
        for seller in sellers:
            seller_rating_change(organisation_id=seller.pk, count=2, stars=9)
        product_rating_change(product_id=product.pk, count=10, stars=45)

    for url, pinned in (("/p/iphone-13/?market=fr", 9), ("/c/smartphones/?market=fr", 8)):  # 9: + photos
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == pinned, url
