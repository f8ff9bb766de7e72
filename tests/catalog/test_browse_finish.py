"""Browse pages: htmx swaps the results, not the filter panel; active filters as removable chips with
"Clear all"; count and sort above the results; a search with no result suggests close queries and
categories."""

from __future__ import annotations

import re

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


def _facet_counts(html: str) -> dict[str, dict[str, str]]:
    """facet -> value -> "(count)" in the out-of-band fragment of an htmx answer."""
    fragment = html[html.index('<div id="facet-counts"') :]
    counts: dict[str, dict[str, str]] = {}
    for facet in re.finditer(r'data-facet="(\w+)"(.*?)</fieldset>', fragment, re.DOTALL):
        values = re.findall(r'<li data-value="([^"]*)">.*?<span class="count">(\(\d+\))</span>', facet.group(2))
        counts[facet.group(1)] = dict(values)
    return counts


def test_the_htmx_answer_carries_the_panels_counts_for_the_new_selection_out_of_band(client, offers):
    page = client.get("/c/smartphones/?market=fr").content.decode()
    assert '<div id="facet-counts" hidden></div>' in page  # where the counts land, outside the form
    assert page.index("</form>") < page.index('<div id="facet-counts"')
    assert 'src="/static/js/facet-counts.js"' in page

    partial = client.get("/c/smartphones/?market=fr&series=iPhone+13", HTTP_HX_REQUEST="true").content.decode()

    assert partial.startswith('<div id="browse-results"')
    assert '<div id="facet-counts" hidden hx-swap-oob="true"' in partial
    counts = _facet_counts(partial)
    # The colours of the iPhone 13 offers only; the models over the other filters (none): both still offered.
    assert counts["colour"] == {"Midnight": "(1)", "Red": "(1)"}
    assert counts["series"] == {"iPhone 13": "(2)", "iPhone 14": "(1)"}
    assert 'value="iPhone 13" checked' in partial


def test_browse_answers_vary_on_the_htmx_headers_cached_or_not(client, offers):
    for _ in range(2):  # rendered, then from the whole-page cache
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get("/c/smartphones/?market=fr&colour=Red", **headers)
            assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= {
                part.strip() for part in response["Vary"].split(",")
            }


def test_htmx_restoring_a_page_missing_from_its_history_gets_the_whole_page(client, offers):
    client.get("/c/smartphones/?market=fr&colour=Red", HTTP_HX_REQUEST="true")  # the results alone, cached

    restored = client.get(
        "/c/smartphones/?market=fr&colour=Red", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()

    assert "<html" in restored
    assert '<details class="filter-panel" open>' in restored
    assert "hx-swap-oob" not in restored


def test_facet_values_are_built_escaped_with_the_chosen_ones_ticked():
    from catalog.templatetags.catalog_tags import facet_items

    html = facet_items("series", [('a"b', "<b>Pixel</b> & co", 3), ("c", "C", 1234)], {"c"})
    assert html == (
        '\n          <li data-value="a&quot;b"><label class="check"><input type="checkbox" name="series" '
        'value="a&quot;b"> &lt;b&gt;Pixel&lt;/b&gt; &amp; co <span class="count">(3)</span></label></li>'
        '\n          <li data-value="c"><label class="check"><input type="checkbox" name="series" '
        'value="c" checked> C <span class="count">(1234)</span></label></li>'
    )
