"""The query count of a partner page or list endpoint does not grow with its rows."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory
from tests.partners.conftest import deliver_all, emit_committed
from tests.partners.test_backoffice import partner_order

pytestmark = pytest.mark.django_db


def _deliveries(httpserver, organisation, count: int) -> None:
    for n in range(count):
        emit_committed("order.paid", {"order": f"E{n}"}, organisation)
    deliver_all()


@pytest.fixture
def endpoint(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    return make_endpoint(partner_org, httpserver.url_for("/hook"))[0]


def test_the_delivery_log_page_and_endpoint_list(
    client, httpserver, partner_org, endpoint, django_assert_max_num_queries
):
    client.force_login(MembershipFactory(organisation=partner_org).user)
    _deliveries(httpserver, partner_org, 2)
    with django_assert_max_num_queries(16) as few:
        client.get(f"/partner/webhooks/{endpoint.pk}/")
    _deliveries(httpserver, partner_org, 4)
    with django_assert_max_num_queries(len(few)):
        page = client.get(f"/partner/webhooks/{endpoint.pk}/").content.decode()
    assert page.count('class="delivery-row"') == 6
    with django_assert_max_num_queries(12):
        client.get("/partner/webhooks/")
    with django_assert_max_num_queries(16):
        client.get("/partner/")


def test_the_deliveries_api_list(key_client, httpserver, partner_org, endpoint, django_assert_max_num_queries):
    client = key_client(partner_org, ["webhooks:write"])
    _deliveries(httpserver, partner_org, 2)
    with django_assert_max_num_queries(10) as few:
        assert len(client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/").json()["results"]) == 2
    _deliveries(httpserver, partner_org, 3)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/").json()["results"]) == 5
    with django_assert_max_num_queries(8):
        client.get("/api/v1/webhook-endpoints/")


def test_the_partner_orders_page_and_api_list(client, key_client, partner_org, django_assert_max_num_queries):
    client.force_login(MembershipFactory(organisation=partner_org).user)
    api = key_client(partner_org, ["orders:read"])
    for _ in range(2):
        partner_order(partner_org)
    with django_assert_max_num_queries(16) as page:
        client.get("/partner/orders/")
    with django_assert_max_num_queries(14) as listing:
        assert len(api.get("/api/v1/orders/").json()["results"]) == 2
    for _ in range(3):
        partner_order(partner_org)
    with django_assert_max_num_queries(len(page)):
        client.get("/partner/orders/")
    with django_assert_max_num_queries(len(listing)):
        assert len(api.get("/api/v1/orders/").json()["results"]) == 5
