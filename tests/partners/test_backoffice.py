"""The partner back-office (/partner/): keys shown once, endpoints and their log, orders, team, dashboard."""

from __future__ import annotations

import pytest
from django.core import mail

from marketplace.models import ApiKey, Membership, MembershipRole, OrganisationKind, User
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.states import DeliveryStatus
from sellers.models import Invitation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM
from tests.partners.conftest import deliver_all, emit_committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(partner_org) -> User:
    return MembershipFactory(organisation=partner_org, role=MembershipRole.OWNER).user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def partner_order(partner, *, reference: str = "REF-1"):
    from marketplace.models import Market
    from orders.services.checkout import Contact, PlacementLine, order_place

    listing = make_listing(stock=5)
    return order_place(
        actor=SYSTEM,
        market=Market.objects.get(code="fr"),
        lines=[PlacementLine(listing.pk, 1)],
        contact=Contact(
            full_name="Camille Client",
            email="camille@example.test",
            phone="+33 6 00 00 00 01",
            address_line="1 rue de la Paix",
            postal_code="75002",
            city="Paris",
            country="fr",
        ),
        partner=partner,
        partner_reference=reference,
    )


def test_every_page_renders_for_the_owner(owner_client, partner_org, make_endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    (delivery,) = deliver_all()
    order = partner_order(partner_org)

    for url in (
        "/partner/",
        "/partner/orders/",
        f"/partner/orders/{order.pk}/",
        "/partner/invoices/",
        "/partner/api-keys/",
        "/partner/webhooks/",
        f"/partner/webhooks/{endpoint.pk}/",
        f"/partner/webhooks/{endpoint.pk}/?status=succeeded&event_type=order.paid",
        f"/partner/deliveries/{delivery.pk}/",
        "/partner/team/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert b"surface-partner" in response.content, url


def test_an_api_key_is_shown_once_after_a_redirect(owner_client, partner_org):
    response = owner_client.post("/partner/api-keys/", {"name": "Shop", "scopes": ["orders:write", "webhooks:write"]})

    assert response.status_code == 302
    assert response["Location"] == "/partner/api-keys/"
    key = ApiKey.objects.get(organisation=partner_org)
    page = owner_client.get("/partner/api-keys/").content.decode()
    assert f"enc_{key.prefix}_" in page
    assert 'data-testid="new-key"' in page
    again = owner_client.get("/partner/api-keys/").content.decode()
    assert 'data-testid="new-key"' not in again
    assert sorted(key.scopes) == ["orders:write", "webhooks:write"]


def test_a_member_without_the_owner_role_sees_but_cannot_create_keys_or_endpoints(client, partner_org):
    staff = MembershipFactory(organisation=partner_org, role=MembershipRole.STAFF).user
    client.force_login(staff)

    assert client.get("/partner/api-keys/").status_code == 200
    assert client.post("/partner/api-keys/", {"name": "k", "scopes": ["orders:read"]}).status_code == 403
    assert client.post("/partner/webhooks/", {"url": "http://127.0.0.1:9/", "events": ["*"]}).status_code == 403
    assert client.post("/partner/team/", {"email": "x@y.test", "role": "owner"}).status_code == 403
    assert not ApiKey.objects.exists()
    assert not WebhookEndpoint.objects.exists()


def test_adding_an_endpoint_shows_its_secret_once(owner_client, partner_org):
    response = owner_client.post(
        "/partner/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["order.paid"], "enabled": "on"}
    )

    endpoint = WebhookEndpoint.objects.get(organisation=partner_org)
    assert response["Location"] == f"/partner/webhooks/{endpoint.pk}/"
    assert endpoint.secret in owner_client.get(response["Location"]).content.decode()
    assert endpoint.secret not in owner_client.get(response["Location"]).content.decode()


def test_a_private_url_is_refused_in_production(owner_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    response = owner_client.post("/partner/webhooks/", {"url": "https://127.0.0.1/hook", "events": ["*"]})

    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_filters_and_redelivers(owner_client, partner_org, make_endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    endpoint, _ = make_endpoint(partner_org, httpserver.url_for("/hook"))
    emit_committed("order.paid", {"order": "E1"}, partner_org)
    emit_committed("order.shipped", {"order": "E1"}, partner_org)
    deliver_all()

    page = owner_client.get(f"/partner/webhooks/{endpoint.pk}/?event_type=order.shipped").content.decode()
    assert page.count('class="delivery-row"') == 1
    assert "order.shipped" in page
    fragment = owner_client.get(
        f"/partner/webhooks/{endpoint.pk}/?status=retrying", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.count('class="delivery-row"') == 2
    assert "<html" not in fragment

    delivery = WebhookDelivery.objects.filter(event_type="order.paid").get()
    response = owner_client.post(f"/partner/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.manual


def test_orders_list_detail_and_dashboard_figures(owner_client, partner_org):
    order = partner_order(partner_org, reference="PO-778")
    partner_order(OrganisationFactory(kind=OrganisationKind.PARTNER), reference="FOREIGN-1")

    listing = owner_client.get("/partner/orders/").content.decode()
    assert "PO-778" in listing
    assert "FOREIGN-1" not in listing
    detail = owner_client.get(f"/partner/orders/{order.pk}/").content.decode()
    assert "Camille Client" in detail
    assert "Invoice of" in detail
    dashboard = owner_client.get("/partner/")
    assert dashboard.context["figures"].orders_this_month == 1
    assert [str(m) for m in dashboard.context["figures"].amounts_this_month] == [str(order.total)]


def test_team_invite_and_role_change(owner_client, partner_org, django_capture_on_commit_callbacks):
    staff = MembershipFactory(organisation=partner_org, role=MembershipRole.STAFF)

    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post("/partner/team/", {"email": "new@telco.test", "role": "staff"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=partner_org)
    assert invitation.email == "new@telco.test"
    assert len(callbacks) == 1  # the invitation e-mail, after commit
    from sellers.notifications import send_invitation_task

    assert send_invitation_task(invitation.pk, "token") == 1
    assert mail.outbox[-1].to == ["new@telco.test"]

    owner_client.post(f"/partner/team/{staff.pk}/role/", {"role": "owner"})
    staff.refresh_from_db()
    assert staff.role == MembershipRole.OWNER


def test_the_last_owner_keeps_the_role(client, partner_org):
    only_owner = MembershipFactory(organisation=partner_org, role=MembershipRole.OWNER)
    other_owner = MembershipFactory(organisation=partner_org, role=MembershipRole.OWNER)
    client.force_login(only_owner.user)

    client.post(f"/partner/team/{other_owner.pk}/role/", {"role": "staff"})
    client.post(f"/partner/team/{other_owner.pk}/remove/")
    client.force_login(only_owner.user)
    response = client.post(f"/partner/team/{only_owner.pk}/role/", {"role": "staff"}, follow=True)

    assert Membership.objects.get(pk=only_owner.pk).role == MembershipRole.OWNER
    assert "at least one owner" in response.content.decode()


def test_someone_outside_any_partner_gets_a_page_that_says_so(client):
    client.force_login(UserFactory())

    response = client.get("/partner/")

    assert response.status_code == 403
    assert "partner organisation" in response.content.decode()
