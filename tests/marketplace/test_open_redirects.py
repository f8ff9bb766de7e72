"""Open redirects: every view that follows a `next` the request carries (log-in, log-out, sign-up, the
language and market switches, the seller's bulk actions) stays on an allowed host with evil URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import make_listing

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.test/",
    "//evil.test/",
    "///evil.test/",
    "/\\evil.test/",
    "\\\\evil.test",
    "https:/evil.test",
    "http:evil.test",
    " //evil.test",
    "https://testserver@evil.test/",
    "https://evil.test\\@testserver/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.test",
]


def assert_stays_here(response, what: str) -> None:
    assert response.status_code in (301, 302, 303), (what, response.status_code)
    location = response["Location"]
    parts = urlsplit(location.replace("\\", "/"))
    assert parts.scheme in ("", "http", "https"), (what, location)
    assert parts.netloc in ("", *settings.ALLOWED_HOSTS), (what, location)
    assert not location.lstrip().startswith(("//", "/\\", "\\")), (what, location)


@pytest.mark.parametrize("evil", EVIL)
def test_login_and_logout_never_send_anyone_off_site(evil):
    user = UserFactory()
    client = Client()

    assert_stays_here(
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD, "next": evil}), "login"
    )
    assert_stays_here(
        client.post(f"/accounts/login/?next={evil}", {"login": user.email, "password": PASSWORD}), "login?"
    )
    assert_stays_here(client.get(f"/accounts/login/?next={evil}"), "login when logged in")
    assert_stays_here(client.post("/accounts/logout/", {"next": evil}), "logout")


@pytest.mark.parametrize("evil", EVIL)
def test_language_and_market_switches_never_send_anyone_off_site(client, evil):
    assert_stays_here(client.post("/i18n/setlang/", {"language": "de", "next": evil}), "language")
    assert_stays_here(client.post("/market/", {"market": "DE", "next": evil}), "market")


@pytest.mark.parametrize("evil", EVIL)
def test_the_sellers_bulk_action_never_sends_anyone_off_site(client, seller_owner, seller_org, evil):
    listing = make_listing(seller=seller_org)
    client.force_login(seller_owner)

    response = client.post("/seller/listings/bulk/", {"action": "pause", "ids": [listing.pk], "next": evil})

    assert_stays_here(response, "bulk")


def test_a_safe_next_is_still_followed(client, seller_owner, seller_org):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD, "next": "/cart/"})
    assert response["Location"] == "/cart/"
    assert client.post("/i18n/setlang/", {"language": "de", "next": "/de-page/"})["Location"] == "/de-page/"
