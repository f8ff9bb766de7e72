"""Webhook fixtures: an endpoint of a partner, events in its outbox, and a way to run the pipeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from marketplace.actors import Actor
from marketplace.events import emit
from marketplace.models import Event, Organisation
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.services.delivery import delivery_attempt
from partners.services.endpoints import webhook_endpoint_create
from partners.services.relay import events_relay

SYSTEM = Actor.system("tests")


@pytest.fixture
def make_endpoint() -> Callable[..., tuple[WebhookEndpoint, str]]:
    def make(organisation: Organisation, url: str, events: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
        return webhook_endpoint_create(organisation=organisation, url=url, events=events or ["*"], actor=SYSTEM)

    return make


def emit_committed(event_type: str, data: dict, organisation: Organisation | None) -> Event:
    with transaction.atomic():
        return emit(event_type, data, organisation)


def deliver_all() -> list[WebhookDelivery]:
    """Relay the outbox, then make one attempt of every due delivery (in the test's process)."""
    events_relay()
    deliveries = list(WebhookDelivery.objects.filter(status__in=["pending", "retrying"]).order_by("id"))
    for delivery in deliveries:
        delivery_attempt(delivery_id=delivery.pk)
    return list(WebhookDelivery.objects.order_by("id"))
