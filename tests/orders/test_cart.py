"""Cart services: quantities bounded by stock, merge at login, unavailable offers."""

from __future__ import annotations

import pytest

from catalog.models import Listing
from marketplace.errors import ApplicationError, ErrorCode
from orders.models import Cart, CartLine
from orders.services.cart import cart_add, cart_for_user, cart_merge, cart_set_quantity

pytestmark = pytest.mark.django_db


def test_quantities_are_bounded_by_stock(shopper):
    from tests.factories.catalog import make_listing

    listing = make_listing(stock=3)
    cart = cart_for_user(user=shopper)
    assert cart_add(cart=cart, listing_id=listing.pk, quantity=2) == 2
    assert cart_add(cart=cart, listing_id=listing.pk, quantity=5) == 3
    with pytest.raises(ApplicationError) as error:
        cart_add(cart=cart, listing_id=listing.pk)
    assert error.value.code == ErrorCode.OUT_OF_STOCK
    assert CartLine.objects.get().quantity == 3
    line = CartLine.objects.get()
    assert cart_set_quantity(cart=cart, line_id=line.pk, quantity=9).quantity == 3
    assert cart_set_quantity(cart=cart, line_id=line.pk, quantity=0) is None
    assert not CartLine.objects.exists()


def test_an_unavailable_offer_cannot_be_added(shopper):
    from tests.factories.catalog import make_listing

    listing = make_listing(stock=1)
    Listing.objects.filter(pk=listing.pk).update(stock=0)
    with pytest.raises(ApplicationError) as error:
        cart_add(cart=cart_for_user(user=shopper), listing_id=listing.pk)
    assert error.value.code == ErrorCode.OFFER_UNAVAILABLE


def test_an_id_no_listing_can_have_is_unavailable_not_a_server_error(shopper, client):
    with pytest.raises(ApplicationError) as error:
        cart_add(cart=cart_for_user(user=shopper), listing_id=10**20)  # beyond a bigint
    assert error.value.code == ErrorCode.OFFER_UNAVAILABLE
    client.force_login(shopper)
    response = client.post("/cart/add/", {"listing": str(10**20)})
    assert response.status_code == 302  # back to the cart, with the message
    assert not CartLine.objects.exists()


def test_an_account_adds_to_its_cart_found_in_the_same_statement(shopper, django_assert_num_queries):
    from orders.cart_count import cart_count_get
    from orders.services.cart import cart_add_for_user
    from tests.factories.catalog import make_listing

    first, second = make_listing(stock=3), make_listing(stock=1)
    assert not Cart.objects.filter(user=shopper).exists()
    assert cart_add_for_user(user=shopper, listing_id=first.pk, quantity=2) == 2  # the cart made on first use
    assert cart_count_get(user_id=shopper.pk, cart_id=None) == 2

    with django_assert_num_queries(1):
        assert cart_add_for_user(user=shopper, listing_id=first.pk, quantity=5) == 3  # bounded by the stock
    cart_add_for_user(user=shopper, listing_id=second.pk)
    with pytest.raises(ApplicationError) as full:
        cart_add_for_user(user=shopper, listing_id=second.pk)
    Listing.objects.filter(pk=first.pk).update(status="paused")
    with pytest.raises(ApplicationError) as gone:
        cart_add_for_user(user=shopper, listing_id=first.pk)

    assert (full.value.code, gone.value.code) == (ErrorCode.OUT_OF_STOCK, ErrorCode.OFFER_UNAVAILABLE)
    cart = Cart.objects.get(user=shopper)
    assert sorted(cart.lines.values_list("listing_id", "quantity")) == sorted([(first.pk, 3), (second.pk, 1)])
    assert cart_count_get(user_id=shopper.pk, cart_id=None) == 4  # the header counted again after each add


def test_merging_adds_quantities_within_stock(shopper):
    from tests.factories.catalog import make_listing

    shared, only_anonymous = make_listing(stock=2), make_listing(stock=5)
    account = cart_for_user(user=shopper)
    cart_add(cart=account, listing_id=shared.pk)
    anonymous = Cart.objects.create()
    cart_add(cart=anonymous, listing_id=shared.pk, quantity=2)
    cart_add(cart=anonymous, listing_id=only_anonymous.pk, quantity=1)
    cart_merge(source=anonymous, target=account)
    assert dict(account.lines.values_list("listing_id", "quantity")) == {shared.pk: 2, only_anonymous.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_abandoned_anonymous_carts_are_purged(shopper):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services.cart import carts_purge_abandoned

    old = Cart.objects.create(created_at=timezone.now() - timedelta(days=31))
    recent = Cart.objects.create()
    mine = cart_for_user(user=shopper)
    Cart.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(days=90))
    assert carts_purge_abandoned() == 1
    assert set(Cart.objects.values_list("pk", flat=True)) == {recent.pk, mine.pk}
    assert not Cart.objects.filter(pk=old.pk).exists()
