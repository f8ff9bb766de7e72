"""A seller adds photos of the unit to a listing in Chromium, sees them on the listing page and on the offer,
and removes one."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalog.models import ListingPhoto
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory
from tests.factories.catalog import make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _jpeg(path, colour: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1200), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_seller_adds_photos_of_the_unit_and_removes_one(page, live_server, artifacts_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    listing = make_listing(stock=2)
    owner = MembershipFactory(organisation=listing.seller, role="owner").user
    log_in(page, live_server, owner.email, PASSWORD)

    page.goto(f"{live_server.url}/seller/listings/{listing.pk}/")
    page.get_by_label("Add photos").set_input_files(
        [_jpeg(tmp_path / "front.jpg", "#335"), _jpeg(tmp_path / "back.jpg", "#533")]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()

    assert page.get_by_text("2 photos added.").is_visible()
    assert page.get_by_test_id("unit-photos").locator("img").count() == 2
    page.screenshot(path=str(artifacts_dir / "seller-listing-photos-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "seller-listing-photos-390.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("unit-photos").get_by_role("button", name="Remove").first.click()
    assert page.get_by_text("Photo removed.").is_visible()
    assert ListingPhoto.objects.filter(listing=listing).count() == 1

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "encore_market", "value": listing.market_id, "url": live_server.url}])
    page.goto(f"{live_server.url}/p/{listing.variant.product.slug}/")
    assert page.get_by_alt_text(f"Photo of the unit offered by {listing.seller.name}").count() >= 1
