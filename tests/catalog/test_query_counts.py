"""Every storefront page and catalog list endpoint runs the same number of queries for 1, 10 and 100 rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.catalog import ProductFactory, VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db

# url -> the pinned query count with a cold cache (warm, the browse and product pages and the products list
# read their rendered fragment or response from Redis: no query). The home page reads the offer summary; a
# search is parsed and resolved once per request, not once per facet; the facets with no value selected,
# the total and the price range are one grouped query, a facet with a selection one more (brand and storage
# here: 2); market and grade choices of the API are validated against the cached lists.
PAGES = {
    "/?market=fr": 4,
    "/c/smartphones/?market=fr": 8,
    "/c/smartphones/?market=fr&brand=apple&storage=128&sort=price": 10,
    "/search/?q=iphone&market=fr": 11,
    "/p/iphone-13/?market=fr": 9,  # + the photos of the model, and of the units on offer
    "/api/v1/products/?market=fr": 2,
    "/api/v1/products/?market=fr&q=iphone": 4,
    "/api/v1/products/iphone-13/?market=fr": 7,  # + the photos of the units on offer
    "/api/v1/products/iphone-13/offers/?market=fr": 4,
    "/api/v1/categories/": 1,
    "/api/v1/grades/": 1,
}


def build(rows: int) -> None:
    """`rows` offers of one product (for the product page) and `rows` products with an offer each."""
    sellers = [SellerFactory().organisation for _ in range(min(rows, 5))]
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    variant = VariantFactory(product=product)
    for n in range(rows):
        make_listing(variant=variant, seller=sellers[n % len(sellers)], price_amount=40000 + n, sku=f"A-{n}")
    for n in range(rows - 1):
        make_listing(variant=VariantFactory(product=ProductFactory()), seller=sellers[0], sku=f"B-{n}")


def count(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("rows", [1, 10, 100])
def test_query_counts_do_not_grow_with_rows(client, rows):
    build(rows)

    counts = {url: count(client, url) for url in PAGES}

    assert counts == PAGES


@pytest.mark.parametrize("rows", [1, 10, 100])
def test_an_htmx_answer_counts_the_facets_in_the_same_queries_as_the_page(client, rows):
    """The results and, out of band, the panel's facet counts: the page's own grouped counts, no query more
    per facet or per value (as many queries as the whole page)."""
    build(rows)
    url = "/c/smartphones/?market=fr&brand=apple&storage=128&sort=price"

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HX_REQUEST="true")

    assert 'hx-swap-oob="true"' in response.content.decode()
    assert len(queries) == PAGES[url] == 10
