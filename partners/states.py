"""Webhook delivery statuses (API.md) and the endpoint's reasons for being disabled."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    """pending: waiting for its first attempt (or a manual redelivery); retrying: an attempt failed and
    another is scheduled; succeeded: a 2xx answer; failed: given up (3 days, 410, endpoint disabled)."""

    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


# A delivery's moves. They are made by conditional UPDATEs that filter on the source status
# (`partners/services/delivery.py`): a delivery moves at machine speed and its attempts table is
# its audit trail, so it does not write a kernel audit row per move.
TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.PENDING: frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.RETRYING, DeliveryStatus.FAILED}),
    DeliveryStatus.RETRYING: frozenset(
        {DeliveryStatus.SUCCEEDED, DeliveryStatus.RETRYING, DeliveryStatus.FAILED, DeliveryStatus.PENDING}
    ),
    # Redelivered by hand: a new attempt, whatever the outcome of the last.
    DeliveryStatus.SUCCEEDED: frozenset({DeliveryStatus.PENDING}),
    DeliveryStatus.FAILED: frozenset({DeliveryStatus.PENDING}),
}
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def sources_of(status: DeliveryStatus) -> list[str]:
    """The statuses a delivery may move to `status` from."""
    return [source.value for source, targets in TRANSITIONS.items() if status in targets]


class DisabledReason(models.TextChoices):
    NONE = "", _("Enabled")
    BY_HAND = "by_hand", _("Disabled by hand")
    GONE = "gone", _("The receiver answered 410 Gone")
    FAILING = "failing", _("Failing for 3 days")


class AttemptTrigger(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    MANUAL = "manual", _("Redelivered by hand")
