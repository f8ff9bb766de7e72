"""The impact figures: one convention (per device, one year of use), every category's figure cited to a
document or labelled an estimate with its method, all on one public page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.impact import impact_of, is_estimate, root_categories
from catalog.models import Category

pytestmark = pytest.mark.django_db
CITATION = re.compile(r"\(\d{4}\)")  # a document names its year: "ADEME (2022), <title>"


def test_every_top_level_category_has_both_figures_cited_or_labelled_an_estimate():
    for category in Category.objects.filter(parent__isnull=True):
        assert category.co2e_avoided_grams > 0, category.slug
        assert category.ewaste_avoided_grams > 0, category.slug
        for source in (category.co2e_source, category.ewaste_source):
            assert is_estimate(source) or CITATION.search(source), (category.slug, source)
            assert "to be replaced" not in source
            if is_estimate(source):
                assert len(source) > len("Estimate: ") + 20, (category.slug, source)  # it says how


def test_a_sub_category_counts_with_its_top_level_figures():
    phones = Category.objects.get(slug="smartphones")
    refurbished_iphones = Category.objects.create(slug="iphones", name="iPhones", parent=phones)

    impact = impact_of({refurbished_iphones.pk: 2, phones.pk: 1}, root_categories())

    assert impact.co2e_grams == 3 * phones.co2e_avoided_grams
    assert impact.ewaste_grams == 3 * phones.ewaste_avoided_grams


def test_the_public_page_shows_the_convention_and_every_source(client):
    page = client.get(reverse("catalog:impact")).content.decode()

    assert "one year of use" in page
    assert "ADEME (2022)" in page
    assert page.count("Estimate") >= 4
    assert "Scope 1, 2 and 3" in page
    for category in Category.objects.filter(parent__isnull=True):
        assert category.display_name in page


# --- e-waste shown wherever CO2e is: the product page, the order page, the confirmation e-mail ----------
def _sub_category_listing():
    """A listing of a model filed under a sub-category of smartphones (its figures are the top level's)."""
    from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

    phones = Category.objects.get(slug="smartphones")
    iphones = Category.objects.create(slug="iphones-impact", name="iPhones", parent=phones)
    variant = VariantFactory(product=ProductFactory(category=iphones))
    return phones, make_listing(variant=variant, stock=3, price_amount=30000)


def test_the_product_page_shows_the_co2e_and_e_waste_of_its_top_level_category(client):
    _phones, listing = _sub_category_listing()

    page = client.get(f"/p/{listing.variant.product.slug}/?market=fr").content.decode()

    impact = page[page.index('data-testid="product-impact"') :][:600]
    assert "24.6 kg CO₂e" in impact
    assert "0.2 kg</strong> of electronic waste" in impact  # 190 g, the smartphones' figure
    assert reverse("catalog:impact") in page


def test_the_order_page_and_the_confirmation_e_mail_say_what_the_order_saved(client, shopper):
    from django.core import mail

    from orders import notifications
    from tests.factories.orders import paid

    _phones, listing = _sub_category_listing()
    order = paid((listing, 2), buyer=shopper)
    client.force_login(shopper)

    page = client.get(reverse("orders:account_order", args=[order.number])).content.decode()
    notifications.order_paid_notify_task(order.pk)

    impact = page[page.index('data-testid="order-impact"') :][:700]
    assert "49.2 kg CO₂e" in impact  # 2 x 24.6 kg, the top level's figure
    assert "0.4 kg</strong> of electronic waste" in impact  # 2 x 190 g
    confirmation = next(m for m in mail.outbox if order.number in m.subject and m.to == [order.email])
    # In the market's language (French): the figures, whatever the words around them.
    assert re.search(r"49[.,]2\s?kg", confirmation.body), confirmation.body
    assert re.search(r"0[.,]4\s?kg", confirmation.body), confirmation.body
    assert "/impact/" in confirmation.body
