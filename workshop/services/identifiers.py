"""A unit's identifier, checked as at shipping (an IMEI's Luhn digit, or a serial's shape) and against the
seller's other units and the platform's records.

- Not a valid IMEI or serial: refused (INVALID_DEVICE_IDENTIFIER, naming the field).
- On the stolen-device blocklist: refused (DEVICE_BLOCKLISTED) and reported to success managers.
- Already one of the seller's active units: refused (UNIT_ALREADY_HELD, naming that unit).
- An active unit of another seller: accepted, and flagged to success managers by the caller once the
  unit exists. The seller is never told (that would reveal another seller's stock).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation
from orders.models import BlockedDevice
from orders.services.fulfilment import identifier_normalise
from workshop.models import Unit
from workshop.services.flags import flag_record
from workshop.states import ACTIVE, FlagReason


@dataclass(frozen=True)
class CheckedIdentifier:
    value: str
    kind: str
    held_by: Organisation | None = None  # another seller's active unit has it: flag, never tell


def identifier_check(
    *, seller: Organisation, raw: str, field: str = "identifier", exclude_unit_id: int | None = None
) -> CheckedIdentifier:
    """Normalise and check `raw` for a unit of `seller` (see the module's docstring). Call it before the
    unit's transaction: a blocklisted identifier's report is kept although the unit is refused."""
    try:
        value, kind = identifier_normalise(raw)
    except ApplicationError as error:
        raise ApplicationError(error.code, error.message, errors=[{"field": field, "message": error.message}]) from None
    if BlockedDevice.objects.filter(identifier=value).exists():
        flag_record(seller=seller, identifier=value, reason=FlagReason.BLOCKLISTED)
        message = _("%(identifier)s is reported stolen: it cannot be taken in. Encore's team has been told.") % {
            "identifier": value
        }
        raise ApplicationError(ErrorCode.DEVICE_BLOCKLISTED, message, errors=[{"field": field, "message": message}])
    holders = Unit.objects.filter(identifier=value, status__in=ACTIVE).exclude(pk=exclude_unit_id or 0)
    own = holders.filter(seller=seller).first()
    if own is not None:
        message = _("You already hold %(identifier)s as unit %(reference)s (%(status)s).") % {
            "identifier": value,
            "reference": own.reference,
            "status": own.get_status_display(),
        }
        raise ApplicationError(ErrorCode.UNIT_ALREADY_HELD, message, errors=[{"field": field, "message": message}])
    other = holders.exclude(seller=seller).select_related("seller").order_by("received_at").first()
    return CheckedIdentifier(value=value, kind=str(kind), held_by=other.seller if other else None)
