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
