"""The seller lifecycle (DOMAIN.md, Seller lifecycle)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SellerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PROBATION = "probation", _("Probation")
    UNDER_REVIEW = "under_review", _("Under review")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


S = SellerStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.PROBATION, S.REJECTED}),
    S.PROBATION: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.PROBATION, S.ACTIVE, S.TERMINATED}),
    S.ACTIVE: frozenset({S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.REJECTED: frozenset(),
    S.TERMINATED: frozenset(),
}

# Statuses in which a seller may create and publish listings.
SELLING_STATUSES = frozenset({S.PROBATION, S.ACTIVE})
# Statuses under the daily cap of new listings.
CAPPED_STATUSES = frozenset({S.PROBATION})


class LadderStep(models.TextChoices):
    """The sanctions ladder's steps (DOMAIN.md, Seller performance and sanctions; `sellers.scoring.Step`)."""

    NONE = "none", _("No sanction")
    WARNING = "warning", _("Warning")
    CAP = "cap", _("Listing cap")
    SUSPENDED = "suspended", _("Suspended by the score")


class TerminationGround(models.TextChoices):
    """Why a seller is terminated. Fraud and safety take effect at once; the others after 30 days' notice
    (the EU platform-to-business rules)."""

    QUALITY = "quality", _("Repeated quality failures")
    TERMS = "terms", _("Breach of the terms")
    FRAUD = "fraud", _("Fraud")
    SAFETY = "safety", _("Product safety")
    OTHER = "other", _("Other")


IMMEDIATE_TERMINATION_GROUNDS = frozenset({TerminationGround.FRAUD, TerminationGround.SAFETY})


class AuditStatus(models.TextChoices):
    """A mystery order: drawn into a sample -> ordered (a real order, paid by the platform) -> recorded
    (findings per unit on arrival); drawn -> cancelled (not ordered after all)."""

    DRAWN = "drawn", _("Drawn")
    ORDERED = "ordered", _("Ordered")
    RECORDED = "recorded", _("Findings recorded")
    CANCELLED = "cancelled", _("Cancelled")


A = AuditStatus
AUDIT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAWN: frozenset({A.ORDERED, A.CANCELLED}),
    A.ORDERED: frozenset({A.RECORDED}),
    A.RECORDED: frozenset(),
    A.CANCELLED: frozenset(),
}
