"""Partner organisations, created by platform staff in the console, who invite their first owner.

The invitation is the team's (`sellers.services.team`, for every kind of organisation): the
person accepts it by the e-mailed link, sets a password if new, and lands on `/partner/`.
"""

from __future__ import annotations

from django.db import transaction

from marketplace.actors import Actor
from marketplace.models import MembershipRole, Organisation, OrganisationKind
from marketplace.services import organisation_create
from marketplace.transitions import audit_record
from sellers.models import Invitation
from sellers.services.team import invitation_create


@transaction.atomic
def partner_organisation_create(
    *, name: str, country: str, owner_email: str, actor: Actor
) -> tuple[Organisation, Invitation]:
    """Create a partner organisation without members and invite `owner_email` as its owner (e-mailed on commit)."""
    organisation = organisation_create(kind=OrganisationKind.PARTNER, name=name, country=country, owner=None)
    audit_record(obj=organisation, actor=actor, from_status="", to_status="created", organisation=organisation)
    invitation, _token = invitation_create(
        organisation=organisation, email=owner_email, role=MembershipRole.OWNER, actor=actor
    )
    return organisation, invitation
