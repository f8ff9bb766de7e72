"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory

from marketplace.actors import Actor
from marketplace.models import ApiKey, Membership, MembershipRole, Organisation, OrganisationKind, User
from marketplace.services import api_key_create

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()

    @factory.post_generation
    def email_verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        """A verified address (allauth's mandatory verification): `UserFactory(email_verified=False)` for none."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SELLER
    name = factory.Sequence(lambda n: f"Refurbisher {n}")
    slug = factory.Sequence(lambda n: f"refurbisher-{n}")
    country = "fr"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.OWNER


def api_key_for(organisation: Organisation, scopes: list[str] | None = None) -> tuple[ApiKey, str]:
    """A real key through the service (so hashing and scopes are the production ones)."""
    return api_key_create(
        organisation=organisation,
        name="test key",
        scopes=scopes if scopes is not None else ["catalog:read"],
        actor=Actor.system("tests"),
    )


def enrol_totp(user: User) -> str:
    """Give `user` a TOTP authenticator (as the enrolment page does); returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, step: int = 0) -> str:
    """The code an authenticator app shows now (`step` periods later)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))
