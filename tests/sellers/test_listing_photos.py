"""Photos of the unit on a listing, from the seller back-office: added through the catalog's service
(checked by content, at most six), shown on the offer, removed; another seller's listing or photo is a 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import ListingPhoto
from catalog.services.images import MAX_LISTING_PHOTOS
from tests.factories import MembershipFactory
from tests.factories.catalog import make_listing
from tests.factories.warranty import jpeg, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(seller_org, private_media, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the offers' photos are public media
    client = Client()
    client.force_login(MembershipFactory(organisation=seller_org, role="owner").user)
    return client


def test_a_seller_adds_photos_of_the_unit_sees_them_on_the_offer_and_removes_one(owner_client, seller_org):
    listing = make_listing(seller=seller_org)
    edit = f"/seller/listings/{listing.pk}/"
    assert 'data-testid="unit-photos"' in owner_client.get(edit).content.decode()

    response = owner_client.post(f"{edit}photos/", {"photos": [jpeg(), png()]}, follow=True)

    assert response.redirect_chain[-1][0] == edit
    page = response.content.decode()
    assert "2 photos added." in page
    assert page.count('class="unit-photo"') == 2
    photos = list(ListingPhoto.objects.filter(listing=listing))
    assert len(photos) == 2
    shopper = Client()
    shopper.cookies["encore_market"] = listing.market_id
    product_page = shopper.get(f"/p/{listing.variant.product.slug}/").content.decode()
    assert f"Photo of the unit offered by {seller_org.name}" in product_page

    response = owner_client.post(f"{edit}photos/{photos[0].pk}/delete/", follow=True)
    assert "Photo removed." in response.content.decode()
    assert list(ListingPhoto.objects.filter(listing=listing)) == [photos[1]]


def test_a_file_that_is_not_a_picture_is_refused_by_name_and_the_good_ones_before_it_stay(owner_client, seller_org):
    listing = make_listing(seller=seller_org)
    fake = SimpleUploadedFile("invoice.png", b"%PDF-1.7 not a picture", content_type="image/png")

    response = owner_client.post(f"/seller/listings/{listing.pk}/photos/", {"photos": [png(), fake]}, follow=True)

    page = response.content.decode()
    assert "invoice.png: only JPEG, PNG or WebP pictures are accepted." in page
    assert "1 photo added." in page
    assert ListingPhoto.objects.filter(listing=listing).count() == 1
    assert (
        "Choose at least one photo"
        in owner_client.post(f"/seller/listings/{listing.pk}/photos/", follow=True).content.decode()
    )


def test_the_seventh_photo_is_refused_and_the_form_goes_once_six_are_there(owner_client, seller_org):
    listing = make_listing(seller=seller_org)
    url = f"/seller/listings/{listing.pk}/photos/"
    owner_client.post(url, {"photos": [png(f"p{n}.png") for n in range(MAX_LISTING_PHOTOS)]})

    response = owner_client.post(url, {"photos": [png("seven.png")]}, follow=True)

    assert "At most 6 photos per offer." in response.content.decode()
    assert ListingPhoto.objects.filter(listing=listing).count() == MAX_LISTING_PHOTOS
    assert 'name="photos"' not in owner_client.get(f"/seller/listings/{listing.pk}/").content.decode()


def test_another_sellers_listing_or_photo_is_a_404_and_nothing_changes(owner_client, seller_org, other_seller_org):
    mine = make_listing(seller=seller_org)
    theirs = make_listing(seller=other_seller_org)
    owner_client.post(f"/seller/listings/{mine.pk}/photos/", {"photos": [png()]})
    photo = ListingPhoto.objects.get()

    assert owner_client.post(f"/seller/listings/{theirs.pk}/photos/", {"photos": [png()]}).status_code == 404
    assert owner_client.post(f"/seller/listings/{theirs.pk}/photos/{photo.pk}/delete/").status_code == 404
    assert ListingPhoto.objects.count() == 1
