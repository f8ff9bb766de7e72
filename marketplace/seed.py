"""Demo data for the kernel: users for each role and their organisations.

Deterministic and idempotent: a second run finds the rows and changes nothing.
Each domain app may add a `seed.py` with `seed(*, scale, log)`; `seed_demo`
calls them in INSTALLED_APPS order after this one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from marketplace.models import Membership, MembershipRole, Organisation, OrganisationKind, User

DEMO_PASSWORD = "encore-demo"  # noqa: S105 - demo logins, printed by `make run`

# email, full name, is_staff, is_superuser, success manager
DEMO_USERS = [
    ("admin@encore.test", "Ada Admin", True, True, False),
    ("manager@encore.test", "Sam Success", True, False, True),
    ("shopper@encore.test", "Chloé Shopper", False, False, False),
    ("seller@encore.test", "Rémi Refurb", False, False, False),
    ("staff@encore.test", "Stella Staff", False, False, False),
    ("seller2@encore.test", "Jonas Phoenix", False, False, False),
    ("partner@encore.test", "Paula Partner", False, False, False),
]
# slug, name, kind, country, [(email, role)]
DEMO_ORGANISATIONS = [
    (
        "renew-labs",
        "Renew Labs",
        OrganisationKind.SELLER,
        "fr",
        [("seller@encore.test", MembershipRole.OWNER), ("staff@encore.test", MembershipRole.STAFF)],
    ),
    (
        "phoenix-refurb",
        "Phoenix Refurb",
        OrganisationKind.SELLER,
        "de",
        [("seller2@encore.test", MembershipRole.OWNER)],
    ),
    ("telco-one", "Telco One", OrganisationKind.PARTNER, "fr", [("partner@encore.test", MembershipRole.OWNER)]),
]
BENCH_SELLERS = 200

Log = Callable[[str], None]


def _user(email: str, full_name: str, *, is_staff: bool = False, is_superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, is_staff=is_staff, is_superuser=is_superuser
        )
    return user


@transaction.atomic
def seed(*, scale: str, log: Log) -> None:
    managers = Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP)
    users = {}
    for email, name, is_staff, is_superuser, is_manager in DEMO_USERS:
        users[email] = _user(email, name, is_staff=is_staff, is_superuser=is_superuser)
        if is_manager:
            users[email].groups.add(managers)
    for slug, name, kind, country, members in DEMO_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "country": country}
        )
        for email, role in members:
            Membership.objects.get_or_create(user=users[email], organisation=organisation, defaults={"role": role})
    if scale == "bench":
        _seed_bench_sellers(log)


def _seed_bench_sellers(log: Log) -> None:
    """200 seller organisations with one owner each, in bulk (the benchmark shape)."""
    from django.contrib.auth.hashers import make_password

    password = make_password(DEMO_PASSWORD)
    emails = [f"bench-seller-{n:03d}@encore.test" for n in range(1, BENCH_SELLERS + 1)]
    User.objects.bulk_create(
        [User(email=email, password=password, full_name=f"Bench Seller {n:03d}") for n, email in enumerate(emails, 1)],
        ignore_conflicts=True,
    )
    Organisation.objects.bulk_create(
        [
            Organisation(
                slug=f"bench-seller-{n:03d}",
                name=f"Bench Refurb {n:03d}",
                kind=OrganisationKind.SELLER,
                country=["fr", "de", "es", "it", "be", "gb", "us", "jp"][n % 8],
            )
            for n in range(1, BENCH_SELLERS + 1)
        ],
        ignore_conflicts=True,
    )
    owners = {u.email: u for u in User.objects.filter(email__in=emails)}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__startswith="bench-seller-")}
    Membership.objects.bulk_create(
        [
            Membership(user=owners[email], organisation=organisations[email.split("@")[0]], role=MembershipRole.OWNER)
            for email in emails
        ],
        ignore_conflicts=True,
    )
    log(f"bench: {BENCH_SELLERS} seller organisations")


def demo_logins() -> list[tuple[str, str]]:
    roles = {
        "admin@encore.test": "platform admin (/admin/)",
        "manager@encore.test": "success manager (/console/)",
        "shopper@encore.test": "shopper (/)",
        "seller@encore.test": "seller owner, Renew Labs (/seller/)",
        "staff@encore.test": "seller staff, Renew Labs (/seller/)",
        "seller2@encore.test": "seller owner, Phoenix Refurb (/seller/)",
        "partner@encore.test": "partner owner, Telco One (/partner/)",
    }
    return list(roles.items())


def verify_demo_addresses(emails: list[str]) -> None:
    """Demo accounts log in at once: their addresses count as verified (allauth's mandatory verification)."""
    from allauth.account.models import EmailAddress

    for user in User.objects.filter(email__in=emails):
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})
