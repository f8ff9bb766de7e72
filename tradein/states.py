"""Trade-in lifecycle (DOMAIN.md, Trade-in): the statuses and the moves allowed between them.

    quoted -> accepted (label issued) | expired (not accepted within 14 days)
    accepted -> received (intake scan or carrier scan) | expired (not received within 21 days)
    received -> inspected | held (the identifier is on the stolen-device blocklist: reported, never paid)
    inspected -> counter_offered (worse than declared) | paid (payout made)
    counter_offered -> counter_accepted | returned (declined, or no answer within 14 days)
    counter_accepted -> paid
    paid -> routed (sold to a refurbisher in a lot, or recycled)
expired, held, returned and routed are final.

A bank transfer is paid when the SEPA file that carries it is marked as sent; store credit and
partner credit are paid at once, when the price is final (inspected as declared, or the
counter-offer accepted).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TradeInStatus(models.TextChoices):
    QUOTED = "quoted", _("Quoted")
    ACCEPTED = "accepted", _("Accepted, to send")
    EXPIRED = "expired", _("Expired")
    RECEIVED = "received", _("Received")
    HELD = "held", _("Held (reported device)")
    INSPECTED = "inspected", _("Inspected")
    COUNTER_OFFERED = "counter_offered", _("Counter-offer to answer")
    COUNTER_ACCEPTED = "counter_accepted", _("Counter-offer accepted")
    RETURNED = "returned", _("Sent back")
    PAID = "paid", _("Paid")
    ROUTED = "routed", _("Routed")


T = TradeInStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    T.QUOTED: frozenset({T.ACCEPTED, T.EXPIRED}),
    T.ACCEPTED: frozenset({T.RECEIVED, T.EXPIRED}),
    T.RECEIVED: frozenset({T.INSPECTED, T.HELD}),
    T.INSPECTED: frozenset({T.COUNTER_OFFERED, T.PAID}),
    T.COUNTER_OFFERED: frozenset({T.COUNTER_ACCEPTED, T.RETURNED}),
    T.COUNTER_ACCEPTED: frozenset({T.PAID}),
    T.PAID: frozenset({T.ROUTED}),
    T.EXPIRED: frozenset(),
    T.HELD: frozenset(),
    T.RETURNED: frozenset(),
    T.ROUTED: frozenset(),
}
# The price is final: the device is the platform's once paid for.
PRICE_FINAL = frozenset({T.INSPECTED, T.COUNTER_ACCEPTED, T.PAID, T.ROUTED})
# The device is at the warehouse (for the intake and inspection pages).
AT_WAREHOUSE = frozenset({T.RECEIVED, T.INSPECTED, T.COUNTER_OFFERED, T.COUNTER_ACCEPTED, T.PAID, T.HELD})


def allowed_moves(status: str) -> list[str]:
    """The statuses reachable from `status`, sorted (named in 409 problems)."""
    return sorted(TRANSITIONS.get(status, frozenset()))


class Condition(models.TextChoices):
    """What a device is worth to a refurbisher, best first (DOMAIN.md)."""

    LIKE_NEW = "like_new", _("Like new")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    BROKEN = "broken", _("Broken")


CONDITION_RANK: dict[str, int] = {
    Condition.LIKE_NEW: 0,
    Condition.GOOD: 1,
    Condition.FAIR: 2,
    Condition.BROKEN: 3,
}


def worse(a: str, b: str) -> bool:
    """True when condition `a` is worse than `b`."""
    return CONDITION_RANK[a] > CONDITION_RANK[b]


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    STORE_CREDIT = "store_credit", _("Store credit (+10 %)")
    PARTNER_CREDIT = "partner_credit", _("Partner credit")


class PayoutStatus(models.TextChoices):
    """A bank transfer waits for a SEPA file (pending), is in one (batched), then the file is sent."""

    PENDING = "pending", _("To pay")
    BATCHED = "batched", _("In a SEPA file")
    SENT = "sent", _("Sent to the bank")
    CREDITED = "credited", _("Credited")


class CounterOfferReason(models.TextChoices):
    """Why the inspected device is worth less than declared."""

    SCREEN = "screen_damage", _("The screen is more damaged than declared")
    BODY = "body_damage", _("The body is more damaged than declared")
    FUNCTIONS = "functions_faulty", _("Some functions do not work")
    BATTERY = "battery_worn", _("The battery is more worn than declared")
    POWER = "does_not_power_on", _("The device does not power on")
    ACCOUNT_LOCK = "activation_lock", _("An account or activation lock is still on")
    LIQUID = "liquid_damage", _("The device has liquid damage")
    OTHER = "other", _("Other (see the note)")


class CounterOfferOutcome(models.TextChoices):
    OPEN = "open", _("Waiting for the answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("No answer in time")


class ErasureMethod(models.TextChoices):
    """NIST SP 800-88 Rev. 1 sanitisation methods a resale allows (destroy is for recycling)."""

    CLEAR = "clear", _("Clear (NIST SP 800-88)")
    PURGE = "purge", _("Purge (NIST SP 800-88)")


class ErasureResult(models.TextChoices):
    PASSED = "passed", _("Passed: verified erased")
    FAILED = "failed", _("Failed")


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open for bids")
    SOLD = "sold", _("Sold")
    UNSOLD = "unsold", _("Closed without a buyer")


LOT_TRANSITIONS: dict[str, frozenset[str]] = {
    LotStatus.OPEN: frozenset({LotStatus.SOLD, LotStatus.UNSOLD}),
    LotStatus.SOLD: frozenset(),
    LotStatus.UNSOLD: frozenset(),
}


class BatchStatus(models.TextChoices):
    """A business batch: quoted (one batch quote, 14 days) -> accepted (parcels and labels) | expired.
    Its devices then move one by one (received, inspected, counter-offered, paid...)."""

    QUOTED = "quoted", _("Quoted")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")


BATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.QUOTED: frozenset({BatchStatus.ACCEPTED, BatchStatus.EXPIRED}),
    BatchStatus.ACCEPTED: frozenset(),
    BatchStatus.EXPIRED: frozenset(),
}
# A device whose story is over (nothing more will happen to it in its batch).
FINAL = frozenset({T.EXPIRED, T.HELD, T.RETURNED, T.PAID, T.ROUTED})


class ReminderKind(models.TextChoices):
    WARRANTY_ENDING = "warranty_ending", _("Warranty ending")
    GUARANTEE_ENDING = "guarantee_ending", _("Guaranteed buy-back ending")


class Route(models.TextChoices):
    RESOLD = "resold", _("Resold to a refurbisher")
    RECYCLED = "recycled", _("Recycled")
