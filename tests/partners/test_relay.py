"""The relay: committed outbox events become deliveries once, routed to their own organisation only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from marketplace.events import emit
from marketplace.models import Event, Organisation, OrganisationKind
from partners.models import WebhookDelivery
from partners.services.relay import events_relay, events_relay_batch
from partners.tasks import RELAY_PENDING_KEY, webhook_relay_nudge
from tests.factories import OrganisationFactory
from tests.partners.conftest import emit_committed

URL = "http://127.0.0.1:9/hook"  # never contacted here: these tests stop at the relay


@pytest.mark.django_db
def test_each_event_reaches_the_matching_endpoints_of_its_own_organisation_only(partner_org, make_endpoint):
    other = OrganisationFactory(kind=OrganisationKind.PARTNER)
    seller = OrganisationFactory(kind=OrganisationKind.SELLER)
    everything, _ = make_endpoint(partner_org, URL)
    paid_only, _ = make_endpoint(partner_org, URL + "/paid", ["order.paid"])
    others, _ = make_endpoint(other, URL + "/other")
    sellers, _ = make_endpoint(seller, URL + "/seller", ["listing.paused"])
    paid = emit_committed("order.paid", {"order": "E1"}, partner_org)
    shipped = emit_committed("order.shipped", {"order": "E1"}, partner_org)
    paused = emit_committed("listing.paused", {"listing": 1}, seller)
    emit_committed("order.paid", {"order": "nobody's"}, None)

    relayed = events_relay()

    assert relayed.events == 4
    routed = set(WebhookDelivery.objects.values_list("endpoint_id", "event_id"))
    assert routed == {
        (everything.pk, paid.pk),
        (everything.pk, shipped.pk),
        (paid_only.pk, paid.pk),
        (sellers.pk, paused.pk),
    }
    assert not WebhookDelivery.objects.filter(endpoint=others).exists()
    assert not Event.objects.filter(relayed_at__isnull=True).exists()


@pytest.mark.django_db
def test_relaying_again_adds_nothing_and_later_endpoints_get_no_earlier_events(partner_org, make_endpoint):
    make_endpoint(partner_org, URL)
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    events_relay()
    make_endpoint(partner_org, URL + "/late")

    assert events_relay().events == 0
    Event.objects.update(relayed_at=None)  # as if a relay died after creating the deliveries
    events_relay()

    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_disabled_endpoints_and_unsubscribed_types_get_nothing(partner_org, make_endpoint):
    from partners.services.endpoints import webhook_endpoint_update
    from tests.partners.conftest import SYSTEM

    endpoint, _ = make_endpoint(partner_org, URL)
    make_endpoint(partner_org, URL + "/claims", ["claim.opened"])
    webhook_endpoint_update(endpoint=endpoint, actor=SYSTEM, enabled=False)
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    events_relay()

    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_change_sends_nothing(partner_org, make_endpoint):
    make_endpoint(partner_org, URL)

    def change_that_fails() -> None:
        with transaction.atomic():
            emit("order.paid", {"order": "rolled back"}, partner_org)
            raise RuntimeError("the change fails after its event was written")

    with pytest.raises(RuntimeError):
        change_that_fails()
    events_relay()

    assert Event.objects.filter(data__order="rolled back").count() == 0
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_event_committed_by_a_process_that_dies_before_its_nudge_is_relayed_by_the_sweep(partner_org, make_endpoint):
    """The commit happens, the after-commit nudge never runs (the process is gone): the sweep finds it."""
    make_endpoint(partner_org, URL)
    partner_org.refresh_from_db()
    assert partner_org.receives_webhooks

    with transaction.atomic():
        emit("order.paid", {"order": "E-crash"}, partner_org)
        connection.run_on_commit.clear()  # what a kill -9 right after COMMIT amounts to: no callback runs

    assert Event.objects.get(data__order="E-crash").relayed_at is None
    from partners.tasks import webhook_relay_task

    assert webhook_relay_task() == 1  # the beat sweep
    assert WebhookDelivery.objects.filter(event__data__order="E-crash").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_relays_at_once_relay_each_event_once(partner_org, make_endpoint):
    make_endpoint(partner_org, URL)
    with transaction.atomic():
        for n in range(300):
            emit("order.paid", {"order": f"E{n}"}, partner_org)
    barrier = threading.Barrier(2)
    results: list[tuple[int, int]] = []

    def relay() -> None:
        try:
            barrier.wait()
            while True:
                events, deliveries = events_relay_batch(batch_size=25)
                results.append((events, deliveries))
                if events == 0:
                    break
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(events for events, _ in results) == 300
    assert WebhookDelivery.objects.count() == 300
    assert not Event.objects.filter(relayed_at__isnull=True).exists()


@pytest.mark.django_db
def test_emitting_for_an_organisation_with_webhooks_nudges_the_relay_once_after_commit(
    partner_org, make_endpoint, django_capture_on_commit_callbacks, monkeypatch
):
    make_endpoint(partner_org, URL)
    organisation = Organisation.objects.get(pk=partner_org.pk)
    sent: list[str] = []
    monkeypatch.setattr("partners.tasks.webhook_relay_task.delay", lambda: sent.append("relay"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        emit("order.paid", {"order": "E1"}, organisation)
        emit("order.shipped", {"order": "E1"}, organisation)

    assert len(callbacks) == 1
    assert sent == ["relay"]


@pytest.mark.django_db
def test_no_nudge_for_organisations_without_webhooks(partner_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        emit("order.paid", {"order": "E1"}, partner_org)

    assert callbacks == []


@pytest.mark.django_db
def test_nudges_while_a_relay_run_is_queued_send_no_second_one(monkeypatch):
    from django.core.cache import cache

    sent: list[str] = []
    monkeypatch.setattr("partners.tasks.webhook_relay_task.delay", lambda: sent.append("relay"))

    webhook_relay_nudge()
    webhook_relay_nudge()
    assert sent == ["relay"]
    cache.delete(RELAY_PENDING_KEY)  # what the run does first
    webhook_relay_nudge()
    assert sent == ["relay", "relay"]
