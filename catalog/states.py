"""Listing lifecycle: the statuses (DOMAIN words) and the moves allowed between them.

draft -> active | deactivated
active -> paused | paused_by_platform | deactivated
paused -> active | paused_by_platform | deactivated
paused_by_platform -> active | paused | deactivated   (only the platform resumes; see services)
deactivated: final (the row stays for history).

Who may make which move is decided by the named services in `catalog/services.py`
(a seller cannot lift a platform pause); this table only says which moves exist.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    PAUSED_BY_PLATFORM = "paused_by_platform", _("Paused by the platform")
    DEACTIVATED = "deactivated", _("Deactivated")


TRANSITIONS: dict[str, frozenset[str]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.ACTIVE, ListingStatus.DEACTIVATED}),
    ListingStatus.ACTIVE: frozenset(
        {ListingStatus.PAUSED, ListingStatus.PAUSED_BY_PLATFORM, ListingStatus.DEACTIVATED}
    ),
    ListingStatus.PAUSED: frozenset(
        {ListingStatus.ACTIVE, ListingStatus.PAUSED_BY_PLATFORM, ListingStatus.DEACTIVATED}
    ),
    ListingStatus.PAUSED_BY_PLATFORM: frozenset(
        {ListingStatus.ACTIVE, ListingStatus.PAUSED, ListingStatus.DEACTIVATED}
    ),
    ListingStatus.DEACTIVATED: frozenset(),
}

# Statuses a seller may ask for when creating or editing (API.md: paused_by_platform is read-only).
SELLER_SETTABLE = frozenset({ListingStatus.DRAFT, ListingStatus.ACTIVE, ListingStatus.PAUSED})
