"""Pages show times in their time zone: the storefront in its market's, back-offices in the person's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.timezones import COOKIE, request_zone

pytestmark = pytest.mark.django_db


def _zone_of(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    marker = 'data-testid="time-zone">'
    assert marker in page, path
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_the_storefront_shows_times_in_its_markets_time_zone():
    client = Client()

    assert _zone_of(client, "/?market=jp") == "Times in Asia/Tokyo"
    assert _zone_of(client, "/?market=us") == "Times in America/New_York"


def test_back_office_pages_show_times_in_the_persons_time_zone_from_the_browser(rf, settings):
    settings.OPERATOR_TIME_ZONE = "Europe/Paris"
    request = rf.get("/seller/")
    assert str(request_zone(request)) == "Europe/Paris"  # before the browser has said

    request = rf.get("/console/", HTTP_COOKIE=f"{COOKIE}=America%2FSao_Paulo")
    assert str(request_zone(request)) == "America/Sao_Paulo"

    request = rf.get("/partner/", HTTP_COOKIE=f"{COOKIE}=Not%2FA_Zone")
    assert str(request_zone(request)) == "Europe/Paris"  # a cookie is the client's word: checked


def test_the_api_stays_in_utc(rf):
    assert request_zone(rf.get("/api/v1/orders/")) is None


def test_the_zone_is_active_only_during_the_request():
    Client().get("/?market=jp")

    assert timezone.get_current_timezone_name() == "UTC"
