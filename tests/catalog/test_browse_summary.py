"""A category or search page whose filters are the product's own (none, brand, series, a query's products)
is read from the offer summary; it must show exactly what counting the offers shows: the same products in
the same order, from-prices, offer counts, facet counts, total and price range, whatever the sort and page.
Each case runs both ways and compares; the other filters (storage, colour, grade, price, a storage size in
the query) keep counting the offers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from catalog.selectors import browse as browse_module
from catalog.selectors.browse import SORTS, BrowseFilters
from catalog.services.listings import listing_pause, listing_update
from marketplace.actors import Actor
from tests.factories.catalog import BrandFactory, CategoryFactory, ProductFactory, VariantFactory, make_listing, market

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    phones = CategoryFactory()
    foldables = CategoryFactory(slug="foldables", name="Foldables", parent=phones)
    laptops = CategoryFactory(slug="laptops", name="Laptops")
    samsung = BrandFactory(slug="samsung", name="Samsung")
    shape = [
        # (category, brand, series, year, [(storage, colour, [(grade, price, stock)])])
        (
            phones,
            None,
            "iPhone 13",
            2021,
            [(128, "Midnight", [("good", 40900, 2), ("fair", 35900, 1)]), (256, "Red", [("excellent", 52900, 1)])],
        ),
        (phones, None, "iPhone 13", 2022, [(128, "Starlight", [("good", 42900, 3)])]),
        (
            phones,
            None,
            "iPhone 14",
            2023,
            [(256, "Midnight", [("excellent", 61900, 1), ("good", 58900, 0)]), (512, "Blue", [("fair", 55900, 2)])],
        ),
        (
            phones,
            samsung,
            "Galaxy S22",
            2022,
            [(128, "Phantom Black", [("good", 39900, 1)]), (None, "", [("fair", 29900, 1)])],
        ),
        (foldables, samsung, "Galaxy Z Fold", 2023, [(256, "Phantom Black", [("excellent", 99900, 1)])]),
        (laptops, None, "MacBook Air", 2022, [(256, "Silver", [("good", 79900, 1)])]),
    ]
    paused = None
    for n, (category, brand, series, year, variants) in enumerate(shape):
        extra = {"brand": brand} if brand else {}
        product = ProductFactory(
            category=category, series=series, release_year=year, name=f"{series} {n}", slug=f"p-{n}", **extra
        )
        for storage, colour, offers in variants:
            variant = VariantFactory(product=product, storage_gb=storage, colour=colour)
            for grade, price, stock in offers:
                listing = make_listing(variant=variant, grade=grade, price_amount=price, stock=max(stock, 1))
                if stock == 0:
                    listing_update(listing=listing, actor=Actor.system("tests"), stock=0)
                paused = paused or listing
            make_listing(variant=variant, market="de", price_amount=12300)
    listing_pause(listing=paused, actor=Actor.system("tests"))
    return phones


def both_ways(monkeypatch, filters_of):
    """The page through the offer summary and through the offers: (summary result, offers result, whether the
    first read the summary and not the listings)."""
    with CaptureQueriesContext(connection) as summary_queries:
        from_summary = browse_module._browse(filters_of())
    with monkeypatch.context() as patch:
        patch.setattr(browse_module, "_product_level", lambda filters, search: False)
        from_offers = browse_module._browse(filters_of())
    sql = " ".join(q["sql"] for q in summary_queries.captured_queries)
    return from_summary, from_offers, "catalog_offersummary" in sql and "catalog_listing" not in sql


def shown(result):
    return (
        [(c.product.pk, c.from_price, c.offers, c.rating_count) for c in result.cards],
        result.total,
        result.facets,
        result.price_range,
        (result.page, result.pages),
    )


CASES = [
    {},
    {"brand": ["apple"]},
    {"brand": ["samsung"]},
    {"series": ["iPhone 13", "Galaxy S22"]},
    {"brand": ["apple"], "series": ["iPhone 14"]},
    {"query": "iphone"},
    {"query": "galaxy", "brand": ["samsung"]},
    {"query": "nothingmatcheshere"},
    {"page": 2},
]


@pytest.mark.parametrize("sort", [*SORTS])
@pytest.mark.parametrize("case", CASES, ids=[",".join(f"{k}={v}" for k, v in c.items()) or "all" for c in CASES])
def test_the_summary_shows_what_counting_the_offers_shows(shelf, monkeypatch, case, sort):
    monkeypatch.setattr(browse_module, "PAGE_SIZE", 2)
    category = None if "query" in case else Category.objects.get(slug="smartphones")

    def filters_of():
        return BrowseFilters(market=market("fr"), category=category, sort=sort, **case)

    from_summary, from_offers, read_summary = both_ways(monkeypatch, filters_of)
    assert read_summary or "nothingmatcheshere" in case.get("query", "")
    assert shown(from_summary) == shown(from_offers)


def test_the_counts_read_from_the_summary(shelf):
    result = browse_module._browse(
        BrowseFilters(market=market("fr"), category=Category.objects.get(slug="smartphones"))
    )
    # The first listing made (iPhone 13, 128 GB Midnight, good) is paused, the iPhone 14 good one sold out.
    assert result.total == 5
    assert result.facets["storage"] == [("128", "128 GB", 3), ("256", "256 GB", 3), ("512", "512 GB", 1)]
    assert {value: count for value, _, count in result.facets["grade"]} == {"excellent": 3, "good": 2, "fair": 3}
    assert {value: count for value, _, count in result.facets["brand"]} == {"apple": 3, "samsung": 2}
    assert result.price_range[0].amount == 29900
    assert result.price_range[1].amount == 99900


@pytest.mark.parametrize(
    "case",
    [{"storage": [128]}, {"colour": ["Midnight"]}, {"grade": ["good"]}, {"min_price": 40000}, {"query": "iphone 256"}],
)
def test_filters_inside_the_offers_still_count_the_offers(shelf, case):
    category = None if "query" in case else Category.objects.get(slug="smartphones")
    with CaptureQueriesContext(connection) as queries:
        browse_module._browse(BrowseFilters(market=market("fr"), category=category, **case))
    assert not any("catalog_offersummary" in q["sql"] for q in queries.captured_queries)
