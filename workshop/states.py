"""A refurbished unit's life on the seller's board (DOMAIN.md, Refurbishment): the statuses and the moves.

    received -> diagnosed -> in_repair -> quality_check -> ready -> listed -> sold
    diagnosed -> quality_check           (nothing to repair)
    quality_check -> in_repair           (a check failed: back to repair)
    ready -> in_repair                   (something found after the check)
    listed -> ready                      (taken off its listing: the listing's stock goes down by one)
    any status before sold -> parts | recycled
sold, parts and recycled are final: a unit a customer sends back is a new unit (source: return)
with the same identifier, so each of the device's lives keeps its own record.

Who moves what: the seller's moves (`SELLER_MOVES`, the board's buttons and
`POST /api/v1/seller/units/{id}/transition/`) are every move but three that have their own door:
quality_check -> ready needs a quality check with every item passed (`unit_quality_check_record`),
ready -> listed goes through the listing step (`unit_list`: the one listing door, probation cap
included), listed -> sold happens at shipping (orders' `seller_order_shipped` hook).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DIAGNOSED = "diagnosed", _("Diagnosed")
    IN_REPAIR = "in_repair", _("In repair")
    QUALITY_CHECK = "quality_check", _("Quality check")
    READY = "ready", _("Ready to list")
    LISTED = "listed", _("Listed")
    SOLD = "sold", _("Sold")
    PARTS = "parts", _("Parts")
    RECYCLED = "recycled", _("Recycled")


S = UnitStatus
_OUT = frozenset({S.PARTS, S.RECYCLED})
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.DIAGNOSED}) | _OUT,
    S.DIAGNOSED: frozenset({S.IN_REPAIR, S.QUALITY_CHECK}) | _OUT,
    S.IN_REPAIR: frozenset({S.QUALITY_CHECK}) | _OUT,
    S.QUALITY_CHECK: frozenset({S.IN_REPAIR, S.READY}) | _OUT,
    S.READY: frozenset({S.LISTED, S.IN_REPAIR}) | _OUT,
    S.LISTED: frozenset({S.SOLD, S.READY}),
    S.SOLD: frozenset(),
    S.PARTS: frozenset(),
    S.RECYCLED: frozenset(),
}
# The moves with a door of their own (see the module's docstring).
_OWN_DOOR = {(S.QUALITY_CHECK, S.READY), (S.READY, S.LISTED), (S.LISTED, S.SOLD)}
SELLER_MOVES: dict[str, frozenset[str]] = {
    status: frozenset(to for to in moves if (status, to) not in _OWN_DOOR) for status, moves in TRANSITIONS.items()
}
# A unit the seller holds: its identifier is its own among the seller's active units.
ACTIVE = frozenset({S.RECEIVED, S.DIAGNOSED, S.IN_REPAIR, S.QUALITY_CHECK, S.READY, S.LISTED})
FINAL = frozenset({S.SOLD, S.PARTS, S.RECYCLED})
# The board's columns, in the order work flows.
BOARD_COLUMNS = (S.RECEIVED, S.DIAGNOSED, S.IN_REPAIR, S.QUALITY_CHECK, S.READY, S.LISTED)
# How long a unit may stay in a status before it is overdue, in the seller's business days (its home
# market's calendar). Listed units wait for a buyer: never overdue.
DUE_BUSINESS_DAYS: dict[str, int] = {
    S.RECEIVED: 1,
    S.DIAGNOSED: 2,
    S.IN_REPAIR: 3,
    S.QUALITY_CHECK: 1,
    S.READY: 2,
}


def allowed_moves(status: str, *, table: dict[str, frozenset[str]] = SELLER_MOVES) -> list[str]:
    """The statuses reachable from `status` in `table`, sorted (named in 409 problems)."""
    return sorted(table.get(status, frozenset()))


class UnitSource(models.TextChoices):
    TRADEIN = "tradein", _("Routed trade-in")
    PURCHASE = "purchase", _("Own purchase")
    RETURN = "return", _("Customer return")


class WorkKind(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    REPAIR = "repair", _("Repair")


class PartOrigin(models.TextChoices):
    """Premium promises only original or manufacturer-certified parts (DOMAIN.md, grades)."""

    ORIGINAL = "original", _("Original")
    CERTIFIED = "certified", _("Manufacturer-certified")
    THIRD_PARTY = "third_party", _("Third-party")


class Cosmetic(models.TextChoices):
    """What the eye finds on one face of the device, best first (the grade table's words)."""

    FLAWLESS = "flawless", _("Flawless, like new")
    NOT_AT_20CM = "not_at_20cm", _("Marks not visible at 20 cm")
    NOT_AT_50CM = "not_at_50cm", _("Marks visible at 20 cm, not at 50 cm")
    VISIBLE = "visible", _("Visible scratches or dents")
    CRACKED = "cracked", _("Cracked")


COSMETIC_RANK: dict[str, int] = {
    Cosmetic.FLAWLESS: 0,
    Cosmetic.NOT_AT_20CM: 1,
    Cosmetic.NOT_AT_50CM: 2,
    Cosmetic.VISIBLE: 3,
    Cosmetic.CRACKED: 4,
}


class WorkerKind(models.TextChoices):
    TECHNICIAN = "technician", _("Technician")
    PARTNER_WORKSHOP = "partner_workshop", _("Partner workshop")


class FlagReason(models.TextChoices):
    HELD_BY_ANOTHER_SELLER = "held_elsewhere", _("Held by another seller")
    BLOCKLISTED = "blocklisted", _("On the stolen-device blocklist")
