"""Demo data for the partner back-office: Telco One (the kernel's demo partner, owner
partner@encore.test) with orders placed on its invoice, an API key, two webhook endpoints and
deliveries in every status.

`seed_after` runs once the demo catalog exists: three partner orders are placed through the real
checkout (paid on invoice, so `order.paid` events reach the outbox), then relayed by the real relay.
The deliveries' outcomes are written as a worker would have recorded them (a 200, a 500 and a
timeout being retried, a delivery given up after 3 days, one still pending); the second endpoint
answered 410 and was disabled. The endpoints point at 127.0.0.1:9 (nothing listens there), so the
development worker's own attempts fail and retry: that is visible too. Deterministic and
idempotent: a second run finds Telco One's endpoints and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from catalog.models import Listing
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.events import emit
from marketplace.models import EventType, Market, Organisation
from marketplace.services import api_key_create
from orders.services.checkout import Contact, PlacementLine, order_place
from partners.destinations import private_urls_allowed
from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.services.endpoints import webhook_endpoint_create, webhook_endpoint_disable
from partners.services.relay import events_relay
from partners.states import AttemptTrigger, DeliveryStatus, DisabledReason

Log = Callable[[str], None]
DEMO_PARTNER = "telco-one"
SEEDER = Actor.system("demo data")
CUSTOMERS = [
    ("Camille Laurent", "camille.laurent@example.test", "12 rue de Rivoli", "75004", "Paris"),
    ("Julien Moreau", "julien.moreau@example.test", "8 cours Lafayette", "69003", "Lyon"),
    ("Inès Petit", "ines.petit@example.test", "21 quai des Chartrons", "33000", "Bordeaux"),
]


def seed(*, scale: str, log: Log) -> None:
    """Nothing before the catalog: see `seed_after`."""


def seed_after(*, scale: str, log: Log) -> None:
    partner = Organisation.objects.filter(slug=DEMO_PARTNER).first()
    if partner is None or WebhookEndpoint.objects.filter(organisation=partner).exists():
        return
    if not private_urls_allowed():
        # Production settings refuse the demo's local endpoints (https and a public address only), and a
        # demo must not deliver anywhere real: the partner keeps its account, without endpoints or orders.
        log(f"partners: {DEMO_PARTNER}'s demo endpoints left out (WEBHOOKS_ALLOW_PRIVATE_URLS is off)")
        return
    with transaction.atomic():
        api_key_create(
            organisation=partner,
            name="Shop checkout (demo)",
            scopes=["catalog:read", "orders:read", "orders:write", "webhooks:write"],
            actor=SEEDER,
        )
        live, _ = webhook_endpoint_create(
            organisation=partner,
            url="http://127.0.0.1:9/encore/webhooks",
            events=["*"],
            description="Order sync (ERP)",
            actor=SEEDER,
        )
        old, _ = webhook_endpoint_create(
            organisation=partner,
            url="http://127.0.0.1:9/legacy/hooks",
            events=["order.paid", "order.shipped"],
            description="Legacy CRM",
            actor=SEEDER,
        )
    orders = _place_orders(partner)
    with transaction.atomic():
        for n in range(2):
            emit(EventType.ORDER_SHIPPED, {"order": f"E-DEMO-{n}", "carrier": "Colissimo"}, partner)
    events_relay()
    _record_outcomes(live, old)
    webhook_endpoint_disable(endpoint_id=old.pk, reason=DisabledReason.GONE, actor=SEEDER)
    log(f"partners: {DEMO_PARTNER} with {orders} orders on invoice, 2 webhook endpoints and their deliveries")


def _place_orders(partner: Organisation) -> int:
    market = Market.objects.get(code="fr")
    listings = list(Listing.objects.filter(market=market, status=ListingStatus.ACTIVE, stock__gte=3).order_by("pk")[:3])
    for n, (listing, (name, email, street, postal_code, city)) in enumerate(zip(listings, CUSTOMERS, strict=False)):
        order_place(
            actor=SEEDER,
            market=market,
            lines=[PlacementLine(listing.pk, 1)],
            contact=Contact(
                full_name=name,
                email=email,
                phone="+33 6 00 00 00 0" + str(n),
                address_line=street,
                postal_code=postal_code,
                city=city,
                country="fr",
            ),
            partner=partner,
            partner_reference=f"T1-{2026_0001 + n}",
        )
    return len(listings)


def _attempt(delivery: WebhookDelivery, number: int, when_ago: timedelta, status: int | None, body: str = "") -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        trigger=AttemptTrigger.AUTOMATIC,
        started_at=timezone.now() - when_ago,
        duration_ms=10_000 if status is None else 84,
        status_code=status,
        response_body=body,
        error="timeout" if status is None else "",
    )


def _record_outcomes(live: WebhookEndpoint, old: WebhookEndpoint) -> None:
    """Outcomes in every status, as the sender would have recorded them."""
    now = timezone.now()
    deliveries = list(WebhookDelivery.objects.filter(endpoint=live).order_by("id"))
    if len(deliveries) < 4:
        return
    succeeded, retrying, failed, *pending = deliveries
    _attempt(succeeded, 1, timedelta(minutes=30), 200, '{"received": true}')
    WebhookDelivery.objects.filter(pk=succeeded.pk).update(
        status=DeliveryStatus.SUCCEEDED, next_attempt_at=None, completed_at=now, attempt_count=1, last_status_code=200
    )
    _attempt(retrying, 1, timedelta(minutes=20), 500, "Internal Server Error")
    _attempt(retrying, 2, timedelta(minutes=18), None)
    WebhookDelivery.objects.filter(pk=retrying.pk).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=now + timedelta(hours=2), attempt_count=2, last_error="timeout"
    )
    for number in range(1, 4):
        _attempt(failed, number, timedelta(days=3, hours=4 - number), 503, "Service Unavailable")
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        completed_at=now - timedelta(hours=1),
        attempt_count=3,
        last_status_code=503,
        created_at=now - timedelta(days=3, hours=4),
    )
    for delivery in WebhookDelivery.objects.filter(endpoint=old).order_by("id")[:1]:
        _attempt(delivery, 1, timedelta(minutes=5), 410, "Gone")
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_count=1, last_status_code=410)
    # The rest stay pending: the development worker tries them (nothing listens on port 9).
    del pending
