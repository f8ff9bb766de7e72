"""A shopper finds, filters and opens a product in a phone-sized Chromium window, in en, de and fr."""

import re

import pytest

from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(
    ("language", "market", "heading"), [("en", "gb", "Results"), ("de", "de", ""), ("fr", "fr", "")]
)
def test_find_filter_and_open_a_product(page, live_server, artifacts_dir, language, market, heading):
    product = ProductFactory(name="iPhone 13", slug="iphone-13")
    for storage, price in ((128, 40900), (256, 47900)):
        variant = VariantFactory(product=product, storage_gb=storage, colour="Midnight")
        make_listing(variant=variant, market=market, grade="good", price_amount=price, battery_health=88)
        make_listing(variant=variant, market=market, grade="excellent", price_amount=price + 3000)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"{live_server.url}/search/?q=iphnoe+13&market={market}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".product-name").first.inner_text() == "iPhone 13"
    with page.expect_response(lambda r: "/search/" in r.url):
        page.locator("input[name=storage][value='256']").check()
    page.wait_for_url(re.compile(r"[?&]storage=256"))
    page.screenshot(path=str(artifacts_dir / f"catalog-search-{language}.png"), full_page=True)

    page.locator(".product-card a").first.click()
    page.wait_for_url("**/p/iphone-13/**")
    assert page.locator(".grade-row").count() == 4
    page.screenshot(path=str(artifacts_dir / f"catalog-product-{language}.png"), full_page=True)
