"""The payload of the order events in the outbox (`order.paid`, `order.shipped`, `order.delivered`).

One shape for every sender, so that a partner's or a seller's webhook reads the same fields
whichever service emitted the event.
"""

from __future__ import annotations

from typing import Any

from orders.models import Order, SellerOrder


def order_event_data(order: Order, seller_order: SellerOrder | None = None) -> dict[str, Any]:
    """The order's number, market and total (and the partner's reference), plus the seller order's
    id, status, subtotal and parcel when the event is about one seller's part. Pure: reads no row."""
    data: dict[str, Any] = {
        "order": order.number,
        "market": order.market_id,
        "total": order.total.as_dict(),
    }
    if order.partner_reference:
        data["partner_reference"] = order.partner_reference
    if seller_order is not None:
        data.update(
            {
                "seller_order": seller_order.pk,
                "status": seller_order.status,
                "subtotal": seller_order.subtotal.as_dict(),
                "carrier": seller_order.carrier,
                "tracking_number": seller_order.tracking_number,
            }
        )
    return data
