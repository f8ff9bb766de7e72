"""The three dashboards: who may see them, what each shows (its own scope only), filters, CSV, and a
query count that does not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.services import rollups_refresh_days
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import paid, place
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
CONSOLE = reverse("reporting_console:dashboard")
SELLER = reverse("reporting_seller:dashboard")
PARTNER = reverse("reporting_partner:dashboard")


@pytest.fixture
def sales():
    first, second = SellerFactory().organisation, SellerFactory().organisation
    partner = OrganisationFactory(kind="partner")
    paid((make_listing(seller=first, stock=5, price_amount=12345), 1), buyer=UserFactory())
    paid((make_listing(seller=second, stock=5, price_amount=67890), 1), buyer=UserFactory())
    place((make_listing(seller=second, stock=5, price_amount=11100), 1), partner=partner, partner_reference="P")
    today = timezone.now().date()
    rollups_refresh_days([today - timedelta(days=1), today, today + timedelta(days=1)])
    return {"first": first, "second": second, "partner": partner}


def _staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_the_platform_dashboard_is_for_success_managers_and_finance(client, sales):
    assert client.get(CONSOLE).status_code == 302
    client.force_login(UserFactory())
    assert client.get(CONSOLE).status_code == 403
    client.force_login(_staff("warehouse operators"))
    assert client.get(CONSOLE).status_code == 403
    for group in ("success managers", "finance"):
        client.force_login(_staff(group))
        page = client.get(CONSOLE)
        assert page.status_code == 200, group
        assert "€913.35" in page.content.decode()  # 123.45 + 678.90 + 111.00: every sale


def test_a_seller_sees_its_own_figures_only(client, sales):
    client.force_login(MembershipFactory(organisation=sales["first"], role="staff").user)

    page = client.get(SELLER).content.decode()

    assert "€123.45" in page
    assert "€678.90" not in page
    assert "€913.35" not in page


def test_a_partner_sees_the_orders_it_placed(client, sales):
    client.force_login(MembershipFactory(organisation=sales["partner"], role="owner").user)

    page = client.get(PARTNER).content.decode()

    assert "€111.00" in page
    assert "€123.45" not in page
    assert "Commission" not in page  # the platform's business, not the partner's


def test_filters_and_csv(client, sales):
    client.force_login(_staff("success managers"))
    today = timezone.now().date()

    other_market = client.get(CONSOLE, {"market": "de", "days": "30"}).content.decode()
    wrong = client.get(
        CONSOLE, {"start": today.isoformat(), "end": (today - timedelta(days=3)).isoformat(), "days": "0"}
    )
    csv = client.get(CONSOLE, {"days": "7", "format": "csv"})

    assert "Nothing in this period yet." in other_market
    assert wrong.status_code == 400
    assert "The period starts after it ends." in wrong.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("day,currency,sales_seller_orders,sales_orders")
    assert f"{today.isoformat()},EUR," in csv.content.decode()


def test_the_dashboards_cost_the_same_queries_whatever_the_data(client, sales):
    manager = _staff("success managers")
    client.force_login(manager)
    client.get(CONSOLE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CONSOLE, {"days": "90"}).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        paid((make_listing(stock=1, price_amount=1000), 1), buyer=UserFactory())
    rollups_refresh_days([timezone.now().date()])
    # the session (its user is cached), the role check, the markets of the filter, the rollup state, and
    # the two rollup reads (the days of sales and of trade-ins, the totals their sums): 5, whatever the data
    assert count() == before == 5


def test_the_period_shown_before_any_filter_is_the_one_the_figures_cover(client, sales):
    client.force_login(_staff("success managers"))

    page = client.get(CONSOLE).content.decode()

    assert '<option value="30" selected>' in page
