"""Carrier scans of trade-in parcels. Encore has one signed carrier-events endpoint for every label it
makes (`warranty.views.carrier_events`, recording each event once per event id through
`warranty.services.labels.carrier_scan_record`); scans of parcels that are not after-sales labels are
passed up through the hook `warranty.hooks.carrier_scan_recorded`, which trade-in connects to in its
`AppConfig.ready()`. Warranty never imports trade-in.

- The label of an accepted trade-in scanned `delivered` (at the trade-in centre): the trade-in is
  received, as if the intake station had scanned it, at the scan's time.
- Scanned `in_transit`: the pickup is written in the trade-in's audit trail.
- Delivered when the trade-in is no longer waiting for its parcel (received at the intake station
  first, or expired): the scan is written in the audit trail and nothing moves; the intake station
  decides what happens to the parcel. A scan never fails the carrier's call (its other events in the
  same request are kept).
- A business batch's parcel scanned `delivered`: its devices still awaited are received.
- The return label of a device sent back (a declined or lapsed counter-offer): its pickup and its
  delivery to the owner are written in the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.transitions import audit_record
from tradein.models import BatchParcel, CounterOffer, TradeIn
from tradein.services.batches import parcel_receive
from tradein.services.warehouse import tradein_receive
from tradein.states import TradeInStatus

DELIVERED = "delivered"
IN_TRANSIT = "in_transit"


def tradein_carrier_scan(*, tracking_number: str, status: str, occurred_at: datetime, source: str) -> str:
    """Apply one carrier scan (already recorded once per event id by the caller) to the trade-in whose
    label or return label has `tracking_number`. Runs inside the caller's transaction (the hook's).
    Returns what was done, for the logs: `received`, `noted`, or `not a trade-in`.
    Side effects: accepted -> received (`tradein.received`, the owner's e-mail after commit) or an
    audit row. Raises nothing for a trade-in in another state."""
    tracking_number = tracking_number.strip().upper()
    actor = Actor.system("carrier scan" if source == "carrier" else "carrier scan recorded by hand")
    tradein = TradeIn.objects.select_related("partner").filter(tracking_number=tracking_number).first()
    when = f"{timezone.localtime(occurred_at):%Y-%m-%d %H:%M}"
    if tradein is not None:
        if status == DELIVERED and tradein.status == TradeInStatus.ACCEPTED:
            tradein_receive(tradein=tradein, actor=actor, source=f"carrier: delivered {when}", received_at=occurred_at)
            return "received"
        reason = (
            f"carrier: picked up {when}"
            if status == IN_TRANSIT
            else f"carrier: delivered {when}, the trade-in being {tradein.status.replace('_', ' ')} (nothing moved)"
        )
        audit_record(
            obj=tradein,
            actor=actor,
            from_status="",
            to_status="",
            organisation=tradein.partner,
            reason=reason,
        )
        return "noted"
    parcel = BatchParcel.objects.select_related("batch__partner").filter(tracking_number=tracking_number).first()
    if parcel is not None:
        if status == DELIVERED and parcel.received_at is None:
            try:
                parcel_receive(parcel=parcel, actor=actor, source="carrier: delivered", received_at=occurred_at)
            except ApplicationError as error:  # every device expired: noted, never an error for the carrier
                audit_record(
                    obj=parcel.batch,
                    actor=actor,
                    from_status="",
                    to_status="",
                    organisation=parcel.batch.partner,
                    reason=f"carrier: parcel {parcel.number} delivered {when}: {error.message}",
                )
                return "noted"
            return "received"
        audit_record(
            obj=parcel.batch,
            actor=actor,
            from_status="",
            to_status="",
            organisation=parcel.batch.partner,
            reason=f"carrier: parcel {parcel.number} {'picked up' if status == IN_TRANSIT else 'delivered'} {when}",
        )
        return "noted"
    offer = (
        CounterOffer.objects.select_related("tradein__partner").filter(return_tracking_number=tracking_number).first()
    )
    if offer is None:
        return "not a trade-in"
    audit_record(
        obj=offer.tradein,
        actor=actor,
        from_status="",
        to_status="",
        organisation=offer.tradein.partner,
        reason=f"carrier: device sent back {'picked up' if status == IN_TRANSIT else 'delivered to its owner'} {when}",
    )
    return "noted"


def tradein_carrier_scan_recorded(*, tracking_number: str, status: str, occurred_at: datetime, source: str) -> None:
    """The handler connected to `warranty.hooks.carrier_scan_recorded` (see the module's docstring)."""
    tradein_carrier_scan(tracking_number=tracking_number, status=status, occurred_at=occurred_at, source=source)
