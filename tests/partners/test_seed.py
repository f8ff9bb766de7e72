"""The partners' demo data: Telco One with orders on invoice, two endpoints, deliveries in every status."""

from __future__ import annotations

import pytest

from marketplace import seed as kernel_seed
from marketplace.models import Organisation
from orders.models import Order
from partners import seed
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.states import DisabledReason
from tests.factories.catalog import make_listing

pytestmark = pytest.mark.django_db


def test_the_demo_partner_gets_deliveries_in_every_status_once():
    kernel_seed.seed(scale="demo", log=lambda message: None)
    for n in range(3):
        make_listing(stock=5, sku=f"DEMO-{n}")
    partner = Organisation.objects.get(slug="telco-one")

    seed.seed_after(scale="demo", log=lambda message: None)
    counts = (Order.objects.count(), WebhookEndpoint.objects.count(), WebhookDelivery.objects.count())
    seed.seed_after(scale="demo", log=lambda message: None)

    assert (Order.objects.count(), WebhookEndpoint.objects.count(), WebhookDelivery.objects.count()) == counts
    assert Order.objects.filter(partner=partner).count() == 3
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        "pending",
        "retrying",
        "succeeded",
        "failed",
    }
    legacy = WebhookEndpoint.objects.get(description="Legacy CRM")
    assert (legacy.enabled, legacy.disabled_reason) == (False, DisabledReason.GONE)
    assert partner.api_keys.count() == 1


def test_under_production_settings_the_demo_partner_gets_no_local_endpoints(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False  # as the benches seed: https and public addresses only
    kernel_seed.seed(scale="demo", log=lambda message: None)
    logged: list[str] = []

    seed.seed_after(scale="demo", log=logged.append)

    assert WebhookEndpoint.objects.count() == 0
    assert Order.objects.count() == 0
    assert "WEBHOOKS_ALLOW_PRIVATE_URLS is off" in logged[-1]
