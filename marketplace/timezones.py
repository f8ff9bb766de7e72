"""Which time zone a page shows its dates and times in: never a bare UTC time.

- The storefront: the market the shopper shops in (its `time_zone`), resolved by the catalog, which
  registers its resolver here in `AppConfig.ready()` (the kernel never imports the catalog).
- The seller back-office, the success console, the partner back-office and the admin: the person's own
  time zone, which the browser reports in the `encore_tz` cookie (static/js/timezone.js, on every
  page); until it has, the operator's (`OPERATOR_TIME_ZONE`). The layouts name the zone in use.
- The API: UTC, in ISO 8601 with its offset (API.md).

Stored timestamps stay aware and UTC; only their display is localised, by Django's `localtime`.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

COOKIE = "encore_tz"
PERSONAL_PREFIXES = ("/seller/", "/console/", "/partner/", "/admin/")
UTC_PREFIXES = ("/api/", "/healthz")

Resolver = Callable[[HttpRequest], str | None]
_storefront: list[Resolver] = []


def register_storefront_resolver(resolver: Resolver) -> None:
    """The storefront's time zone for a request (the catalog's market). Registered once per process."""
    if resolver not in _storefront:
        _storefront.append(resolver)


def zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called `name`, or None when it is not one (a cookie is the client's word)."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def personal_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """The person's time zone (the browser's, from the cookie), else the operator's."""
    return zone(unquote(request.COOKIES.get(COOKIE, ""))) or zoneinfo.ZoneInfo(settings.OPERATOR_TIME_ZONE)


def request_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    path = request.path
    if path.startswith(UTC_PREFIXES):
        return None
    if path.startswith(PERSONAL_PREFIXES):
        return personal_zone(request)
    for resolver in _storefront:
        found = zone(resolver(request))
        if found is not None:
            return found
    return personal_zone(request)


class TimeZoneMiddleware:
    """Activate the page's time zone for the request (and only for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = request_zone(request)
        if found is None:
            timezone.deactivate()
        else:
            timezone.activate(found)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
