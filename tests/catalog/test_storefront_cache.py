"""Cached storefront fragments and API responses: no query when warm, never stale after a write on any path."""

import re

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Listing
from catalog.services.listings import listing_update
from catalog.versioning import catalog_changed
from catalog.views import CSRF_PLACEHOLDER
from marketplace.actors import Actor
from sellers.services.lifecycle import seller_reinstate, seller_suspend
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")
WARM_URLS = (
    "/c/smartphones/?market=fr",
    "/search/?q=iphnoe+13&market=fr",
    "/p/iphone-13/?market=fr",
    "/api/v1/products/?market=fr",
)


@pytest.fixture
def offer():
    seller = SellerFactory(organisation__name="Renew Labs")
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    listing = make_listing(seller=seller.organisation, variant=VariantFactory(product=product), price_amount=41900)
    return seller, listing


def api_prices(client) -> list[int]:
    return [p["from_price"]["amount"] for p in client.get("/api/v1/products/?market=fr").json()["results"]]


def test_warm_pages_run_no_query(client, offer, django_assert_num_queries):
    for url in WARM_URLS:
        assert client.get(url).status_code == 200

    for url in WARM_URLS:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url


def test_the_cached_fragment_is_per_language_market_and_query(client, offer):
    english = client.get("/p/iphone-13/?market=fr").content.decode()
    german = client.get("/p/iphone-13/?market=fr", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    british = client.get("/p/iphone-13/?market=gb").content.decode()

    assert "€419.00" in english  # prices are formatted for the page's language
    assert "419,00\xa0€" in german or "419,00 €" in german
    assert "Renew Labs" in english
    assert "Renew Labs" not in british  # no offer in the British market


def test_a_listing_edit_shows_at_once(client, offer, django_capture_on_commit_callbacks):
    _seller, listing = offer
    assert api_prices(client) == [41900]
    client.get("/p/iphone-13/?market=fr")

    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=listing, actor=ACTOR, price_amount=38900)

    assert api_prices(client) == [38900]
    assert "389" in client.get("/p/iphone-13/?market=fr").content.decode()


def test_a_seller_suspension_and_reinstatement_show_at_once(client, offer, django_capture_on_commit_callbacks):
    seller, _listing = offer
    assert "Renew Labs" in client.get("/p/iphone-13/?market=fr").content.decode()
    assert api_prices(client) == [41900]

    with django_capture_on_commit_callbacks(execute=True):
        seller_suspend(seller=seller, actor=ACTOR, reason="score")

    assert "Renew Labs" not in client.get("/p/iphone-13/?market=fr").content.decode()
    assert api_prices(client) == []
    assert "1 product" not in client.get("/c/smartphones/?market=fr").content.decode()

    seller.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        seller_reinstate(seller=seller, actor=ACTOR, reason="appeal")

    assert "Renew Labs" in client.get("/p/iphone-13/?market=fr").content.decode()
    assert api_prices(client) == [41900]


def test_the_htmx_request_gets_the_results_fragment_only(client, offer):
    full = client.get("/c/smartphones/?market=fr&sort=price").content.decode()
    partial = client.get("/c/smartphones/?market=fr&sort=price", HTTP_HX_REQUEST="true").content.decode()

    boosted = client.get(
        "/c/smartphones/?market=fr&sort=price", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
    ).content.decode()

    assert "<html" in full
    assert partial.startswith('<div id="browse-results"')  # the results only: the filter panel stays
    assert "iPhone 13" in partial
    assert "<html" in boosted  # a boosted navigation wants the whole page: its own cache entry


def test_a_long_facet_shows_eight_values_and_folds_the_rest(client):
    variant_seller = SellerFactory().organisation
    for n in range(15):
        product = ProductFactory(series=f"Series {n:02d}")
        make_listing(seller=variant_seller, variant=VariantFactory(product=product), sku=f"F-{n}")

    page = client.get("/c/smartphones/?market=fr&series=Series+14").content.decode()
    shown, folded = page.split('<details class="facet-more">', 1)

    assert shown.count('name="series"') == 8
    assert 'value="Series 14" checked' in shown  # a selected value is never folded away
    assert folded.split("</details>", 1)[0].count('name="series"') == 7


def test_a_sold_out_offer_leaves_the_api_list(api_client, offer, django_capture_on_commit_callbacks):
    _seller, listing = offer
    assert len(api_client.get("/api/v1/products/?market=fr").json()["results"]) == 1

    # The summary follows any UPDATE; the checkout bumps the version when an offer sells out.
    Listing.objects.filter(pk=listing.pk).update(stock=F("stock") - listing.stock)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_changed()

    assert api_client.get("/api/v1/products/?market=fr").json()["results"] == []


def csrf_value(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_cached_page_carries_each_visitors_own_csrf_token(offer):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get("/p/iphone-13/?market=fr").content.decode()
    second_page = second.get("/p/iphone-13/?market=fr").content.decode()  # served from the cache

    assert CSRF_PLACEHOLDER not in first_page + second_page
    assert f'"X-CSRFToken": "{csrf_value(second_page)}"' in second_page
    refused = second.post("/market/", {"market": "de", "csrfmiddlewaretoken": csrf_value(first_page)})
    accepted = second.post("/market/", {"market": "de", "csrfmiddlewaretoken": csrf_value(second_page)})
    assert refused.status_code == 403
    assert accepted.status_code == 302


def test_a_visitor_with_a_session_gets_their_own_page_and_token(offer, shopper):
    client = Client(enforce_csrf_checks=True)
    client.get("/p/iphone-13/?market=fr")  # cached for visitors without a session
    client.force_login(shopper)

    page = client.get("/p/iphone-13/?market=fr").content.decode()
    again = client.get("/p/iphone-13/?market=fr").content.decode()  # the body fragment from the cache

    assert shopper.get_short_name() in page
    assert "Renew Labs" in page
    assert CSRF_PLACEHOLDER not in page + again
    assert client.post("/market/", {"market": "de", "csrfmiddlewaretoken": csrf_value(again)}).status_code == 302


# --- invalidation as fine as the change ------------------------------------------------------------
@pytest.fixture
def two_categories():
    """Product A and B (smartphones) and C (laptops), one offer each in France."""
    seller = SellerFactory(organisation__name="Renew Labs").organisation
    laptops = CategoryFactory(slug="laptops", name="Laptops")
    listings = {}
    for key, slug, category in (("a", "phone-a", None), ("b", "phone-b", None), ("c", "laptop-c", laptops)):
        extra = {"category": category} if category else {}
        product = ProductFactory(name=f"Model {key.upper()}", slug=slug, series=f"Series {key}", **extra)
        listings[key] = make_listing(
            seller=seller, variant=VariantFactory(product=product), price_amount=41900, sku=f"FINE-{key}"
        )
    return listings


FINE_URLS = {
    "a": "/p/phone-a/?market=fr",
    "b": "/p/phone-b/?market=fr",
    "phones": "/c/smartphones/?market=fr",
    "laptops": "/c/laptops/?market=fr",
    "laptop search": "/search/?q=laptop&market=fr",
}


@pytest.mark.parametrize("with_session", [False, True], ids=["anonymous page", "fragments"])
def test_a_price_change_leaves_other_products_and_categories_cached(
    client, two_categories, with_session, django_assert_num_queries, django_capture_on_commit_callbacks
):
    if with_session:
        client.session.save()  # a session (a cart, a message): whole pages are not shared, their fragments are
    for url in FINE_URLS.values():
        assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=two_categories["a"], actor=ACTOR, price_amount=38900)

    # What does not show product A stays cached: no query at all for a page without a session, and none
    # on the offers with one (only the per-visitor layout's: session, cart).
    for name in ("b", "laptops", "laptop search"):
        if with_session:
            with CaptureQueriesContext(connection) as queries:
                client.get(FINE_URLS[name])
            assert not any("catalog_listing" in q["sql"] for q in queries.captured_queries), name
        else:
            with django_assert_num_queries(0):
                assert client.get(FINE_URLS[name]).status_code == 200, name
    # Where A shows, the new price shows at once: its page, its category, a search that finds it.
    assert "€389.00" in client.get(FINE_URLS["a"]).content.decode()
    assert "€389.00" in client.get(FINE_URLS["phones"]).content.decode()
    assert "€389.00" in client.get("/search/?q=model+a&market=fr").content.decode()


def test_a_stock_change_in_another_market_leaves_this_markets_pages_cached(
    client, two_categories, django_assert_num_queries, django_capture_on_commit_callbacks
):
    seller = two_categories["a"].seller
    british = make_listing(
        seller=seller, variant=two_categories["a"].variant, market="gb", price_amount=35900, sku="FINE-GB"
    )
    for url in FINE_URLS.values():
        client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=british, actor=ACTOR, stock=0)

    for url in FINE_URLS.values():
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url


def test_a_sold_out_offer_leaves_its_pages_at_once(client, two_categories, django_capture_on_commit_callbacks):
    from orders.services.stock import stock_take

    listing = two_categories["a"]
    assert "Model A" in client.get(FINE_URLS["phones"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stock_take(listings=[listing], quantities={listing.pk: listing.stock})

    assert "Model A" not in client.get(FINE_URLS["phones"]).content.decode()
    assert "Model B" in client.get(FINE_URLS["phones"]).content.decode()
    assert "Renew Labs" not in client.get(FINE_URLS["a"]).content.decode()


def test_a_product_page_rebuilt_for_an_offer_reads_only_the_offers(
    client, offer, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The product, its photos and variants are cached under the global version: an offer's change
    rebuilds the page from the offers' two queries (the offers, their unit photos), and shows the change."""
    _seller, listing = offer
    assert client.get("/p/iphone-13/?market=fr").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        listing_update(listing=listing, actor=ACTOR, price_amount=39900)

    with django_assert_num_queries(2):
        page = client.get("/p/iphone-13/?market=fr").content.decode()

    assert "€399.00" in page


def test_a_product_edited_in_the_admin_shows_at_once(client, offer, django_capture_on_commit_callbacks):
    from django.contrib import admin
    from django.test import RequestFactory

    from catalog.models import Product

    assert "iPhone 13" in client.get("/p/iphone-13/?market=fr").content.decode()
    product = Product.objects.get(slug="iphone-13")
    product.name = "iPhone 13 (2021)"
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Product].save_model(RequestFactory().post("/admin/"), product, None, True)

    assert "iPhone 13 (2021)" in client.get("/p/iphone-13/?market=fr").content.decode()
