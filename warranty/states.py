"""After-sales lifecycles (DOMAIN.md, After-sales): claims, returns, reviews; the rule of three.

Claim (a warranty claim on one delivered unit):
    opened -> answered        the seller proposes repair, replace or refund, with a message
    opened -> escalated       the answer deadline (2 business days) passed
    answered -> accepted      the shopper (or the partner) accepts, or says nothing for 7 days
    answered -> escalated     the shopper disputes the answer
    accepted -> in_repair     a repair or a replacement: a return label is issued
    accepted -> resolved      a refund: paid at once (outcome refunded)
    escalated -> in_repair    a success manager decides repair or replace
    escalated -> resolved     a success manager decides refund, or rejects a claim the warranty does
                              not cover (drops, liquid, third-party repair), with the reason
    in_repair -> resolved     the seller marks it repaired, or replaced with the new unit's identifier
    in_repair -> escalated    the repair deadline (5 business days from the unit's arrival) passed
    resolved -> closed        14 days after the resolution: the conversation closes
One open claim per unit (a partial unique index): open = opened, answered, accepted, escalated, in_repair.

Return (units of one parcel sent back within 30 days of delivery, no reason needed):
    opened -> received        the seller marks the parcel received: the refund is paid
    opened -> refunded        14 days after the label's carrier delivery, the seller having done nothing
    received -> refunded      (the refund, in the same step as received)
    opened -> cancelled       the shopper keeps the units after all

Review: visible <-> hidden (a success manager hides a reported review with a reason).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    OPENED = "opened", _("Opened, awaiting the seller")
    ANSWERED = "answered", _("Answered by the seller")
    ACCEPTED = "accepted", _("Answer accepted")
    ESCALATED = "escalated", _("With Encore's team")
    IN_REPAIR = "in_repair", _("Repair or replacement under way")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


C = ClaimStatus
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    C.OPENED: frozenset({C.ANSWERED, C.ESCALATED}),
    C.ANSWERED: frozenset({C.ACCEPTED, C.ESCALATED}),
    C.ACCEPTED: frozenset({C.IN_REPAIR, C.RESOLVED}),
    C.ESCALATED: frozenset({C.IN_REPAIR, C.RESOLVED}),
    C.IN_REPAIR: frozenset({C.RESOLVED, C.ESCALATED}),
    C.RESOLVED: frozenset({C.CLOSED}),
    C.CLOSED: frozenset(),
}
OPEN_CLAIM_STATUSES = frozenset({C.OPENED, C.ANSWERED, C.ACCEPTED, C.ESCALATED, C.IN_REPAIR})


class ClaimCategory(models.TextChoices):
    TECHNICAL_DEFECT = "technical_defect", _("Technical defect")
    BATTERY = "battery", _("Battery below the stated health")
    COSMETIC = "cosmetic", _("Cosmetic state not as graded")
    MISSING_ACCESSORY = "missing_accessory", _("Missing accessory")
    OTHER = "other", _("Other")


# The rule of three counts these (DOMAIN.md).
TECHNICAL_CATEGORIES = frozenset({ClaimCategory.TECHNICAL_DEFECT, ClaimCategory.BATTERY})


class Resolution(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACE = "replace", _("Replacement")
    REFUND = "refund", _("Refund")


class Outcome(models.TextChoices):
    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")
    REFUNDED = "refunded", _("Refunded")
    REJECTED = "rejected", _("Rejected: not covered by the warranty")


class EscalationReason(models.TextChoices):
    ANSWER_OVERDUE = "answer_overdue", _("The seller did not answer in time")
    REPAIR_OVERDUE = "repair_overdue", _("The repair took longer than allowed")
    DISPUTED = "disputed", _("The customer disputes the seller's answer")


class MessageAuthor(models.TextChoices):
    SHOPPER = "shopper", _("Customer")
    PARTNER = "partner", _("Partner")
    SELLER = "seller", _("Seller")
    MANAGER = "manager", _("Encore's team")
    PLATFORM = "platform", _("Encore")


def allowed_resolutions(*, technical: bool, position: int) -> frozenset[Resolution]:
    """The rule of three (DOMAIN.md): what may resolve the `position`-th technical claim of a purchase.

    Counting the technical claims (technical defect, battery) of one purchase (the unit bought and any
    replacement of it) that were not rejected: the 1st may be resolved by repair, replacement or
    refund; the 2nd only by a replacement; the 3rd and later only by a refund. A claim of another
    category leaves the choice open. Pure.
    """
    if not technical or position <= 1:
        return frozenset(Resolution)
    if position == 2:
        return frozenset({Resolution.REPLACE})
    return frozenset({Resolution.REFUND})


class ReturnStatus(models.TextChoices):
    OPENED = "opened", _("Label issued, awaiting the parcel")
    RECEIVED = "received", _("Received by the seller")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


R = ReturnStatus
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.OPENED: frozenset({R.RECEIVED, R.REFUNDED, R.CANCELLED}),
    R.RECEIVED: frozenset({R.REFUNDED}),
    R.REFUNDED: frozenset(),
    R.CANCELLED: frozenset(),
}
OPEN_RETURN_STATUSES = frozenset({R.OPENED, R.RECEIVED})


class ReturnReason(models.TextChoices):
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    DEFECTIVE = "defective", _("Defective")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    OTHER = "other", _("Other")


# Returns for these reasons count as defects for the seller (DOMAIN.md).
DEFECT_RETURN_REASONS = frozenset({ReturnReason.DEFECTIVE, ReturnReason.NOT_AS_DESCRIBED})


class ReviewStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by Encore")


REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.VISIBLE: frozenset({ReviewStatus.HIDDEN}),
    ReviewStatus.HIDDEN: frozenset({ReviewStatus.VISIBLE}),
}


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Offensive or abusive")
    NOT_ABOUT_PURCHASE = "not_about_purchase", _("Not about the purchase")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Other")


class LabelPurpose(models.TextChoices):
    RETURN = "return", _("Return")
    REPAIR = "repair", _("Repair or replacement")


class ScanStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")


class ScanSource(models.TextChoices):
    CARRIER = "carrier", _("Carrier event")
    MANUAL = "manual", _("Recorded by hand")


class ClaimNote(models.TextChoices):
    """Steps Encore writes into a claim's conversation. Stored as a code with its values, and written
    out in the reader's language when shown (`ClaimMessage.text`)."""

    LABEL_ISSUED = "label_issued", _("Label issued")
    UNIT_RECEIVED = "unit_received", _("Unit received")
    ACCEPTED_SILENTLY = "accepted_silently", _("Accepted without a reply")
    ANSWER_OVERDUE = "answer_overdue", _("Answer overdue")
    REPAIR_OVERDUE = "repair_overdue", _("Repair overdue")


NOTE_TEXTS = {
    ClaimNote.LABEL_ISSUED: _(
        "Print the prepaid label (tracking number %(tracking)s) and send the unit to the seller."
    ),
    ClaimNote.UNIT_RECEIVED: _("The seller received the unit. It is repaired or replaced by %(date)s."),
    ClaimNote.ACCEPTED_SILENTLY: _("The answer was accepted: no reply came within 7 days."),
    ClaimNote.ANSWER_OVERDUE: _("The seller did not answer in time: Encore's team takes the claim over."),
    ClaimNote.REPAIR_OVERDUE: _("The repair took longer than allowed: Encore's team takes the claim over."),
}
