"""Stripe's money events beyond paid and failed: refunds made in Stripe's dashboard and card disputes.

Called by `payment.stripe_event_process` inside the transaction that records the event id, so each
event acts once; each effect is idempotent on its own key too (a refund's id, a dispute's id and seller
order), since Stripe sends a new `charge.refunded` for every refund, listing the earlier ones again.

- `charge.refunded`: each refund not made by Encore (Encore's carry their idempotency key as metadata,
  and their reference once done) is recorded once as a refund of the order (`refunds.refund_record_external`):
  ledger journal, the seller's share debited, `order.refunded`.
- `charge.dispute.created`: the disputed amount is split over the order's seller orders; each one's net share
  is held (`ledger.book_dispute`), a `Dispute` row and an audit row under the seller; the seller's owners
  and the success managers are e-mailed after commit.
- `charge.dispute.closed`: won (or an inquiry closed): the hold released; lost: the disputed amount booked
  as lost, the seller's share debited, the payment's refundable amount reduced by it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.money import Money
from marketplace.transitions import audit_record
from orders import gateways, notifications
from orders.models import Dispute, DisputeStatus, Payment, SellerOrder
from orders.services import ledger
from orders.services.refunds import refund_record_external, seller_order_shares

logger = logging.getLogger(__name__)
REFUND_REASON = "Refunded in Stripe's dashboard"
CLOSED = {"won": DisputeStatus.WON, "warning_closed": DisputeStatus.WON, "lost": DisputeStatus.LOST}


def _payment_of(data: dict[str, Any]) -> Payment | None:
    reference = data.get("payment_intent")
    if isinstance(reference, dict):
        reference = reference.get("id")
    return Payment.objects.filter(reference=reference).first() if reference else None


# --- charge.refunded ----------------------------------------------------------------------------------
def stripe_charge_refunded(*, charge: dict[str, Any], actor: Actor) -> int:
    """Record the refunds of `charge` Encore did not make. Returns how many were new."""
    payment = _payment_of(charge)
    if payment is None:
        logger.warning("charge.refunded for an unknown charge %s", charge.get("id"))
        return 0
    listed = (charge.get("refunds") or {}).get("data")
    if listed is None:
        # Recent API versions leave the list out of the event: ask Stripe (an error makes the webhook
        # answer 500, and Stripe delivers the event again).
        listed = gateways.stripe_refunds_of(payment_intent=payment.reference or "")
    recorded = 0
    for refund in listed:
        if refund.get("status") not in ("succeeded", "pending"):
            continue
        if (refund.get("metadata") or {}).get("encore_refund"):
            continue  # Encore's own refund (`refunds.refund_issue`)
        if refund_record_external(
            payment=payment,
            amount=Money(int(refund.get("amount") or 0), str(refund.get("currency") or payment.currency).upper()),
            reference=str(refund.get("id")),
            actor=actor,
            reason=REFUND_REASON,
        ):
            recorded += 1
    return recorded


# --- charge.dispute.created / closed ------------------------------------------------------------------
def stripe_dispute_created(*, dispute: dict[str, Any], actor: Actor) -> list[Dispute]:
    """Hold each seller's net share of the disputed amount (once per dispute and seller order)."""
    payment = _payment_of(dispute)
    dispute_id = str(dispute.get("id") or "")
    if payment is None or not dispute_id:
        logger.warning("charge.dispute.created for an unknown payment (%s)", dispute_id)
        return []
    with transaction.atomic():
        Payment.objects.select_for_update().get(pk=payment.pk)
        existing = list(Dispute.objects.filter(stripe_dispute_id=dispute_id))
        if existing:
            return existing
        amount = int(dispute.get("amount") or 0)
        reason = str(dispute.get("reason") or "")[:60]
        opened: list[Dispute] = []
        for seller_order, share in seller_order_shares(payment=payment, amount=amount):
            if seller_order is None:
                logger.error("Dispute %s: %s of the amount is not any seller's", dispute_id, share)
                continue
            locked = (
                SellerOrder.objects.select_for_update(of=("self",)).select_related("seller").get(pk=seller_order.pk)
            )
            row = Dispute.objects.create(
                stripe_dispute_id=dispute_id,
                payment=payment,
                seller_order=locked,
                seller_id=locked.seller_id,
                amount=share,
                held_amount=share - ledger.commission_share(seller_order=locked, amount=share),
                currency=payment.currency,
                reason=reason,
            )
            ledger.book_dispute(dispute=row, seller_order=locked)
            audit_record(
                obj=row,
                actor=actor,
                from_status="",
                to_status=DisputeStatus.OPEN,
                reason=f"card dispute {dispute_id}: {reason or 'no reason given'}; {row.held} held",
                organisation=locked.seller,
            )
            opened.append(row)
        ids = [row.pk for row in opened]
        if ids:
            transaction.on_commit(lambda: notifications.dispute_opened_notify_task.delay(ids))
    return opened


def stripe_dispute_closed(*, dispute: dict[str, Any], actor: Actor) -> list[Dispute]:
    """Won: release the holds. Lost: book the disputed amount as lost. Rows already closed stay as they are.
    The seller's owners and the success managers get an e-mail saying which, after commit."""
    dispute_id = str(dispute.get("id") or "")
    outcome = CLOSED.get(str(dispute.get("status") or ""))
    if outcome is None:
        logger.warning("charge.dispute.closed %s with status %s: nothing to do", dispute_id, dispute.get("status"))
        return []
    closed: list[Dispute] = []
    with transaction.atomic():
        rows = list(
            Dispute.objects.select_for_update()
            .filter(stripe_dispute_id=dispute_id, status=DisputeStatus.OPEN)
            .order_by("pk")
        )
        for row in rows:
            seller_order = SellerOrder.objects.select_for_update().select_related("seller").get(pk=row.seller_order_id)
            ledger.book_dispute(dispute=row, seller_order=seller_order, outcome=outcome)
            if outcome == DisputeStatus.LOST:
                # The cardholder has the money back: it can no longer be refunded.
                Payment.objects.filter(pk=row.payment_id).update(
                    refunded_amount=Least(F("captured_amount"), F("refunded_amount") + row.amount),
                    updated_at=timezone.now(),
                )
            Dispute.objects.filter(pk=row.pk).update(status=outcome, closed_at=timezone.now())
            audit_record(
                obj=row,
                actor=actor,
                from_status=DisputeStatus.OPEN,
                to_status=outcome,
                reason=f"card dispute {dispute_id} {outcome}"
                + (f": {row.money} lost, {row.held} debited" if outcome == DisputeStatus.LOST else ": hold released"),
                organisation=seller_order.seller,
            )
            closed.append(row)
        ids = [row.pk for row in closed]
        if ids:
            transaction.on_commit(lambda: notifications.dispute_closed_notify_task.delay(ids))
    if not rows and not Dispute.objects.filter(stripe_dispute_id=dispute_id).exists():
        logger.warning("charge.dispute.closed for an unknown dispute %s", dispute_id)
    return closed
