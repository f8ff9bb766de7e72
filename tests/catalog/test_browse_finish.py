"""Browse pages: htmx swaps the results, not the filter panel; active filters as removable chips with
"Clear all"; count and sort above the results; a search with no result suggests close queries and
categories."""

from __future__ import annotations

import pytest

from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers():
    for n, (series, colour) in enumerate([("iPhone 13", "Midnight"), ("iPhone 14", "Starlight"), ("iPhone 13", "Red")]):
        product = ProductFactory(series=series, name=f"{series} model {n}")
        make_listing(variant=VariantFactory(product=product, colour=colour), sku=f"C-{n}")


def test_the_htmx_answer_is_the_results_alone_so_the_open_filter_panel_stays(client, offers):
    full = client.get("/c/smartphones/?market=fr").content.decode()
    assert '<details class="filter-panel" open>' in full
    assert 'hx-target="#browse-results"' in full

    partial = client.get("/c/smartphones/?market=fr&series=iPhone+13", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="browse-results"')
    assert "filter-panel" not in partial
    assert "2 products" in partial
    assert (
        partial.index('data-testid="result-count"')
        < partial.index('id="sort-select"')
        < partial.index('class="product-grid"')
    )


def test_active_filters_show_as_chips_each_removing_itself_and_clear_all_keeps_the_search(client, offers):
    page = client.get("/search/?q=iphone&market=fr&series=iPhone+13&colour=Red&min=100&sort=price").content.decode()
    chips = page[page.index('data-testid="filter-chips"') :]
    chips = chips[: chips.index("</ul>")]
    assert chips.count('class="chip"') == 3
    assert "iPhone 13" in chips
    assert "from 100" in chips
    assert 'href="/search/?q=iphone&amp;market=fr&amp;colour=Red&amp;min=100&amp;sort=price"' in chips  # series gone
    assert 'href="/search/?q=iphone&amp;market=fr&amp;sort=price" data-testid="clear-filters"' in chips
    assert "Remove filter:" in chips  # read out by screen readers


def test_no_chips_without_filters(client, offers):
    assert 'data-testid="filter-chips"' not in client.get("/c/smartphones/?market=fr").content.decode()


def test_a_search_with_no_result_suggests_close_queries_and_categories(client, offers):
    page = client.get("/search/?q=iphone+99&market=fr").content.decode()
    empty = page[page.index('data-testid="no-results"') :]
    queries = empty[empty.index('data-testid="close-queries"') :]
    assert 'href="/search/?q=iPhone%2013"' in queries
    categories = empty[empty.index('data-testid="suggested-categories"') :]
    assert 'href="/c/smartphones/"' in categories


def test_a_search_for_nothing_like_any_product_still_offers_the_categories(client, offers):
    page = client.get("/search/?q=zzzzqqq&market=fr").content.decode()
    assert 'data-testid="close-queries"' not in page
    assert 'href="/c/smartphones/"' in page[page.index('data-testid="suggested-categories"') :]
