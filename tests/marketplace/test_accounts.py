"""Accounts (allauth, marketplace/accounts.py): rate limits per account and per client whatever
X-Forwarded-For says, 429 with Retry-After, two-factor for staff and seller owners, invitations that
never log anyone into an existing account."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from marketplace.actors import Actor
from marketplace.models import Membership, MembershipRole, OrganisationKind
from sellers.services.team import invitation_create
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, enrol_totp, totp_code

pytestmark = pytest.mark.django_db


def _fail_login(client: Client, email: str, **headers: str):
    return client.post("/accounts/login/", {"login": email, "password": "not-the-password"}, **headers)


def test_failed_logins_on_one_account_answer_429_with_retry_after_whatever_x_forwarded_for_says(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    client = Client()
    statuses = [
        # The proxy appends the peer it saw; the client writes whatever it likes to the left.
        _fail_login(client, user.email, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 203.0.113.7").status_code
        for n in range(6)
    ]

    assert statuses[:5] == [200] * 5  # the form says the password is wrong
    assert statuses[5] == 429
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429  # the account is closed for the window, even with the right password
    assert int(response["Retry-After"]) > 0
    assert Client().get("/").context["user"].is_anonymous


def test_failed_logins_from_one_client_answer_429_even_when_x_forwarded_for_rotates(settings):
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy of ours: the header is ignored entirely
    client = Client()
    statuses = [
        _fail_login(client, f"nobody{n}@example.test", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(11)
    ]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # Another client (another peer address) is not affected.
    assert _fail_login(Client(REMOTE_ADDR="192.0.2.50"), "nobody@example.test").status_code == 200


def test_password_reset_is_limited_per_account_with_429_and_retry_after(client, shopper):
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": shopper.email}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(6)
    ]

    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    response = client.post("/accounts/password/reset/", {"email": shopper.email})
    assert response["Retry-After"] == "300"


def test_login_lands_through_landing_and_honours_only_a_safe_next(client):
    owner = MembershipFactory(organisation=OrganisationFactory(kind=OrganisationKind.PARTNER)).user

    assert client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})["Location"] == "/partner/"
    client.logout()
    evil = client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD, "next": "https://evil.test/"})
    assert evil["Location"] == "/partner/"


# --- Two-factor ------------------------------------------------------------------------------------


@pytest.mark.second_factor
def test_a_seller_owner_enrols_totp_before_the_back_office(client, seller_owner):
    client.force_login(seller_owner)

    response = client.get("/seller/listings/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    enrol_totp(seller_owner)
    assert client.get("/seller/listings/").status_code == 200


@pytest.mark.second_factor
def test_a_success_manager_enrols_before_the_console_and_a_shopper_is_never_asked(client, shopper, seller_org):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="success managers"))
    client.force_login(manager)
    assert client.get("/console/")["Location"].startswith("/accounts/2fa/totp/activate")

    client.force_login(shopper)
    assert client.get("/account/").status_code == 200
    staff_member = MembershipFactory(
        organisation=seller_org, role=MembershipRole.STAFF
    )  # a seller's staff member: optional
    client.force_login(staff_member.user)
    assert client.get("/seller/").status_code == 200


@pytest.mark.second_factor
def test_the_enrolment_page_shows_a_qr_code(client, seller_owner):
    client.post("/accounts/login/", {"login": seller_owner.email, "password": PASSWORD})  # a fresh log-in
    assert client.get("/seller/")["Location"].startswith("/accounts/2fa/totp/activate")

    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")  # allauth confirms the password first
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")

    assert page.status_code == 200
    assert "<svg" in page.content.decode() or "data:image/svg+xml;base64," in page.content.decode()


@pytest.mark.second_factor
def test_log_in_with_totp_asks_for_the_code_then_lands(client, seller_owner):
    secret = enrol_totp(seller_owner)

    first = client.post("/accounts/login/", {"login": seller_owner.email, "password": PASSWORD})

    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").context["user"].is_anonymous
    assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/seller/"
    assert client.get("/seller/").status_code == 200


# --- Invitations -------------------------------------------------------------------------------------


def _invite(email: str) -> tuple[Membership, str]:
    owner = MembershipFactory()
    _, token = invitation_create(organisation=owner.organisation, email=email, role="staff", actor=Actor.system())
    return owner, token


def test_an_invitation_for_an_existing_account_never_logs_anyone_in(client):
    existing = UserFactory(email="taken@example.test")
    owner, token = _invite("taken@example.test")

    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/invitations/")
    posted = client.post(f"/invitations/{token}/", {"full_name": "Mallory", "password": "mallory-chose-this-1"})
    assert posted["Location"].startswith("/accounts/login/")
    assert client.get("/").context["user"].is_anonymous
    assert not owner.organisation.memberships.filter(user=existing).exists()

    # The owner of the address logs in (password) and comes back to accept.
    client.post("/accounts/login/", {"login": existing.email, "password": PASSWORD})
    accepted = client.post(f"/invitations/{token}/")
    assert accepted.status_code == 302
    assert owner.organisation.memberships.filter(user=existing, role="staff").exists()


def test_an_invitation_accepted_by_another_logged_in_account_is_refused(client):
    other = UserFactory()
    owner, token = _invite("invited@example.test")
    client.force_login(other)

    response = client.post(f"/invitations/{token}/", follow=True)

    assert "invited@example.test" in response.content.decode()
    assert not owner.organisation.memberships.filter(user=other).exists()


def test_a_new_address_signs_up_through_the_invitation_with_its_address_verified(client):
    from allauth.account.models import EmailAddress

    owner, token = _invite("fresh@example.test")

    response = client.post(f"/invitations/{token}/", {"full_name": "Fresh Face", "password": "a-long-passphrase-77"})

    assert response.status_code == 302
    membership = owner.organisation.memberships.get(user__email="fresh@example.test")
    assert EmailAddress.objects.get(user=membership.user).verified  # the link was sent to that address
    client.logout()
    assert (
        client.post("/accounts/login/", {"login": "fresh@example.test", "password": "a-long-passphrase-77"})["Location"]
        == "/seller/"
    )
