"""What sellers stores about a person, for `marketplace.privacy`: the contact person of a seller, invitations.

A seller (a company) stays when its contact person erases their account: the contact's name, e-mail and
phone on it are cleared, for the organisation's owners to fill in again. Invitations sent to the person go.
"""

from __future__ import annotations

from typing import Any

from marketplace.models import User
from marketplace.privacy import ERASED_NAME, erased_email
from sellers.models import Invitation, Seller


def export(user: User) -> dict[str, Any]:
    return {
        "seller_contact_for": [
            {
                "seller": seller.organisation.name,
                "contact_name": seller.contact_name,
                "contact_phone": seller.contact_phone,
            }
            for seller in Seller.objects.filter(contact_email__iexact=user.email).select_related("organisation")
        ],
        "invitations": [
            {
                "organisation": invitation.organisation.name,
                "role": invitation.role,
                "sent_at": invitation.created_at.isoformat(),
            }
            for invitation in Invitation.objects.filter(email__iexact=user.email).select_related("organisation")
        ],
    }


def erase(user: User) -> None:
    Seller.objects.filter(contact_email__iexact=user.email).update(
        contact_name=ERASED_NAME, contact_email=erased_email(user.pk, "contact"), contact_phone=""
    )
    Invitation.objects.filter(email__iexact=user.email).delete()
