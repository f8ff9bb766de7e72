"""The trade-in as the API's GET returns it: one function for the endpoint and the outbox's events
(API.md: an event's `data` is the object as its GET endpoint returns it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from tradein.models import TradeIn
from tradein.selectors import tradein_timelines
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
