"""Isolation over every storefront account route of trade-in (My devices, a guarantee's redemption, the
trade-ins and their documents) and the console's dashboard, found from the URL conf: anonymous is sent
to log in; another shopper gets 404 for every object and changes nothing, and sees nothing of the
owner's in the lists; the owner reaches them. Console: anonymous to log in, a shopper 403, a success
manager in. A new account route is covered without a change here."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from orders.models import BuybackGuarantee
from orders.services.buyback import buyback_guarantees_take
from tests.factories import UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, paid
from tests.factories.tradein import FAIR, LIKE_NEW, grid, inspected, wiped
from tradein.models import TradeIn

pytestmark = pytest.mark.django_db


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            found.append((route, f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")))
    return found


def account_routes() -> list[tuple[str, str]]:
    return sorted(
        (route, name) for route, name in _routes(get_resolver()) if name.startswith("tradein:") and "account/" in route
    )


def console_routes() -> list[tuple[str, str]]:
    return sorted((route, name) for route, name in _routes(get_resolver()) if name.startswith("reporting_console:"))


@pytest.fixture
def world():
    shopper = UserFactory(full_name="Chloé Owner")
    listing = make_listing(stock=1, price_amount=40000)
    grid(listing.variant)
    order = paid((listing, 1), buyer=shopper)
    buyback_guarantees_take(order=order, lines=list(order.seller_orders.get().lines.all()))
    delivered(order.seller_orders.get())
    guarantee = BuybackGuarantee.objects.get()
    # The owner's trade-ins: one paid with its certificate, one with a counter-offer to answer.
    done = wiped(inspected(owner=shopper, variant=listing.variant, n=1))
    countered = inspected(owner=shopper, variant=listing.variant, actual=FAIR, n=2, answers=LIKE_NEW)
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    return {"shopper": shopper, "manager": manager, "guarantee": guarantee, "done": done, "countered": countered}


def _url(route: str, name: str, world: dict) -> str:
    tradein = world["countered"] if "counter_offer" in name or "label" in name else world["done"]
    url = "/" + route
    return url.replace("<int:pk>", str(world["guarantee"].pk)).replace("<str:reference>", tradein.reference)


def _state(world: dict) -> tuple:
    return (
        tuple(TradeIn.objects.order_by("pk").values_list("status", flat=True)),
        BuybackGuarantee.objects.get().status,
    )


def test_the_new_routes_are_in_the_matrix():
    names = {name for _, name in account_routes()}
    assert {"tradein:account_devices", "tradein:guarantee_redeem"} <= names
    assert {name for _, name in console_routes()} == {"reporting_console:dashboard"}


@pytest.mark.parametrize(("route", "name"), account_routes())
def test_account_routes(world, route, name):
    url = _url(route, name, world)
    assert Client().get(url)["Location"].startswith("/accounts/login/"), url
    stranger = Client()
    stranger.force_login(UserFactory())
    before = _state(world)
    form = {"decision": "accept", "liquid_damage": "no", **LIKE_NEW}
    for method in ("get", "post"):
        response = getattr(stranger, method)(url, form)
        if "<" in route:  # an object of the owner's: another's is a plain 404
            assert response.status_code in (404, 405), (method, url, response.status_code)
        else:  # a list: the stranger's own, nothing of the owner's
            assert response.status_code in (200, 405), (method, url, response.status_code)
            body = response.content.decode()
            assert world["done"].reference not in body, url
            assert world["countered"].reference not in body, url
            assert f"guarantee-{world['guarantee'].pk}" not in body, url
    assert _state(world) == before, url
    owner = Client()
    owner.force_login(world["shopper"])
    expected = (200, 302, 405) if "return_label" not in name else (404,)  # nothing sent back: no label yet
    assert owner.get(url).status_code in expected, url


@pytest.mark.parametrize(("route", "name"), console_routes())
def test_console_routes(world, route, name):
    url = "/" + route
    anonymous = Client().get(url)
    assert anonymous.status_code == 302, url
    assert anonymous["Location"].startswith("/accounts/login/"), url
    shopper = Client()
    shopper.force_login(world["shopper"])
    assert shopper.get(url).status_code == 403, url
    manager = Client()
    manager.force_login(world["manager"])
    assert manager.get(url).status_code in (200, 302), url
