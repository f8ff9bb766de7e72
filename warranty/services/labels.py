"""Labels Encore makes for returns and repairs, their PDF, and carrier scans.

A label goes from the buyer (the order's delivery address) to the seller's return address, with an
Encore tracking number. Scans arrive through the signed carrier-events endpoint
(`warranty.views_carrier`) or are recorded by hand in the console; each scan's event id is recorded
once (`INSERT ... ON CONFLICT DO NOTHING`), so a replayed event changes nothing. A delivery scan of a
return label starts the 14 days after which the return is refunded by itself; of a repair label, it
starts the repair clock if the seller has not marked the unit received yet. Scans of other parcels
(trade-ins) are kept and passed on through `warranty.hooks.carrier_scan_recorded`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.actors import Actor
from marketplace.documents.labels import LabelAddress, ShippingLabel, shipping_label_pdf
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.i18n import email_language
from marketplace.models import Market, Organisation
from marketplace.transitions import audit_record
from orders.models import Order
from warranty import deadlines, hooks
from warranty.models import CarrierScan, Claim, Label, Return, SellerReturnAddress
from warranty.states import ClaimStatus, LabelPurpose, ReturnStatus, ScanStatus

CARRIER = "Encore Returns (prepaid)"


def seller_return_address_set(
    *, organisation: Organisation, name: str, address_line: str, postal_code: str, city: str, country: str
) -> SellerReturnAddress:
    """Record where a seller receives returns and repairs (called by the sellers app when its address is
    set). Upsert; runs in the caller's transaction."""
    address, _created = SellerReturnAddress.objects.update_or_create(
        organisation=organisation,
        defaults={
            "name": name.strip()[:200],
            "address_line": address_line.strip()[:200],
            "postal_code": postal_code.strip()[:20],
            "city": city.strip()[:100],
            "country": country.strip().lower()[:2],
            "updated_at": timezone.now(),
        },
    )
    return address


def _country_name(code: str) -> str:
    market = Market.objects.filter(code=code.lower()).only("country").first()
    return market.country if market is not None else code.upper()


def _buyer_address(order: Order) -> dict[str, Any]:
    return {
        "name": order.full_name,
        "lines": [order.address_line, f"{order.postal_code} {order.city}", _country_name(order.country)],
    }


def _seller_address(seller: Organisation) -> dict[str, Any]:
    address = SellerReturnAddress.objects.filter(organisation=seller).first()
    if address is not None:
        return {
            "name": address.name,
            "lines": [address.address_line, f"{address.postal_code} {address.city}", _country_name(address.country)],
        }
    # No return address on file: the parcel goes to Encore's returns centre, which forwards it.
    return {"name": f"{seller.name} c/o Encore", "lines": list(settings.RETURNS_CENTRE_ADDRESS)}


def label_issue(*, claim: Claim | None = None, ret: Return | None = None) -> Label:
    """Make the prepaid label of a repair (claim) or a return, once: a second call returns the first label.
    Runs in the caller's transaction."""
    if (claim is None) == (ret is None):
        raise ValueError("a label is for one claim or one return")
    if claim is not None:
        existing = Label.objects.filter(claim=claim).first()
        if existing is not None:
            return existing
        order = claim.line.seller_order.order
        return Label.objects.create(
            carrier=CARRIER,
            purpose=LabelPurpose.REPAIR,
            claim=claim,
            sender=_buyer_address(order),
            recipient=_seller_address(claim.seller),
        )
    assert ret is not None  # noqa: S101 - narrowed by the check above
    existing = Label.objects.filter(ret=ret).first()
    if existing is not None:
        return existing
    return Label.objects.create(
        carrier=CARRIER,
        purpose=LabelPurpose.RETURN,
        ret=ret,
        sender=_buyer_address(ret.seller_order.order),
        recipient=_seller_address(ret.seller),
    )


def label_pdf(*, label: Label) -> bytes:
    """The label as a PDF, in the language of the market the order was placed in."""
    if label.claim_id is not None:
        claim = label.claim
        assert claim is not None  # noqa: S101
        market, order_number, reference = claim.market, claim.line.seller_order.order.number, claim.reference
        unit = claim.identifier
    else:
        ret = label.ret
        assert ret is not None  # noqa: S101
        market, order_number, reference = ret.market, ret.seller_order.order.number, ret.reference
        unit = ", ".join(item.unit.identifier for item in ret.items.all())
    with translation.override(email_language(market.language)):
        title = _("Prepaid return label") if label.purpose == LabelPurpose.RETURN else _("Prepaid repair label")
        instructions = [
            _("Switch the device off, remove your SIM card and sign out of your accounts."),
            _("Pack it with care, stick this label on the parcel and drop it at any post office or relay point."),
            _("Units: %(units)s") % {"units": unit},
        ]
        document = ShippingLabel(
            title=title,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            sender_heading=_("From"),
            sender=LabelAddress(label.sender["name"], tuple(label.sender["lines"])),
            recipient_heading=_("To"),
            recipient=LabelAddress(label.recipient["name"], tuple(label.recipient["lines"])),
            reference=_("%(reference)s · order %(order)s") % {"reference": reference, "order": order_number},
            qr_payload=f"ENCORE:{label.purpose.upper()}:{label.tracking_number}",
            instructions=instructions,
        )
    return shipping_label_pdf(document)


def carrier_scan_record(
    *,
    tracking_number: str,
    status: str,
    occurred_at: datetime,
    event_id: str,
    source: str,
    actor: Actor,
    now: datetime | None = None,
) -> CarrierScan | None:
    """Record one carrier scan, once per `event_id`; returns None for a replayed event.

    Preconditions: `status` is in_transit or delivered; `occurred_at` is aware and not in the future
    (the caller checks the shape). For one of warranty's labels: the label's pickup or delivery
    time; a delivered return label starts the 14-day automatic refund; a delivered repair label
    starts the repair clock if the seller has not marked the unit received. Other tracking numbers
    fire `hooks.carrier_scan_recorded`. Raises VALIDATION for an unknown status.
    """
    if status not in ScanStatus.values:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Unknown scan status."),
            errors=[{"field": "status", "message": _("One of in_transit, delivered.")}],
        )
    now = now or timezone.now()
    tracking_number = tracking_number.strip().upper()
    with transaction.atomic():
        label = Label.objects.select_for_update().filter(tracking_number=tracking_number).first()
        try:
            with transaction.atomic():
                scan = CarrierScan.objects.create(
                    tracking_number=tracking_number,
                    label=label,
                    event_id=event_id[:100],
                    status=status,
                    occurred_at=occurred_at,
                    received_at=now,
                    source=source,
                    recorded_by=actor.label[:200],
                )
        except IntegrityError:
            return None  # this event was already recorded
        if label is None:
            hooks.carrier_scan_recorded.fire(
                tracking_number=tracking_number, status=status, occurred_at=occurred_at, source=source
            )
            return scan
        _apply_scan(label, status=status, occurred_at=occurred_at, actor=actor)
    return scan


def _apply_scan(label: Label, *, status: str, occurred_at: datetime, actor: Actor) -> None:
    if status == ScanStatus.IN_TRANSIT:
        if label.in_transit_at is None:
            Label.objects.filter(pk=label.pk).update(in_transit_at=occurred_at)
        return
    if label.delivered_at is not None:
        return
    Label.objects.filter(pk=label.pk).update(delivered_at=occurred_at, in_transit_at=label.in_transit_at or occurred_at)
    if label.ret_id is not None:
        ret = Return.objects.select_related("seller").get(pk=label.ret_id)
        Return.objects.filter(pk=ret.pk, status=ReturnStatus.OPENED, refund_due_at__isnull=True).update(
            refund_due_at=deadlines.return_refund_due(occurred_at), updated_at=timezone.now()
        )
        audit_record(
            obj=ret,
            actor=actor,
            from_status=ret.status,
            to_status=ret.status,
            reason=f"label {label.tracking_number} delivered to the seller",
            organisation=ret.seller,
        )
    elif label.claim_id is not None:
        claim = Claim.objects.select_related("market", "seller").get(pk=label.claim_id)
        if claim.status == ClaimStatus.IN_REPAIR and claim.unit_received_at is None and claim.repair_due_at is None:
            # The seller has not marked the unit received: the carrier's delivery starts the repair clock.
            Claim.objects.filter(pk=claim.pk).update(
                repair_due_at=deadlines.repair_due(occurred_at, market=claim.market), updated_at=timezone.now()
            )
        audit_record(
            obj=claim,
            actor=actor,
            from_status=claim.status,
            to_status=claim.status,
            reason=f"label {label.tracking_number} delivered to the seller",
            organisation=claim.seller,
        )
