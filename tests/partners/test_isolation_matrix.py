"""Tenant isolation: every partner back-office page and every partner API endpoint, found from the URL conf.

Partner routes are `/partner/...` and every `/api/v1/` endpoint a partner may call (its view is an
`OrganisationEndpoint` for partners, or for any organisation, like the webhook endpoints). For each:
anonymous (login / 401), a member of another partner (foreign objects are 404 with no side effect,
lists show no foreign rows), a member without the owner role (403 on owner-only actions), and the
owner. A new partner route without a case here fails `test_every_partner_route_has_a_case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from marketplace.api.endpoints import OrganisationEndpoint
from marketplace.models import ApiKey, Membership, OrganisationKind
from orders.models import Refund
from orders.states import RefundStatus
from partners.models import WebhookDelivery, WebhookEndpoint
from sellers.models import Invitation
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.factories.tradein import inspected as inspected_tradein
from tests.factories.tradein import quote, wiped
from tests.partners.conftest import SYSTEM, deliver_all, emit_committed
from tests.partners.test_backoffice import partner_order
from tradein.models import TradeIn

pytestmark = pytest.mark.django_db

SECRET_MARKERS = ("A-SECRET-REF", "a-secret-endpoint")


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            found.append((route, name, pattern.callback))
    return found


def _is_partner_api(route: str, callback: Any) -> bool:
    view_class = getattr(callback, "view_class", None)
    return (
        route.startswith("api/v1/")
        and view_class is not None
        and issubclass(view_class, OrganisationEndpoint)
        and view_class.organisation_kind in (OrganisationKind.PARTNER, None)
    )


def partner_routes() -> list[tuple[str, str]]:
    return sorted(
        (route, name)
        for route, name, callback in _routes(get_resolver())
        if route.startswith("partner/") or _is_partner_api(route, callback)
    )


def _public_methods(route: str) -> set[str]:
    callback = next(callback for path, _, callback in _routes(get_resolver()) if path == route)
    return set(getattr(getattr(callback, "view_class", None), "public_methods", set()))


@dataclass
class World:
    owner_a: Any
    staff_a: Any
    owner_b: Any
    objects: dict[str, int]


@pytest.fixture
def world(httpserver) -> World:
    partner_a = OrganisationFactory(kind=OrganisationKind.PARTNER)
    partner_b = OrganisationFactory(kind=OrganisationKind.PARTNER)
    owner_a = MembershipFactory(organisation=partner_a, role="owner").user
    staff = MembershipFactory(organisation=partner_a, role="staff")
    owner_b = MembershipFactory(organisation=partner_b, role="owner").user
    api_key, _ = api_key_for(partner_a, ["orders:read"])
    httpserver.expect_request("/a-secret-endpoint").respond_with_data("ok")
    from partners.services.endpoints import webhook_endpoint_create

    endpoint, _ = webhook_endpoint_create(
        organisation=partner_a, url=httpserver.url_for("/a-secret-endpoint"), events=["*"], actor=SYSTEM
    )
    emit_committed("order.paid", {"order": "E-A"}, partner_a)
    (delivery,) = deliver_all()
    order = partner_order(partner_a, reference="A-SECRET-REF")
    refund = Refund.objects.create(
        payment=order.payment,
        amount=1000,
        currency=order.currency,
        status=RefundStatus.SUCCEEDED,
        method="credit_note",
        idempotency_key=f"test-credit-{order.pk}",
        reason="A-SECRET-REF returned",
    )
    tradein = wiped(inspected_tradein(partner=partner_a, method="partner_credit"))
    open_quote = quote(partner=partner_a)
    batch = _business_batch(partner_a)
    after_sales = _after_sales(partner_a)
    return World(
        owner_a=owner_a,
        staff_a=staff.user,
        owner_b=owner_b,
        objects={
            "api_key": api_key.pk,
            "membership": staff.pk,
            "endpoint": endpoint.pk,
            "delivery": delivery.pk,
            "order": order.pk,
            "credit_note": refund.pk,
            "tradein": tradein.pk,
            "quote": open_quote.pk,
            "batch": batch.pk,
            **after_sales,
        },
    )


def _business_batch(partner) -> Any:
    """Partner A's business batch, accepted, received, one device paid and wiped (every document exists)."""
    from tests.factories.tradein import LIKE_NEW, batch_accepted, priced_variant
    from tests.factories.tradein import wiped as wiped_device
    from tradein.services.batches import business_profile_set, parcel_receive
    from tradein.services.warehouse import InspectionInput, tradein_inspect

    business_profile_set(
        partner=partner,
        actor=SYSTEM,
        values={
            "company_name": "A-SECRET-REF Ltd",
            "contact_name": "A",
            "email": "a@example.test",
            "address_line": "1 rue A",
            "postal_code": "75001",
            "city": "Paris",
        },
    )
    batch = batch_accepted(partner, priced_variant(storage_gb=64), count=1, first=8800)
    (device,) = parcel_receive(parcel=batch.parcels.get(), actor=SYSTEM)
    wiped_device(
        tradein_inspect(
            tradein=device,
            actor=SYSTEM,
            data=InspectionInput(answers=LIKE_NEW, identifier=device.declared_identifier, activation_lock=False),
        )
    )
    return batch


def _after_sales(partner) -> dict[str, int]:
    """Partner A's after-sales: a claim in repair (with its label) and a return, on a delivered order."""
    from tests.factories.catalog import make_listing
    from tests.factories.orders import delivered, place
    from warranty.models import Warranty
    from warranty.services.claims import Claimant, claim_accept, claim_open, claim_respond
    from warranty.services.returns import return_open

    seller_order = place(
        (make_listing(stock=2), 2), partner=partner, partner_reference="A-SECRET-REF-2"
    ).seller_orders.get()
    delivered(seller_order)
    first, second = Warranty.objects.filter(line__seller_order=seller_order).order_by("pk")
    claim = claim_open(
        line=first.line,
        identifier=first.identifier,
        claimant=Claimant(partner=partner),
        category="technical_defect",
        description="A-SECRET-REF: the screen flickers.",
        actor=SYSTEM,
    )
    claim = claim_accept(
        claim=claim_respond(claim=claim, resolution="repair", message="Send it.", actor=SYSTEM), actor=SYSTEM
    )
    ret = return_open(
        seller_order=seller_order,
        units=[second.unit],
        reason="changed_mind",
        buyer=Claimant(partner=partner),
        actor=SYSTEM,
    )
    return {"claim": claim.pk, "return": ret.pk}


# route name -> (object kind for <int:pk>, extra path values ("?": a query string), owner only)
CASES: dict[str, tuple[str | None, dict[str, str], bool]] = {
    "partner:dashboard": (None, {}, False),
    "partner:orders": (None, {}, False),
    "partner:order": ("order", {}, False),
    "partner:invoices": (None, {}, False),
    "partner:invoice_pdf": (None, {"year": "2026", "month": "11"}, False),
    "partner:credit_note_pdf": ("credit_note", {}, False),
    "partner:api_keys": (None, {}, False),
    "partner:api_key_revoke": ("api_key", {}, True),
    "partner:webhooks": (None, {}, False),
    "partner:webhook": ("endpoint", {}, False),
    "partner:webhook_rotate_secret": ("endpoint", {}, True),
    "partner:webhook_ping": ("endpoint", {}, False),
    "partner:webhook_delete": ("endpoint", {}, True),
    "partner:delivery": ("delivery", {}, False),
    "partner:delivery_redeliver": ("delivery", {}, False),
    "partner:team": (None, {}, False),
    "partner:team_remove": ("membership", {}, True),
    "partner:team_role": ("membership", {}, True),
    "api-partner-orders": (None, {}, False),
    "api-partner-order": ("order", {}, False),
    "api-webhook-endpoints": (None, {}, False),
    "api-webhook-endpoint": ("endpoint", {}, False),
    "api-webhook-endpoint-rotate-secret": ("endpoint", {}, False),
    "api-webhook-endpoint-ping": ("endpoint", {}, False),
    "api-webhook-endpoint-deliveries": ("endpoint", {}, False),
    "api-webhook-delivery-redeliver": ("delivery", {}, False),
    "api-tradein-questionnaire": (None, {"?": "category=smartphones"}, False),
    "api-tradein-quotes": (None, {}, False),
    "api-tradein-quote-accept": ("quote", {}, False),
    "api-tradeins": (None, {}, False),
    "api-tradein": ("tradein", {}, False),
    "api-tradein-label": ("tradein", {}, False),
    "api-tradein-certificate": ("tradein", {}, False),
    "api-tradein-counter-accept": ("tradein", {}, False),
    "api-tradein-counter-decline": ("tradein", {}, False),
    "api-claims": (None, {}, False),
    "api-claim": ("claim", {}, False),
    "api-claim-messages": ("claim", {}, False),
    "api-claim-accept": ("claim", {}, False),
    "api-claim-dispute": ("claim", {}, False),
    "api-claim-label": ("claim", {}, False),
    "api-order-returns": ("order", {}, False),
    "api-return": ("return", {}, False),
    "api-return-label": ("return", {}, False),
    "reporting_partner:dashboard": (None, {}, False),
    "tradein_partner:index": (None, {}, False),
    "tradein_partner:details": (None, {}, True),
    "tradein_partner:batch_new": (None, {}, False),
    "tradein_partner:template_csv": (None, {}, False),
    "tradein_partner:batch": ("batch", {}, False),
    "tradein_partner:batch_accept": ("batch", {}, True),
    "tradein_partner:batch_counter_offers": ("batch", {}, True),
    "tradein_partner:batch_labels": ("batch", {}, False),
    "tradein_partner:batch_report": ("batch", {}, False),
    "tradein_partner:batch_credit_note": ("batch", {}, False),
    "tradein_partner:batch_certificates": ("batch", {}, False),
    "tradein_partner:batch_devices_csv": ("batch", {}, False),
    "api-tradein-batches": (None, {}, False),
    "api-tradein-batch": ("batch", {}, False),
    "api-tradein-batch-accept": ("batch", {}, False),
    "api-tradein-batch-counter-offers": ("batch", {}, False),
    "api-tradein-batch-labels": ("batch", {}, False),
    "api-tradein-batch-report": ("batch", {}, False),
    "api-tradein-batch-certificates": ("batch", {}, False),
    "api-tradein-batch-credit-note": ("batch", {}, False),
}


def test_every_partner_route_has_a_case():
    missing = [f"{route} ({name})" for route, name in partner_routes() if name not in CASES]

    assert missing == [], "add these partner routes to CASES in tests/partners/test_isolation_matrix.py"


def _url(route: str, kind: str | None, extra: dict[str, str], world: World) -> str:
    url = "/" + route
    if kind is not None:
        url = url.replace("<int:pk>", str(world.objects[kind]))
    for key, value in extra.items():
        if key == "?":
            url += f"?{value}"
        url = url.replace(f"<int:{key}>", value).replace(f"<str:{key}>", value)
    return url


def _snapshot(world: World) -> tuple:
    endpoint = WebhookEndpoint.objects.get(pk=world.objects["endpoint"])
    delivery = WebhookDelivery.objects.get(pk=world.objects["delivery"])
    membership = Membership.objects.filter(pk=world.objects["membership"]).first()
    return (
        (endpoint.url, endpoint.enabled, endpoint.secret, endpoint.events),
        (delivery.status, delivery.attempt_count, delivery.manual),
        ApiKey.objects.get(pk=world.objects["api_key"]).revoked_at,
        membership.role if membership else None,
        WebhookEndpoint.objects.count(),
        WebhookDelivery.objects.count(),
        Invitation.objects.count(),
        TradeIn.objects.get(pk=world.objects["tradein"]).status,
        TradeIn.objects.get(pk=world.objects["quote"]).status,
        sorted(TradeIn.objects.filter(batch_id=world.objects["batch"]).values_list("status", flat=True)),
        _after_sales_state(world),
    )


def _after_sales_state(world: World) -> tuple:
    from warranty.models import Claim, Return

    claim = Claim.objects.get(pk=world.objects["claim"])
    return (
        claim.status,
        claim.messages.count(),
        Return.objects.get(pk=world.objects["return"]).status,
        Return.objects.count(),
    )


@pytest.mark.parametrize(("route", "name"), partner_routes())
def test_anonymous_is_sent_to_log_in_or_gets_401(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)

    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if method.upper() in _public_methods(route):
            assert response.status_code < 500, (method, url, response.status_code)  # open to anyone
        elif route.startswith("api/"):
            assert response.status_code in (401, 405), (method, url, response.status_code)
        else:
            assert response.status_code in (302, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize(("route", "name"), partner_routes())
def test_another_partners_member_gets_404_for_foreign_objects_and_changes_nothing(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.owner_b)
    before = _snapshot(world)

    responses = {}
    for method in ("get", "post", "patch", "delete"):
        if route.startswith("api/"):
            responses[method] = getattr(client, method)(url, {"enabled": False}, content_type="application/json")
        elif method in ("get", "post"):
            responses[method] = getattr(client, method)(url, {"role": "staff", "url": "http://x.test/", "events": "*"})

    assert _snapshot(world) == before, url
    for method, response in responses.items():
        assert response.status_code < 500, (method, url, response.status_code)
        if kind is not None:
            assert response.status_code in (404, 405), (method, url, response.status_code)
        else:
            body = response.content.decode(errors="replace")
            for marker in SECRET_MARKERS:
                assert marker not in body, (method, url, marker)


@pytest.mark.parametrize(("route", "name"), partner_routes())
def test_a_member_without_the_owner_role_is_refused_owner_actions(client, world, route, name):
    kind, extra, owner_only = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.staff_a)
    before = _snapshot(world)

    response = client.post(url)

    if owner_only:
        assert response.status_code == 403, url
        assert _snapshot(world) == before
    else:
        assert response.status_code not in (401, 404, 500), (url, response.status_code)


@pytest.mark.parametrize(("route", "name"), partner_routes())
def test_the_owner_reaches_every_page(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.owner_a)

    response = client.get(url)

    assert response.status_code in (200, 302, 405), (url, response.status_code)
