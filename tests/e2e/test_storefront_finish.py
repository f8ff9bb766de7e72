"""The storefront's finish in Chromium, at 1280 and 390 px: the product page's offers as cards on a phone
(no horizontal scroll), trust badges and delivery estimates; several filters picked while the panel stays
open, shown as chips; the cart's count in the header."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories.catalog import ProductFactory, VariantFactory, make_listing
from tests.factories.sellers import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _catalog() -> str:
    product = ProductFactory(name="iPhone 13", slug="iphone-13", series="iPhone 13")
    sellers = [
        SellerFactory(organisation__name=name).organisation for name in ("Renew Labs", "Phoenix Refurb", "Atelier Nord")
    ]
    for storage, colour in ((128, "Midnight"), (256, "Starlight")):
        variant = VariantFactory(product=product, storage_gb=storage, colour=colour)
        for n, seller in enumerate(sellers):
            make_listing(
                variant=variant, seller=seller, grade=("excellent", "good", "fair")[n], price_amount=40900 + 1000 * n
            )
    other = ProductFactory(name="iPhone 14", slug="iphone-14", series="iPhone 14")
    make_listing(variant=VariantFactory(product=other, colour="Blue"), seller=sellers[0], sku="OTHER-1")
    return product.slug


def test_product_page_offers_fit_a_phone_and_filters_stay_open(page, live_server, artifacts_dir):
    slug = _catalog()
    base = live_server.url

    # The product page on a phone: cards, no horizontal scroll, badges and a delivery estimate per offer.
    page.goto(f"{base}/p/{slug}/?market=fr")
    assert page.get_by_test_id("trust-badges").is_visible()
    assert page.locator(".offer-card").count() >= 1
    assert page.get_by_test_id("delivery-estimate").first.inner_text().strip()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(artifacts_dir / "finish-product-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts_dir / "finish-product-1280.png"), full_page=True)

    # Several filters in a row: htmx swaps the results, the panel stays open with its boxes.
    page.goto(f"{base}/c/smartphones/?market=fr")
    panel = page.locator("details.filter-panel")
    with page.expect_response(lambda r: "/c/smartphones/" in r.url):
        page.locator("input[name=colour][value='Midnight']").check()
    page.wait_for_url(re.compile(r"[?&]colour=Midnight"))
    assert panel.get_attribute("open") is not None
    with page.expect_response(lambda r: "grade=good" in r.url):
        page.locator("input[name=grade][value='good']").check()
    page.wait_for_url(re.compile(r"[?&]grade=good"))
    assert panel.get_attribute("open") is not None
    assert page.locator("input[name=colour][value='Midnight']").is_checked()
    chips = page.get_by_test_id("filter-chips")
    assert chips.locator("a.chip").count() == 2
    assert "1 product" in page.get_by_test_id("result-count").inner_text()
    page.screenshot(path=str(artifacts_dir / "finish-filters-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "finish-filters-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A search with nothing: close queries and categories.
    page.goto(f"{base}/search/?q=iphone+99&market=fr")
    page.screenshot(path=str(artifacts_dir / "finish-no-results-390.png"), full_page=True)

    # The cart's count in the header.
    page.goto(f"{base}/p/{slug}/?market=fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").first.click()
    assert "1" in page.get_by_test_id("cart-count").inner_text()
    page.goto(f"{base}/?market=fr")
    assert "1" in page.get_by_test_id("cart-count").inner_text()
    page.screenshot(path=str(artifacts_dir / "finish-home-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts_dir / "finish-home-1280.png"), full_page=True)


def test_the_panels_counts_follow_each_filter_while_it_stays_open(page, live_server, artifacts_dir):
    _catalog()
    seller = SellerFactory(organisation__name="Pixel Works").organisation
    for n in range(10):  # twelve models: eight shown, the rest under "4 more"
        product = ProductFactory(name=f"Pixel {n}", slug=f"pixel-{n}", series=f"Pixel {n}")
        make_listing(variant=VariantFactory(product=product, colour="Green"), seller=seller, sku=f"PIXEL-{n}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/c/smartphones/?market=fr")
    series = page.locator("fieldset[data-facet=series]")
    more = series.locator("details.facet-more")

    def count_of(facet: str, value: str) -> str | None:  # shown or folded under "more"
        return page.locator(f"fieldset[data-facet={facet}] li[data-value='{value}'] .count").text_content()

    assert (count_of("series", "iPhone 14"), count_of("grade", "excellent"), count_of("colour", "Green")) == (
        "(1)",
        "(12)",
        "(10)",
    )
    more.locator("summary").click()  # the shopper unfolds the other models

    midnight = page.locator("input[name=colour][value='Midnight']")
    with page.expect_response(lambda r: "colour=Midnight" in r.url):
        midnight.check()
    expect(page.locator("li[data-value='iPhone 14'] .count")).to_have_text("(0)")

    # The counts are those of the Midnight offers; the panel, its unfolded list, the box and the focus stay.
    assert count_of("series", "iPhone 13") == "(1)"
    assert count_of("grade", "excellent") == "(1)"
    assert count_of("series", "Pixel 9") == "(0)"  # folded under "more": counted too
    assert count_of("colour", "Green") == "(10)"  # a chosen facet counts over the other filters
    assert "facet-none" in (page.locator("li[data-value='iPhone 14']").get_attribute("class") or "")
    assert page.locator("details.filter-panel").get_attribute("open") is not None
    assert more.get_attribute("open") is not None
    assert midnight.is_checked()
    assert page.evaluate("document.activeElement.value") == "Midnight"
    assert "1 product" in page.get_by_test_id("result-count").inner_text()
    assert page.locator("#facet-counts").inner_html() == ""  # read into the panel, not swapped in
    page.screenshot(path=str(artifacts_dir / "finish-facet-counts-1280.png"), full_page=True)

    # A second filter: the counts follow again; unticking the first brings its counts back.
    with page.expect_response(lambda r: "grade=excellent" in r.url):
        page.locator("input[name=grade][value='excellent']").check()
    expect(page.locator("li[data-value='good'] .count")).to_have_text("(1)")
    assert count_of("series", "iPhone 13") == "(1)"
    with page.expect_response(lambda r: "colour=Midnight" not in r.url):
        midnight.uncheck()
    expect(page.locator("li[data-value='iPhone 14'] .count")).to_have_text("(1)")
    assert count_of("series", "Pixel 9") == "(1)"
    assert "facet-none" not in (page.locator("li[data-value='iPhone 14']").get_attribute("class") or "")
    assert page.locator("input[name=grade][value='excellent']").is_checked()
    assert more.get_attribute("open") is not None
    page.screenshot(path=str(artifacts_dir / "finish-facet-counts-after-1280.png"), full_page=True)
