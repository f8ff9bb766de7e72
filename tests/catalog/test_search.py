"""Search: full text with prefixes, typos forgiven, storage sizes understood, close matches when empty."""

import pytest

from catalog.models import Category
from catalog.selectors.search import parse_query
from tests.factories.catalog import BrandFactory, ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones():
    samsung = BrandFactory(slug="samsung", name="Samsung")
    iphone_13 = ProductFactory(name="iPhone 13", slug="iphone-13", series="iPhone 13")
    iphone_12 = ProductFactory(name="iPhone 12", slug="iphone-12", series="iPhone 12")
    galaxy = ProductFactory(name="Galaxy S23", slug="galaxy-s23", series="Galaxy S23", brand=samsung)
    for product in (iphone_13, iphone_12, galaxy):
        for storage in (128, 256):
            make_listing(variant=VariantFactory(product=product, storage_gb=storage, colour="Black"))
    return iphone_13, iphone_12, galaxy


def test_a_typo_is_corrected_and_a_storage_size_becomes_a_filter(phones):
    parsed = parse_query("iphnoe 13 128")

    assert parsed.text_terms == ["iphone", "13"]
    assert parsed.storage_gb == 128
    assert parsed.corrected is True


def test_search_page_finds_the_iphone_13_128_from_a_typo(client, phones):
    response = client.get("/search/", {"q": "iphnoe 13 128", "market": "fr"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "iphone 13 128 GB" in body
    assert [card.product.slug for card in response.context["result"].cards] == ["iphone-13"]


def test_an_empty_result_suggests_close_matches(client, phones):
    response = client.get("/search/", {"q": "iphone 99", "market": "fr"})

    assert response.context["result"].cards == []
    assert "Did you mean" in response.content.decode()
    assert {p.slug for p in response.context["result"].suggestions} >= {"iphone-13", "iphone-12"}


def test_api_search_uses_the_same_rules(api_client, phones):
    response = api_client.get("/api/v1/products/", {"q": "galxy", "market": "fr"})

    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["galaxy-s23"]
    assert Category.objects.filter(slug="smartphones").exists()
