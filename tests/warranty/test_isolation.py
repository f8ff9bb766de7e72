"""Isolation over every storefront and console after-sales route, found from the URL conf (the seller routes
are in tests/sellers/test_isolation_matrix.py, the partner ones in tests/partners/test_isolation_matrix.py).

Shopper routes: anonymous is sent to log in; another shopper gets 404 for every object and changes
nothing; the owner reaches them. Console routes: anonymous to log in, a shopper 403, a success manager in.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory
from tests.factories.orders import SYSTEM
from tests.factories.warranty import delivered_units, jpeg, open_claim
from warranty.models import Claim, Return, Review, ReviewReport
from warranty.services.claims import Claimant
from warranty.services.returns import return_open
from warranty.services.reviews import review_submit

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


def routes(namespace: str) -> list[tuple[str, str]]:
    return sorted((route, name) for route, name in _routes(get_resolver()) if name.startswith(f"{namespace}:"))


# Open to anyone (with their own checks): the public reviews, reporting (login asked on POST), the carrier's endpoint.
PUBLIC = {"warranty:seller_reviews", "warranty:review_report", "warranty:carrier_events"}


@pytest.fixture
def world(shopper, private_media, settings):
    warranties = delivered_units(shopper, quantity=2)
    claim = open_claim(warranties[0], photos=[jpeg()])
    ret = return_open(
        seller_order=warranties[1].line.seller_order,
        units=[warranties[1].unit],
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=SYSTEM,
    )
    review = review_submit(
        line=warranties[0].line, shopper=shopper, seller_stars=5, unit_stars=5, text="A-SECRET", actor=SYSTEM
    )
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    values = {
        "warranty_id": warranties[0].pk,
        "pk": claim.pk,
        "photo": claim.photos.get().pk,
        "number": warranties[0].line.seller_order.order.number,
        "seller_order_id": warranties[0].line.seller_order_id,
        "line_id": warranties[0].line_id,
        "slug": warranties[0].seller.slug,
        "action": "message",
    }
    return {"shopper": shopper, "manager": manager, "claim": claim, "return": ret, "review": review, "values": values}


def _url(route: str, name: str, world: dict) -> str:
    values = dict(world["values"])
    if "return" in name:
        values["pk"] = world["return"].pk
    if name in ("warranty:review_report", "console_warranty:review_moderate"):
        values["pk"] = world["review"].pk
    url = "/" + route
    for key, value in values.items():
        for converter in ("int", "str", "slug"):
            url = url.replace(f"<{converter}:{key}>", str(value))
    return url


def _state(world: dict) -> tuple:
    claim = Claim.objects.get(pk=world["claim"].pk)
    return (
        claim.status,
        claim.messages.count(),
        Return.objects.get(pk=world["return"].pk).status,
        Review.objects.count(),
        ReviewReport.objects.count(),
    )


@pytest.mark.parametrize(("route", "name"), routes("warranty"))
def test_shopper_routes(world, route, name):
    url = _url(route, name, world)
    if name in PUBLIC:
        assert Client().get(url).status_code in (200, 405), url
        return
    assert Client().get(url)["Location"].startswith("/accounts/login/"), url
    stranger = Client()
    stranger.force_login(UserFactory())
    before = _state(world)
    for method in ("get", "post"):
        response = getattr(stranger, method)(
            url, {"message": "x", "reason": "changed_mind", "seller_stars": 5, "unit_stars": 5}
        )
        if "<" in route:  # an object of the shopper's: another's is a plain 404
            assert response.status_code in (404, 405), (method, url, response.status_code)
        else:  # a list: the stranger's own, nothing of the shopper's
            assert response.status_code in (200, 405), (method, url, response.status_code)
            body = response.content.decode()
            assert world["claim"].identifier not in body, url
            assert world["claim"].reference not in body, url
    assert _state(world) == before, url
    owner = Client()
    owner.force_login(world["shopper"])
    assert owner.get(url).status_code in (200, 302, 405), url


@pytest.mark.parametrize(("route", "name"), routes("console_warranty"))
def test_console_routes(world, route, name):
    url = _url(route, name, world)
    anonymous = Client().post(url)
    assert anonymous.status_code == 302, url
    assert anonymous["Location"].startswith("/accounts/login/"), url
    shopper = Client()
    shopper.force_login(world["shopper"])
    before = _state(world)
    assert shopper.get(url).status_code in (403, 405), url  # POST-only views answer GET with 405 first
    assert shopper.post(url, {"decision": "hide", "reason": "x"}).status_code == 403, url
    assert _state(world) == before, url
    manager = Client()
    manager.force_login(world["manager"])
    assert manager.get(url).status_code in (200, 302, 405), url
