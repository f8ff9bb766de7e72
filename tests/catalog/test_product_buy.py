"""From the product page to the cart: every offer carries an add-to-cart form with the visitor's CSRF token."""

import re

import pytest
from django.test import Client

from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db


def test_an_anonymous_shopper_adds_the_featured_offer_from_the_product_page():
    product = ProductFactory(name="Pixel 8", slug="pixel-8")
    listing = make_listing(variant=VariantFactory(product=product), market="fr", price_amount=39900)
    shopper = Client(enforce_csrf_checks=True)
    home = shopper.get("/").content.decode()  # a session and a CSRF cookie, as a browser would have
    home_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home).group(1)
    shopper.post("/market/", {"market": "fr", "next": "/", "csrfmiddlewaretoken": home_token})

    page = shopper.get("/p/pixel-8/").content.decode()

    forms = re.findall(r'<form method="post" action="/cart/add/".*?</form>', page, flags=re.S)
    assert forms, "no add-to-cart form on the product page"
    assert f'name="listing" value="{listing.pk}"' in forms[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', forms[0]).group(1)
    response = shopper.post("/cart/add/", {"listing": listing.pk, "quantity": 1, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    cart = shopper.get("/cart/").content.decode()
    assert "Pixel 8" in cart
    assert "399,00\u00a0€" in cart  # the market switch set French: French number format
