"""Forms that lose work: what a seller typed survives a refused submission, a refresh makes nothing twice,
and a price far below the variant's other offers is pointed out (with how far)."""

from __future__ import annotations

import pytest

from catalog.models import Listing
from orders.models import SellerOrder
from orders.services.fulfilment import seller_order_accept
from orders.states import SellerOrderStatus
from tests.factories import MembershipFactory, UserFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.orders import SYSTEM, imei, paid
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    seller = SellerFactory()
    client.force_login(MembershipFactory(organisation=seller.organisation, role="owner").user)
    client.seller = seller
    return client


def test_the_listing_form_keeps_the_chosen_variant_after_a_validation_error(owner_client):
    for _ in range(31):
        VariantFactory()
    chosen = VariantFactory()
    chosen.product.name = "Zz last in the list"
    chosen.product.save()
    data = {
        "variant": chosen.pk,
        "grade": "good",
        "market": "fr",
        "battery_health": 85,
        "warranty_months": 12,
        "price": "not a price",
        "stock": 2,
        "sku": "KEEP-1",
        "status": "active",
    }
    page = owner_client.post("/seller/listings/new/", data).content.decode()
    assert f'value="{chosen.pk}" checked' in page
    data["price"] = "249.00"
    assert owner_client.post("/seller/listings/new/", data).status_code == 302
    assert Listing.objects.get(sku="KEEP-1").variant_id == chosen.pk


def test_the_ship_form_keeps_carrier_tracking_and_identifiers_and_shows_the_error_at_the_field(owner_client):
    listing = make_listing(seller=owner_client.seller.organisation, stock=2, price_amount=20000)
    seller_order = paid((listing, 2), buyer=UserFactory()).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    line = seller_order.lines.get()
    good, bad = imei(7), "12345"
    response = owner_client.post(
        f"/seller/orders/{seller_order.pk}/ship/",
        {"carrier": "DHL", "tracking_number": "JD0146", f"unit-{line.pk}-0": good, f"unit-{line.pk}-1": bad},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="DHL"' in page
    assert 'value="JD0146"' in page
    assert f'value="{good}"' in page
    assert f'value="{bad}"' in page
    errors = page.split(f'data-testid="unit-errors-{line.pk}"')[1].split("</ul>")[0]
    assert bad in errors
    assert SellerOrder.objects.get(pk=seller_order.pk).status == SellerOrderStatus.ACCEPTED

    response = owner_client.post(
        f"/seller/orders/{seller_order.pk}/ship/",
        {"carrier": "", "tracking_number": "JD0146", f"unit-{line.pk}-0": good, f"unit-{line.pk}-1": imei(8)},
    )
    page = response.content.decode()
    assert 'id="id_carrier_errors"' in page
    assert f'value="{imei(8)}"' in page


def test_a_price_far_below_the_variants_other_offers_is_pointed_out_with_how_far(owner_client):
    variant = VariantFactory()
    for price in (40000, 42000, 44000):
        make_listing(variant=variant, grade="good", market="fr", price_amount=price)
    own = make_listing(
        seller=owner_client.seller.organisation, variant=variant, grade="good", market="fr", price_amount=41000
    )
    # Typing in the edit form (htmx hint), before saving.
    hint = owner_client.get(f"/seller/listings/price-hint/?listing={own.pk}&grade=good&price=126.00").content.decode()
    assert "This price is 70 % below the median of the variant's 3 other offers (€420.00)." in hint
    assert (
        "price-warning"
        not in owner_client.get(
            f"/seller/listings/price-hint/?listing={own.pk}&grade=good&price=399.00"
        ).content.decode()
    )
    # The inline price edit of the listings table saves and says so in the row.
    row = owner_client.post(f"/seller/listings/{own.pk}/inline/", {"price": "126.00"}).content.decode()
    assert 'data-testid="price-warning"' in row
    assert "70 %" in row
    own.refresh_from_db()
    assert own.price_amount == 12600
    # The edit form saves and warns on the next page.
    data = {
        "grade": "good",
        "market": "fr",
        "battery_health": own.battery_health,
        "warranty_months": own.warranty_months,
        "price": "120.00",
        "stock": own.stock,
        "sku": own.sku,
        "status": "active",
    }
    page = owner_client.post(f"/seller/listings/{own.pk}/", data, follow=True).content.decode()
    assert "71 % below the median" in page
