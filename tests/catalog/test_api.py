"""Catalog API (API.md): public and catalog:read access, filters, buy box, offers, problems for bad input."""

import pytest

from marketplace.models import OrganisationKind
from tests.factories import OrganisationFactory
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_with_offers():
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    variant = VariantFactory(product=product, storage_gb=128, colour="Midnight")
    cheap = make_listing(variant=variant, grade="good", price_amount=40900, battery_health=86)
    dear = make_listing(variant=variant, grade="good", price_amount=42900, battery_health=91)
    premium = make_listing(variant=variant, grade="premium", price_amount=55900, battery_health=95)
    make_listing(variant=variant, grade="fair", price_amount=30000, stock=0)  # not visible
    make_listing(variant=variant, grade="good", price_amount=39000, status="paused")  # not visible
    make_listing(variant=variant, grade="good", market="gb", price_amount=35900, battery_health=86)
    return product, variant, cheap, dear, premium


def test_catalog_reads_are_public_and_open_to_catalog_read_keys(api_client, key_client, partner_org):
    assert api_client.get("/api/v1/grades/").status_code == 200
    assert key_client(partner_org, ["catalog:read"]).get("/api/v1/categories/").status_code == 200
    assert key_client(partner_org, ["orders:read"]).get("/api/v1/products/").status_code == 403
    response = api_client.get("/api/v1/products/", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


def test_grades_list_the_table(api_client):
    response = api_client.get("/api/v1/grades/")

    assert [(g["code"], g["battery_floor"]) for g in response.json()] == [
        ("premium", 90),
        ("excellent", 85),
        ("good", 80),
        ("fair", 80),
    ]


def test_products_in_a_market_carry_their_lowest_visible_price(api_client, product_with_offers):
    ProductFactory(name="No offers", slug="no-offers")

    response = api_client.get("/api/v1/products/", {"market": "fr"})
    everything = api_client.get("/api/v1/products/")

    assert [(p["slug"], p["from_price"]) for p in response.json()["results"]] == [
        ("iphone-13", {"amount": 40900, "currency": "EUR"})
    ]
    assert [p["slug"] for p in everything.json()["results"]] == ["iphone-13", "no-offers"]


def test_product_filters_grade_and_price(api_client, product_with_offers):
    def slugs(**params):
        return [p["slug"] for p in api_client.get("/api/v1/products/", params).json()["results"]]

    assert slugs(market="fr", grade="premium") == ["iphone-13"]
    assert slugs(market="fr", grade="fair") == []
    assert slugs(market="fr", max_price=40000) == []
    assert slugs(market="fr", min_price=40000, max_price=41000) == ["iphone-13"]
    assert slugs(category="smartphones", brand="apple") == ["iphone-13"]


def test_product_detail_has_the_buy_box_per_grade(api_client, product_with_offers):
    _product, variant, cheap, _dear, premium = product_with_offers

    body = api_client.get("/api/v1/products/iphone-13/", {"market": "fr"}).json()

    assert body["selected_variant"] == variant.pk
    assert body["new_price"] == {"amount": 90900, "currency": "EUR"}
    rows = {row["grade"]: row for row in body["buy_box"]}
    assert rows["good"]["featured_offer"]["id"] == cheap.pk
    assert rows["good"]["offers"] == 2
    assert rows["good"]["lowest_price"] == {"amount": 40900, "currency": "EUR"}
    assert rows["premium"]["featured_offer"]["id"] == premium.pk
    assert rows["fair"]["featured_offer"] is None


def test_offers_are_the_visible_ones_cheapest_first_with_the_featured_flag(api_client, product_with_offers):
    _product, _variant, cheap, dear, premium = product_with_offers

    body = api_client.get("/api/v1/products/iphone-13/offers/", {"market": "fr"}).json()

    assert [(o["id"], o["featured"]) for o in body["results"]] == [
        (cheap.pk, True),
        (dear.pk, False),
        (premium.pk, True),
    ]
    assert body["results"][0]["price"] == {"amount": 40900, "currency": "EUR"}
    assert body["next"] is None


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/products/", {"market": "xx"}),
        ("/api/v1/products/", {"min_price": "abc"}),
        ("/api/v1/products/", {"ordering": "price"}),
        ("/api/v1/products/", {"ordering": "bogus"}),
        ("/api/v1/products/iphone-13/", {"market": "zz"}),
        ("/api/v1/products/iphone-13/", {"variant": "x"}),
        ("/api/v1/products/iphone-13/offers/", {"variant": "-1"}),
    ],
)
def test_bad_input_is_a_400_problem(api_client, product_with_offers, url, params):
    response = api_client.get(url, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_unknown_product_is_a_404_problem(api_client):
    response = api_client.get("/api/v1/products/nope/offers/")

    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


def test_cursor_pages_through_products_by_slug(api_client):
    for n in range(5):
        ProductFactory(slug=f"p-{n}", name=f"P {n}")

    first = api_client.get("/api/v1/products/", {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    assert [p["slug"] for p in first["results"]] == ["p-0", "p-1"]
    assert [p["slug"] for p in second["results"]] == ["p-2", "p-3"]


def test_a_listing_of_another_kind_of_organisation_never_exists(product_with_offers):
    assert OrganisationFactory(kind=OrganisationKind.PARTNER).listings.count() == 0
