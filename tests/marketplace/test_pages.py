"""The three surfaces, login-aware; accounts pages; language switch."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from marketplace.models import User
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="success managers"))
    return user


def test_storefront_home_renders_for_everyone(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "Refurbished tech, tested by professionals" in response.content.decode()
    assert "United Kingdom · GBP" in response.content.decode()


def test_seller_back_office_asks_anonymous_users_to_log_in(client):
    response = client.get("/seller/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/seller/"


def test_seller_back_office_shows_the_members_organisation(client, seller_owner, seller_org):
    client.force_login(seller_owner)

    response = client.get("/seller/")

    assert response.status_code == 200
    assert seller_org.name in response.content.decode()


def test_seller_back_office_refuses_a_user_without_a_seller_organisation(client, shopper):
    client.force_login(shopper)

    response = client.get("/seller/")

    assert response.status_code == 403
    assert "not a member of a seller organisation" in response.content.decode()


def test_a_member_of_two_sellers_switches_between_them(client):
    membership = MembershipFactory(organisation=SellerFactory().organisation)
    second = SellerFactory(organisation__name="Second Life Phones").organisation
    MembershipFactory(user=membership.user, organisation=second)
    client.force_login(membership.user)

    client.post("/accounts/organisation/", {"organisation": second.pk})
    response = client.get("/seller/")

    assert "<h1>Second Life Phones <span" in response.content.decode()


def test_switching_to_a_foreign_organisation_is_404(client, seller_owner, other_seller_org):
    client.force_login(seller_owner)

    response = client.post("/accounts/organisation/", {"organisation": other_seller_org.pk})

    assert response.status_code == 404


def test_console_is_for_success_managers_only(client, seller_owner, manager):
    assert client.get("/console/").status_code == 302
    client.force_login(seller_owner)
    assert client.get("/console/").status_code == 403
    client.force_login(manager)
    assert client.get("/console/").status_code == 200


def test_sign_up_verifies_the_address_before_the_first_log_in(client):
    response = client.post(
        "/accounts/signup/",
        {"full_name": "Léa Martin", "email": "Lea@Example.test", "password1": PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name) == ("lea@example.test", "Léa Martin")
    assert client.get("/").context["user"].is_anonymous  # not logged in before the address is confirmed
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/confirm-email/" in line).strip()
    path = link[link.index("/accounts/confirm-email/") :]
    assert client.post(path).status_code == 302
    assert client.get("/").context["user"] == user


def test_sign_up_refuses_a_weak_password_next_to_its_field(client):
    response = client.post("/accounts/signup/", {"full_name": "X", "email": "x@example.test", "password1": "123"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password1"]
    assert not User.objects.exists()


def test_sign_up_with_a_taken_address_tells_only_the_owner_of_the_address(client, shopper):
    # Whether an address has an account is not shown on the page (no enumeration): its owner gets an e-mail.
    response = client.post(
        "/accounts/signup/", {"full_name": "X", "email": shopper.email.upper(), "password1": "a-long-passphrase-77"}
    )

    assert response.status_code == 302
    assert User.objects.count() == 1
    (message,) = mail.outbox
    assert message.to == [shopper.email]


def test_the_old_sign_up_and_reset_addresses_lead_to_the_new_pages(client):
    assert client.get("/accounts/sign-up/?next=/cart/")["Location"] == "/accounts/signup/?next=/cart/"
    assert client.get("/accounts/password-reset/")["Location"] == "/accounts/password/reset/"


def test_login_with_email_and_password(client, shopper):
    response = client.post("/accounts/login/", {"login": shopper.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").context["user"] == shopper


def test_an_unverified_address_cannot_log_in(client):
    user = UserFactory(email_verified=False)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").context["user"].is_anonymous
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_password_reset_sends_a_link_that_works(client, shopper):
    client.post("/accounts/password/reset/", {"email": shopper.email})

    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line).strip()
    path = link[link.index("/accounts/password/reset/key/") :]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-brand-new-passphrase-9", "password2": "a-brand-new-passphrase-9"},
    )
    assert response.status_code == 302
    shopper.refresh_from_db()
    assert shopper.check_password("a-brand-new-passphrase-9")


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", "Unser Versprechen"), ("fr", "Notre promesse"), ("en", "Our promise")],
)
def test_language_switch_translates_the_storefront(client, language, text):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    response = client.get("/")

    assert text in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()


def test_api_docs_and_schema_are_served(client):
    assert client.get("/api/v1/docs/").status_code == 200
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/markets/" in schema.json()["paths"]
    yaml = client.get("/api/v1/schema/")
    assert yaml.content.startswith(b"openapi: 3")
