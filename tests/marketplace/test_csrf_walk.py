"""CSRF on every unsafe session endpoint, found from the URL conf; the session key rotates at login.

For each route a logged-in browser could POST to, a POST without the CSRF token is refused (403) before
the view acts. The only exceptions are endpoints authenticated by a signature instead of a session
(payment provider, carrier scans), listed by name below: a new unsafe route gets CSRF or a reason here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Signed endpoints: their caller proves itself by an HMAC signature, not a session cookie.
SIGNED = {
    "orders:stripe_webhook",
    "carrier_events",
    "api-carrier-events",
    "tradein:carrier_events",
    "warranty:carrier_events",
}


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            found.append((route, f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")))
    return found


def _concrete(route: str) -> str:
    """A URL for a route pattern, with placeholder values (CSRF is checked before any lookup)."""
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route)  # regex routes (allauth's keys)
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<(?:str|slug|uuid|path):[^>]+>|<[^>]+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path.lstrip("/")


def unsafe_candidates() -> list[tuple[str, str]]:
    return sorted(
        (route, name)
        for route, name in _routes(get_resolver())
        if not route.startswith(("admin/", "static/", "media/")) and name not in SIGNED
    )


def test_every_unsafe_session_endpoint_refuses_a_post_without_the_csrf_token():
    user = UserFactory(is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    unprotected = []
    for route, name in unsafe_candidates():
        url = _concrete(route)
        if url.startswith("/api/"):  # what a forged cross-site request to the API would have to send
            response = client.post(url, "{}", content_type="application/json")
        else:
            response = client.post(url, {"x": "1"})
        if response.status_code in (404, 405) and b"CSRF" not in response.content:
            continue  # nothing to post to there (a page that only reads, or no such object)
        if response.status_code != 403:
            unprotected.append((name, url, response.status_code))
    assert unprotected == [], "\n".join(map(str, unprotected))


def test_the_session_key_rotates_at_login_so_a_planted_session_is_worthless(client):
    user = UserFactory()
    client.get("/accounts/login/")
    before = client.session.session_key or client.cookies.get("sessionid").value

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before
