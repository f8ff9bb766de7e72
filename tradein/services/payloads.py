"""The trade-in as the API's GET returns it: one function for the endpoint and the outbox's events
(API.md: an event's `data` is the object as its GET endpoint returns it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from tradein.models import Batch, TradeIn
from tradein.selectors import batch_devices, tradein_timelines
from tradein.states import PayoutMethod


def _url(name: str, *args: object) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=args)


def _related(tradein: TradeIn, name: str) -> Any:
    try:
        return getattr(tradein, name)
    except ObjectDoesNotExist:  # a reverse one-to-one not made yet
        return None


def tradein_payload(tradein: TradeIn, timeline: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`timeline`: the status changes (selectors.tradein_timelines); read here when not given."""
    if timeline is None:
        timeline = tradein_timelines([tradein.pk]).get(tradein.pk, [])
    counter_offer = _related(tradein, "counter_offer")
    certificate = _related(tradein, "certificate")
    inspection = _related(tradein, "inspection")
    payout = _related(tradein, "payout")
    has_label = tradein.tracking_number is not None
    return {
        "id": tradein.pk,
        "reference": tradein.reference,
        "status": tradein.status,
        "product": tradein.product.slug,
        "product_name": tradein.product.name,
        "variant": tradein.variant_id,
        "market": tradein.market_id,
        "declared_condition": tradein.declared_condition,
        "answers": tradein.answers,
        "offer": tradein.offer.as_dict(),
        "expires_at": tradein.expires_at,
        "final_price": tradein.final_price.as_dict() if tradein.final_price is not None else None,
        "payout": {
            "method": tradein.payout_method,
            "status": payout.status if payout is not None else None,
            "amount": payout.money.as_dict() if payout is not None else None,
        }
        if tradein.payout_method
        else None,
        "partner_reference": tradein.partner_reference,
        "carrier": tradein.carrier,
        "tracking_number": tradein.tracking_number,
        "send_by": tradein.send_by,
        "label_url": _url("api-tradein-label", tradein.pk) if has_label and tradein.partner_id else None,
        "received_at": tradein.received_at,
        "inspection": {
            "condition": inspection.condition,
            "identifier_last4": inspection.identifier[-4:],
            "activation_lock": inspection.activation_lock,
            "battery_health": inspection.battery_health,
            "inspected_at": inspection.inspected_at,
        }
        if inspection is not None
        else None,
        "counter_offer": {
            "price": counter_offer.money.as_dict(),
            "reason": counter_offer.reason,
            "note": counter_offer.note,
            "expires_at": counter_offer.expires_at,
            "outcome": counter_offer.outcome,
            "return_tracking_number": counter_offer.return_tracking_number or None,
        }
        if counter_offer is not None
        else None,
        "certificate_url": (
            _url("api-tradein-certificate", tradein.pk)
            if tradein.partner_id
            else _url("tradein:account_certificate", tradein.reference)
        )
        if certificate is not None
        else None,
        "verify_url": _url("tradein:verify", certificate.number) if certificate is not None else None,
        "certificate_number": certificate.number if certificate is not None else None,
        "timeline": timeline,
        "store_credit_bonus": tradein.payout_method == PayoutMethod.STORE_CREDIT,
        "created_at": tradein.created_at,
    }


def _iso(value: Any) -> Any:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def batch_payload(batch: Batch, devices: list[TradeIn] | None = None) -> dict[str, Any]:
    """A business batch as its GET returns it: the quote, the payout, the parcels, every device with its
    status and price, and the documents' addresses once they exist. `devices`: loaded by the caller
    with their related rows (`selectors.batch_devices`), read here when not given."""
    devices = devices if devices is not None else list(batch_devices(batch))
    progress: dict[str, int] = {}
    wiped = paid = False
    rows = []
    for device in devices:
        progress[device.status] = progress.get(device.status, 0) + 1
        counter_offer = _related(device, "counter_offer")
        certificate = _related(device, "certificate")
        payout = _related(device, "payout")
        wiped = wiped or certificate is not None
        paid = paid or (payout is not None and payout.status in ("credited", "sent"))
        rows.append(
            {
                "id": device.pk,
                "reference": device.reference,
                "status": device.status,
                "product": device.product.slug,
                "product_name": device.product.name,
                "variant": device.variant_id,
                "identifier": device.declared_identifier,
                "declared_condition": device.declared_condition,
                "offer": device.offer.as_dict(),
                "final_price": device.final_price.as_dict() if device.final_price is not None else None,
                "parcel": device.parcel.number if device.parcel_id and device.parcel else None,
                "counter_offer": {
                    "price": counter_offer.money.as_dict(),
                    "reason": counter_offer.reason,
                    "note": counter_offer.note,
                    "expires_at": _iso(counter_offer.expires_at),
                    "outcome": counter_offer.outcome,
                }
                if counter_offer is not None
                else None,
                "certificate_number": certificate.number if certificate is not None else None,
            }
        )
    accepted = batch.status == "accepted"
    return {
        "id": batch.pk,
        "reference": batch.reference,
        "status": batch.status,
        "market": batch.market_id,
        "device_count": batch.device_count,
        "offer_total": batch.offer_total.as_dict(),
        "expires_at": _iso(batch.expires_at),
        "partner_reference": batch.partner_reference,
        "payout_method": batch.payout_method or None,
        "accepted_at": _iso(batch.accepted_at),
        "send_by": _iso(batch.send_by),
        "progress": dict(sorted(progress.items())),
        "parcels": [
            {
                "number": parcel.number,
                "reference": parcel.reference,
                "tracking_number": parcel.tracking_number,
                "devices": sum(1 for device in devices if device.parcel_id == parcel.pk),
                "received_at": _iso(parcel.received_at),
            }
            for parcel in batch.parcels.all()
        ],
        "devices": rows,
        "labels_url": _url("api-tradein-batch-labels", batch.pk) if accepted else None,
        "report_url": _url("api-tradein-batch-report", batch.pk),
        "certificates_url": _url("api-tradein-batch-certificates", batch.pk) if wiped else None,
        "credit_note_url": _url("api-tradein-batch-credit-note", batch.pk) if paid else None,
        "created_at": _iso(batch.created_at),
    }
