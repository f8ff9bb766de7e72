"""Cursor pagination: {"results", "next"}, page_size up to 100, no OFFSET."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import api_key_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.marketplace.urls")]


def test_walks_every_row_once_with_next_links(seller_org, key_client):
    for _ in range(6):
        api_key_for(seller_org, ["orders:read"])
    client = key_client(seller_org, ["orders:read"])  # 7 keys in all

    seen, url, pages = [], "/api/v1/test/keys/?page_size=3", 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"results", "next"}
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def test_page_size_is_capped_at_100(seller_org, key_client):
    client = key_client(seller_org, ["orders:read"])

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/test/keys/?page_size=1000")

    listing = [q["sql"] for q in queries.captured_queries if 'FROM "marketplace_apikey"' in q["sql"]]
    assert any("LIMIT 101" in sql for sql in listing)
    assert not any("OFFSET" in sql for sql in listing)


def test_default_page_size_is_25(seller_org, key_client):
    for _ in range(30):
        api_key_for(seller_org, ["orders:read"])
    client = key_client(seller_org, ["orders:read"])

    body = client.get("/api/v1/test/keys/").json()

    assert len(body["results"]) == 25
    assert body["next"] is not None


def test_markets_endpoint_is_public_and_paginated(api_client):
    body = api_client.get("/api/v1/markets/").json()

    assert [m["code"] for m in body["results"]] == ["fr", "de", "es", "it", "be", "gb", "us", "jp"]
    assert body["next"] is None
    assert body["results"][-1] == {
        "code": "jp",
        "country": "Japan",
        "currency": "JPY",
        "language": "ja",
        "languages": ["ja"],
        "time_zone": "Asia/Tokyo",
        "vat_rate_basis_points": 1000,
    }
