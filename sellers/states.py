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
