"""The shape of a claim and of a return, as their GET endpoints return them and as the outbox carries
them (API.md, Webhooks: `data` is the object as its GET endpoint returns it). One function each, so a
webhook and an API read never disagree. No personal data of the buyer beyond what the seller already
has on the order. Pure: reads only what the object and its prefetched relations hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warranty.models import Claim, ClaimMessage, Return


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _message_data(message: ClaimMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": message.author_role,
        "message": message.body,
        "created": _iso(message.created_at),
        "photos": [
            {"id": photo.pk, "content_type": photo.content_type, "size": photo.size} for photo in message.photos.all()
        ],
    }


def claim_data(claim: Claim, *, messages: bool = True) -> dict[str, Any]:
    """A claim as the API shows it. Prefetch `messages__photos`, `label` and `refund` for lists."""
    label = getattr(claim, "label", None)
    data: dict[str, Any] = {
        "id": claim.pk,
        "reference": claim.reference,
        "status": claim.status,
        "outcome": claim.outcome or None,
        "category": claim.category,
        "description": claim.description,
        "order": claim.line.seller_order.order.number,
        "seller_order": claim.line.seller_order_id,
        "order_line": claim.line_id,
        "unit": claim.identifier,
        "resolution": claim.resolution or None,
        "answer": claim.answer_message or None,
        "escalation_reason": claim.escalation_reason or None,
        "replacement_unit": claim.replacement_identifier or None,
        "refund": (
            {"amount": claim.refund.money.as_dict(), "status": claim.refund.status}
            if claim.refund is not None
            else None
        ),
        "label": {"tracking_number": label.tracking_number, "carrier": label.carrier} if label is not None else None,
        "opened_at": _iso(claim.opened_at),
        "answer_due_at": _iso(claim.answer_due_at),
        "answered_at": _iso(claim.answered_at),
        "accept_by": _iso(claim.accept_by),
        "accepted_at": _iso(claim.accepted_at),
        "escalated_at": _iso(claim.escalated_at),
        "unit_received_at": _iso(claim.unit_received_at),
        "repair_due_at": _iso(claim.repair_due_at),
        "resolved_at": _iso(claim.resolved_at),
        "closed_at": _iso(claim.closed_at),
    }
    if messages:
        data["messages"] = [_message_data(message) for message in claim.messages.all()]
    return data


def return_data(ret: Return) -> dict[str, Any]:
    """A return as the API shows it. Prefetch `items`, `label` and `refund` for lists."""
    label = getattr(ret, "label", None)
    lines: dict[int, int] = {}
    units = []
    for item in ret.items.all():
        lines[item.line_id] = lines.get(item.line_id, 0) + 1
        units.append(item.unit.identifier)
    return {
        "id": ret.pk,
        "reference": ret.reference,
        "status": ret.status,
        "reason": ret.reason,
        "order": ret.seller_order.order.number,
        "seller_order": ret.seller_order_id,
        "lines": [{"order_line": line_id, "quantity": quantity} for line_id, quantity in sorted(lines.items())],
        "units": units,
        "amount": ret.money.as_dict(),
        "refund": (
            {
                "amount": ret.refund.money.as_dict(),
                "status": ret.refund.status,
                "paid_at": _iso(ret.refund.completed_at),
            }
            if ret.refund is not None
            else None
        ),
        "label": (
            {
                "tracking_number": label.tracking_number,
                "carrier": label.carrier,
                "delivered_at": _iso(label.delivered_at),
            }
            if label is not None
            else None
        ),
        "opened_at": _iso(ret.opened_at),
        "received_at": _iso(ret.received_at),
        "refund_due_at": _iso(ret.refund_due_at),
        "refunded_at": _iso(ret.refunded_at),
        "cancelled_at": _iso(ret.cancelled_at),
    }
