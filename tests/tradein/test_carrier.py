"""Carrier scans of trade-in parcels through Encore's one signed carrier-events endpoint, with real
signatures: a delivery scan receives the trade-in (at the scan's time); a wrong secret, a stale
timestamp or a replay changes nothing; scans that find the trade-in in another state are noted,
never an error for the carrier."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from marketplace.models import AuditEvent, Event
from marketplace.signatures import signature_header
from tests.factories import UserFactory
from tests.factories.tradein import FAIR, SYSTEM, accepted, inspected
from tradein.services.counter_offers import counter_offer_decline
from tradein.services.quotes import tradeins_expire_unsent
from tradein.services.warehouse import tradein_receive
from tradein.states import TradeInStatus

pytestmark = pytest.mark.django_db
SECRET = "carrier-secret-1"
URL = reverse("warranty:carrier_events")


@pytest.fixture(autouse=True)
def _carrier_secret(settings):
    settings.CARRIER_WEBHOOK_SECRETS = [SECRET]


def _post(client, events, *, secret: str = SECRET, timestamp: int | None = None):
    body = json.dumps(events).encode()
    header = signature_header(secrets=[secret], body=body, timestamp=timestamp)
    return client.post(URL, data=body, content_type="application/json", HTTP_ENCORE_CARRIER_SIGNATURE=header)


def _event(tracking_number: str, status: str = "delivered", *, event_id: str = "evt-1", at: datetime | None = None):
    at = at or timezone.now() - timedelta(minutes=5)
    return {"id": event_id, "tracking_number": tracking_number, "status": status, "occurred_at": at.isoformat()}


def _notes(tradein) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(tradein)), object_id=str(tradein.pk), to_status=""
        )
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_a_signed_delivery_scan_receives_the_trade_in_at_the_scan_time(client, django_capture_on_commit_callbacks):
    tradein = accepted(owner=UserFactory())
    at = timezone.now().astimezone(UTC).replace(microsecond=0) - timedelta(hours=2)

    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, _event(tradein.tracking_number.lower(), at=at))

    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1, "recorded": 1}
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.RECEIVED
    assert tradein.received_at == at
    assert Event.objects.filter(type="tradein.received").count() == 1
    assert len(callbacks) == 1  # the owner's "received" e-mail


def test_a_pickup_scan_is_noted_and_moves_nothing(client):
    tradein = accepted(owner=UserFactory())

    response = _post(client, _event(tradein.tracking_number, "in_transit"))

    assert response.status_code == 200
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.ACCEPTED
    assert len(_notes(tradein)) == 1
    assert _notes(tradein)[0].startswith("carrier: picked up ")


def test_a_wrong_secret_is_refused_and_changes_nothing(client):
    tradein = accepted(owner=UserFactory())

    response = _post(client, _event(tradein.tracking_number), secret="not-the-carrier")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("signature-invalid")
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.ACCEPTED


def test_a_stale_signature_is_refused_as_a_replay(client):
    tradein = accepted(owner=UserFactory())

    response = _post(client, _event(tradein.tracking_number), timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert response.json()["type"].endswith("signature-invalid")
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.ACCEPTED


def test_a_replayed_event_changes_nothing_twice(client):
    tradein = accepted(owner=UserFactory())
    event = _event(tradein.tracking_number)
    body = json.dumps(event).encode()
    header = signature_header(secrets=[SECRET], body=body)

    first = client.post(URL, data=body, content_type="application/json", HTTP_ENCORE_CARRIER_SIGNATURE=header)
    replay = client.post(URL, data=body, content_type="application/json", HTTP_ENCORE_CARRIER_SIGNATURE=header)

    assert first.json() == {"received": 1, "recorded": 1}
    assert replay.status_code == 200
    assert replay.json() == {"received": 1, "recorded": 0}
    assert Event.objects.filter(type="tradein.received").count() == 1
    assert _notes(tradein) == []


def test_a_parcel_already_received_at_the_intake_station_is_noted_not_refused(client):
    tradein = tradein_receive(tradein=accepted(owner=UserFactory()), actor=SYSTEM)
    other = accepted(owner=UserFactory())

    response = _post(
        client,
        {"events": [_event(tradein.tracking_number, event_id="e-a"), _event(other.tracking_number, event_id="e-b")]},
    )

    assert response.status_code == 200
    assert response.json() == {"received": 2, "recorded": 2}
    tradein.refresh_from_db()
    other.refresh_from_db()
    assert (tradein.status, other.status) == (TradeInStatus.RECEIVED, TradeInStatus.RECEIVED)
    assert "the trade-in being received (nothing moved)" in _notes(tradein)[0]


def test_the_parcel_of_an_expired_trade_in_moves_nothing(client):
    tradein = accepted(owner=UserFactory())
    tradeins_expire_unsent(now=timezone.now() + timedelta(days=22))

    response = _post(client, _event(tradein.tracking_number))

    assert response.status_code == 200
    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.EXPIRED
    assert "the trade-in being expired (nothing moved)" in _notes(tradein)[0]


def test_the_return_parcel_of_a_declined_counter_offer_is_followed(client):
    tradein = counter_offer_decline(tradein=inspected(owner=UserFactory(), actual=FAIR), actor=SYSTEM)
    tracking_number = tradein.counter_offer.return_tracking_number

    response = _post(client, _event(tracking_number))

    assert response.status_code == 200
    assert _notes(tradein)[-1].startswith("carrier: device sent back delivered to its owner ")
