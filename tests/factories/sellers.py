"""Factories for sellers: a Seller row on a seller organisation, in any status."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from marketplace.models import Market
from sellers.models import LegalForm, Seller
from sellers.services.standing import seller_standing_sync
from sellers.states import SellerStatus
from tests.factories import MembershipFactory, OrganisationFactory


class SellerFactory(factory.django.DjangoModelFactory):
    """A seller row; its catalog standing (may it sell) is written through the sellers' service, as in production."""

    class Meta:
        model = Seller
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    status = SellerStatus.ACTIVE
    legal_form = LegalForm.LIMITED_COMPANY
    vat_id = factory.Sequence(lambda n: f"FR{40 + n % 50:02d}{300000000 + n:09d}")
    home_market = factory.LazyFunction(lambda: Market.objects.get(code="fr"))
    address_line = "12 rue des Ateliers"
    postal_code = "75011"
    city = "Paris"
    contact_name = "Camille Martin"
    contact_email = factory.Sequence(lambda n: f"contact{n}@refurb.test")
    contact_phone = "+33 1 23 45 67 89"
    monthly_capacity = 400
    capacity_description = "Workshop of 6 technicians, 30-point test, certified erasure."
    charter_version = "2026-09"
    charter_accepted_at = factory.LazyFunction(timezone.now)
    approved_at = factory.LazyFunction(timezone.now)

    class Params:
        in_probation = factory.Trait(
            status=SellerStatus.PROBATION,
            probation_started_at=factory.LazyFunction(timezone.now),
            probation_ends_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=40)),
        )
        applied = factory.Trait(status=SellerStatus.APPLIED, approved_at=None)

    @factory.post_generation
    def standing(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            seller_standing_sync(seller=self)


def seller_with_owner(**kwargs: object) -> tuple[Seller, object]:
    """A seller and its owner user."""
    seller = SellerFactory(**kwargs)
    owner = MembershipFactory(organisation=seller.organisation, role="owner").user
    return seller, owner
