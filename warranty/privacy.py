"""What after-sales stores about a person, for `marketplace.privacy`: exported on request, erased on request.

Warranties, claims, returns and their refunds stay (the seller's obligations and the money are records
to keep). What the person wrote and sent goes: their claim descriptions and messages are replaced by a
note that they were erased, their photos are deleted (files included), their address leaves the labels.
Their reviews stay, anonymised: shown as written by "A customer", with no link to a name.
"""

from __future__ import annotations

from typing import Any

from marketplace.models import Event, EventType, User
from marketplace.privacy import ERASED_NAME, erased_email
from warranty.models import Claim, ClaimMessage, ClaimPhoto, Label, Return, Review, ReviewReport
from warranty.states import MessageAuthor

ERASED_TEXT = "[erased at the customer's request]"
ANONYMOUS_REVIEWER = "A customer"


def export(user: User) -> dict[str, Any]:
    claims = Claim.objects.filter(shopper=user).prefetch_related("messages").order_by("opened_at", "pk")
    return {
        "claims": [
            {
                "opened_at": claim.opened_at.isoformat(),
                "unit": claim.identifier,
                "category": claim.category,
                "status": claim.status,
                "description": claim.description,
                "messages": [
                    {"from": message.author_role, "sent_at": message.created_at.isoformat(), "text": message.body}
                    for message in claim.messages.all()
                    if message.body
                ],
            }
            for claim in claims
        ],
        "returns": [
            {"opened_at": ret.opened_at.isoformat(), "reason": ret.reason, "status": ret.status}
            for ret in Return.objects.filter(shopper=user).order_by("opened_at", "pk")
        ],
        "reviews": [
            {
                "written_at": review.created_at.isoformat(),
                "seller_stars": review.seller_stars,
                "unit_stars": review.unit_stars,
                "text": review.text,
                "shown_as": review.author_name,
            }
            for review in Review.objects.filter(shopper=user).order_by("created_at", "pk")
        ],
    }


def erase(user: User) -> None:
    claims = Claim.objects.filter(shopper=user)
    claims.update(description=ERASED_TEXT)
    own_messages = ClaimMessage.objects.filter(claim__in=claims, author_role=MessageAuthor.SHOPPER)
    own_messages.exclude(body="").update(body=ERASED_TEXT)
    ClaimMessage.objects.filter(author_user=user).update(author_label=erased_email(user.pk))
    for photo in ClaimPhoto.objects.filter(claim__in=claims, message__author_role=MessageAuthor.SHOPPER):
        photo.file.delete(save=False)
        photo.delete()
    for photo in ClaimPhoto.objects.filter(claim__in=claims, message__isnull=True):
        photo.file.delete(save=False)  # the photos sent with the claim itself
        photo.delete()
    erased_sender = {"name": ERASED_NAME, "lines": []}
    Label.objects.filter(claim__in=claims).update(sender=erased_sender)
    Label.objects.filter(ret__shopper=user).update(sender=erased_sender)
    Review.objects.filter(shopper=user).update(author_name=ANONYMOUS_REVIEWER)
    _scrub_claim_events(list(claims.values_list("pk", flat=True)))
    ReviewReport.objects.filter(reporter=user).update(reporter_label=erased_email(user.pk))


def _scrub_claim_events(claim_ids: list[int]) -> None:
    """The outbox keeps each claim event as sent (for redelivery): what the person wrote goes from it too."""
    if not claim_ids:
        return
    claim_types = [t for t in EventType.values if t.startswith("claim.")]
    for event in Event.objects.filter(type__in=claim_types, data__id__in=claim_ids):
        data = dict(event.data)
        data["description"] = ERASED_TEXT
        data["messages"] = [
            {**message, "message": ERASED_TEXT} if message.get("author") == MessageAuthor.SHOPPER else message
            for message in data.get("messages") or []
        ]
        Event.objects.filter(pk=event.pk).update(data=data)
