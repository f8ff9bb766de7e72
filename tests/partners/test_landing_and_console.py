"""Where people land after logging in (one decision for every surface), and partner organisations
created by platform staff in the console, whose first owner accepts the e-mailed invitation."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from marketplace.models import Membership, MembershipRole, Organisation, OrganisationKind
from marketplace.tenancy import SESSION_KEY
from sellers.notifications import send_invitation_task
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, email: str, next_url: str | None = None):
    data = {"login": email, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


@pytest.fixture
def manager():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="success managers"))
    return user


def test_a_partner_member_lands_on_the_partner_back_office(client, partner_org):
    member = MembershipFactory(organisation=partner_org, role=MembershipRole.STAFF).user

    response = log_in(client, member.email)

    assert response["Location"] == "/partner/"
    assert client.get("/partner/").status_code == 200


def test_each_kind_of_person_lands_on_their_surface(client, seller_org, manager):
    seller = MembershipFactory(organisation=seller_org).user
    shopper = UserFactory()

    assert log_in(client, seller.email)["Location"] == "/seller/"
    client.logout()
    assert log_in(client, manager.email)["Location"] == "/console/"
    client.logout()
    assert log_in(client, shopper.email)["Location"] == "/"


def test_a_safe_next_wins_and_a_foreign_one_is_ignored(client, partner_org):
    member = MembershipFactory(organisation=partner_org).user

    assert log_in(client, member.email, "/partner/orders/")["Location"] == "/partner/orders/"
    client.logout()
    assert log_in(client, member.email, "https://evil.example.com/steal")["Location"] == "/partner/"


def test_the_organisation_last_chosen_decides_for_a_member_of_both(client, partner_org, seller_org):
    user = MembershipFactory(organisation=seller_org).user
    Membership.objects.create(user=user, organisation=partner_org, role=MembershipRole.OWNER)

    assert log_in(client, user.email)["Location"] == "/seller/"  # the first membership
    assert client.post("/accounts/organisation/", {"organisation": partner_org.pk})["Location"] == "/partner/"
    client.logout()
    session = client.session
    session[SESSION_KEY] = partner_org.pk
    session.save()
    assert log_in(client, user.email)["Location"] == "/partner/"


def test_a_partner_member_opening_the_seller_back_office_is_shown_the_way(client, partner_org):
    client.force_login(MembershipFactory(organisation=partner_org).user)

    response = client.get("/seller/")

    assert response.status_code == 403
    assert 'href="/partner/"' in response.content.decode()


def test_staff_create_a_partner_and_its_first_owner_accepts_and_lands_on_it(
    client, manager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(send_invitation_task, "delay", lambda *args: send_invitation_task(*args))  # the worker
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/console/partners/", {"name": "Mobile Hub", "country": "de", "owner_email": "chef@mobilehub.test"}
        )
    assert response.status_code == 302
    partner = Organisation.objects.get(name="Mobile Hub")
    assert partner.kind == OrganisationKind.PARTNER
    assert not partner.memberships.exists()
    (message,) = mail.outbox
    assert message.to == ["chef@mobilehub.test"]
    token = re.search(r"/invitations/([^/\s]+)/", message.body)[1]
    page = client.get("/console/partners/").content.decode()
    assert "Mobile Hub" in page
    assert "chef@mobilehub.test" in page

    client.logout()
    accepted = client.post(f"/invitations/{token}/", {"full_name": "Chef Hub", "password": "a-long-pass-phrase-9"})

    assert accepted["Location"] == "/partner/"
    membership = Membership.objects.get(organisation=partner, user__email="chef@mobilehub.test")
    assert membership.role == MembershipRole.OWNER
    assert client.get("/partner/").status_code == 200


def test_staff_reinvite_and_only_success_managers_reach_the_console_page(client, manager, partner_org):
    client.force_login(manager)
    client.post(f"/console/partners/{partner_org.pk}/invite/", {"email": "second@telco.test", "role": "owner"})
    assert partner_org.invitations.get().email == "second@telco.test"
    assert send_invitation_task(partner_org.invitations.get().pk, "t") == 1

    seller = OrganisationFactory(kind=OrganisationKind.SELLER)
    assert (
        client.post(f"/console/partners/{seller.pk}/invite/", {"email": "x@y.test", "role": "owner"}).status_code == 404
    )
    client.force_login(MembershipFactory(organisation=partner_org).user)
    assert client.get("/console/partners/").status_code == 403
