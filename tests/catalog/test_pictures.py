"""Pictures: staff photos (checked by content, WebP and AVIF renditions at a few widths, srcset, alt text),
the category's drawing in the variant's colour where no photo exists (never an emoji, never an empty box),
sellers' photos of the unit on their offer (content-checked, size-limited); the product page's trust
badges, delivery estimate and seller rating per offer."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image

from catalog.delivery import delivery_estimate
from catalog.illustrations import colour_hex, device_svg
from catalog.models import ListingPhoto, ProductImage, SellerStanding
from catalog.services.images import MAX_LISTING_PHOTOS, listing_photo_add, product_image_add
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Market
from tests.factories import UserFactory
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing

pytestmark = pytest.mark.django_db
STAFF = Actor.system("tests")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):  # the messages below are read in English
        yield settings.MEDIA_ROOT


def png(width: int = 1200, height: int = 900, colour: str = "#3366aa") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_colour_names_map_to_fills_and_the_drawing_carries_its_label():
    assert colour_hex("Midnight") == "#232a36"
    assert colour_hex("Phantom Black") == colour_hex("black")
    assert colour_hex("Space Grey") == "#5f6166"  # the two-word name before "grey"
    assert colour_hex("Something Else") == "#9aa0a6"
    drawing = device_svg("laptop", "Silver", label="Illustration of MacBook <Air>")
    assert 'role="img"' in drawing
    assert 'aria-label="Illustration of MacBook &lt;Air&gt;"' in drawing
    assert "#c9ccd1" in drawing
    assert 'aria-hidden="true"' in device_svg("phone", "Black")


def test_a_staff_photo_is_stored_with_webp_and_avif_renditions_no_wider_than_itself():
    product = ProductFactory()
    picture = product_image_add(product=product, upload=png(800, 600), alt_text="Front and back", actor=STAFF)

    assert (picture.width, picture.height) == (800, 600)
    assert set(picture.renditions) == {"webp", "avif"}
    assert set(picture.renditions["webp"]) == {"320", "640"}  # 1024 would upscale
    for names in picture.renditions.values():
        for name in names.values():
            assert default_storage.exists(name)
    with default_storage.open(picture.renditions["avif"]["320"]) as handle, Image.open(handle) as image:
        assert (image.format, image.width) == ("AVIF", 320)
    assert picture.image.name.startswith("products/")
    assert "photo.png" not in picture.image.name  # a random name, never the uploader's


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("fake.jpg", b"not a picture at all", content_type="image/jpeg"), "only JPEG, PNG or WebP"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), "the file is empty"),
    ],
)
def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_stored(upload, message, media):
    with pytest.raises(ApplicationError) as caught:
        product_image_add(product=ProductFactory(), upload=upload, alt_text="Front", actor=STAFF)
    assert message in caught.value.message
    assert not ProductImage.objects.exists()
    assert not (media / "products").exists()


def test_a_photo_needs_its_alt_text_and_the_size_bound_holds(settings):
    with pytest.raises(ApplicationError) as caught:
        product_image_add(product=ProductFactory(), upload=png(), alt_text="  ", actor=STAFF)
    assert caught.value.errors[0]["field"] == "alt_text"
    settings.FILE_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ApplicationError) as caught:
        product_image_add(product=ProductFactory(), upload=png(), alt_text="Front", actor=STAFF)
    assert "larger than" in caught.value.message


def _page(url: str) -> str:
    client = Client()
    client.cookies["encore_market"] = "fr"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_without_a_photo_the_pages_show_the_category_drawn_in_the_variants_colour_never_an_emoji():
    variant = VariantFactory(colour="Midnight")
    make_listing(variant=variant)
    product = variant.product

    page = _page(f"/p/{product.slug}/")
    assert f'aria-label="Illustration of {product.name}"' in page
    assert "#232a36" in page  # Midnight
    for html in (page, _page("/"), _page("/c/smartphones/"), _page("/search/?q=iphone")):
        assert not EMOJI.search(html)
    assert "#232a36" in _page("/c/smartphones/")  # the card draws the first variant's colour


def test_with_a_photo_the_pages_show_a_picture_with_srcset_in_avif_and_webp_and_its_alt_text():
    variant = VariantFactory()
    make_listing(variant=variant)
    product_image_add(product=variant.product, upload=png(1200, 900), alt_text="The phone, front and back", actor=STAFF)

    page = _page(f"/p/{variant.product.slug}/")
    assert '<source type="image/avif" srcset="/media/products/' in page
    assert re.search(r'srcset="[^"]+-320\.webp 320w, [^"]+-640\.webp 640w, [^"]+-1024\.webp 1024w"', page)
    assert 'alt="The phone, front and back"' in page
    card = _page("/c/smartphones/")
    assert '<source type="image/avif"' in card
    assert 'alt=""' in card  # on a card the product's name is beside it: the photo is decorative


def test_sellers_add_photos_of_the_unit_shown_on_their_offer_at_most_six(settings):
    listing = make_listing()
    seller = listing.seller
    photo = listing_photo_add(listing=listing, upload=png(640, 480), actor=STAFF)
    assert photo.renditions["webp"]["320"].startswith("listings/")
    page = _page(f"/p/{listing.variant.product.slug}/")
    assert f'alt="Photo of the unit offered by {seller.name}"' in page

    for _ in range(MAX_LISTING_PHOTOS - 1):
        listing_photo_add(listing=listing, upload=png(100, 100), actor=STAFF)
    with pytest.raises(ApplicationError) as caught:
        listing_photo_add(listing=listing, upload=png(100, 100), actor=STAFF)
    assert "At most 6 photos" in caught.value.message
    assert ListingPhoto.objects.filter(listing=listing).count() == MAX_LISTING_PHOTOS
    with pytest.raises(ApplicationError):
        listing_photo_add(
            listing=make_listing(), upload=SimpleUploadedFile("x.png", b"GIF89a....", "image/png"), actor=STAFF
        )


def test_platform_staff_upload_a_photo_in_the_admin_and_get_its_thumbnails(django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True, is_superuser=True)
    product = ProductFactory()
    client = Client()
    client.force_login(staff)
    url = f"/admin/catalog/product/{product.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": product.name,
        "brand": product.brand_id,
        "category": product.category_id,
        "series": product.series,
        "release_year": product.release_year,
        "specs": '{"display": "6.1 in"}',
        "launch_prices": "{}",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-image": png(700, 700),
        "images-0-alt_text": "Front",
        "images-0-position": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    picture = ProductImage.objects.get(product=product)
    assert set(picture.renditions["webp"]) == {"320", "640"}
    assert picture.width == 700

    bad = {**form, "images-0-image": SimpleUploadedFile("x.jpg", b"no", "image/jpeg")}
    refused = client.post(url, bad)
    assert refused.status_code == 200
    assert "only JPEG, PNG or WebP" in refused.content.decode()
    assert ProductImage.objects.filter(product=product).count() == 1


def test_the_delivery_estimate_counts_the_sellers_handling_and_the_markets_business_days():
    france = Market.objects.get(code="fr")
    # Thursday 2 April 2026, before Easter: shipped Friday 3; Monday 6 is Easter Monday (a holiday).
    thursday = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    estimate = delivery_estimate(market=france, handling_days=1, now=thursday)
    assert (estimate.earliest, estimate.latest) == (date(2026, 4, 7), date(2026, 4, 8))
    same_day = delivery_estimate(market=france, handling_days=0, now=thursday)
    assert (same_day.earliest, same_day.latest) == (date(2026, 4, 3), date(2026, 4, 7))


def test_the_product_page_shows_trust_badges_and_each_offers_rating_and_delivery():
    listing = make_listing(warranty_months=24)
    SellerStanding.objects.filter(organisation=listing.seller).update(rating_count=4, rating_sum=18)
    page = _page(f"/p/{listing.variant.product.slug}/")
    badges = page[page.index('data-testid="trust-badges"') :]
    badges = badges[: badges.index("</ul>")]
    for text in ("24-month warranty", "30-day returns", "Free delivery", "Tested and data wiped"):
        assert text in badges
    offers = page[page.index('data-testid="offers"') :]
    assert "4.5" in offers  # the seller's rating on its offer
    assert 'data-testid="delivery-estimate"' in offers


def test_staff_set_a_sellers_handling_time_in_the_admin():
    staff = UserFactory(is_staff=True, is_superuser=True)
    listing = make_listing()
    client = Client()
    client.force_login(staff)
    url = f"/admin/catalog/sellerstanding/{listing.seller_id}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"handling_days": "0"}).status_code == 302
    assert SellerStanding.objects.get(organisation=listing.seller).handling_days == 0
    assert client.post(url, {"handling_days": "3"}).status_code == 200  # past the ship-by rule: refused
    assert SellerStanding.objects.get(organisation=listing.seller).handling_days == 0
