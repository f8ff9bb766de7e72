"""What orders stores about a person, for `marketplace.privacy`: exported on request, anonymised on erasure.

Orders, their lines, payments, refunds and the ledger stay (the law keeps invoices and accounts); the
buyer's contact details on them are replaced. The cart goes. Store credit balances stay (they are money
owed), attached to the anonymised account.
"""

from __future__ import annotations

from typing import Any

from marketplace.models import User
from marketplace.privacy import ERASED_NAME, erased_email
from orders.models import Cart, Order


def export(user: User) -> dict[str, Any]:
    orders = Order.objects.filter(buyer=user).prefetch_related("seller_orders__lines").order_by("created_at", "pk")
    return {
        "orders": [
            {
                "number": order.number,
                "placed_at": order.created_at.isoformat(),
                "status": order.status,
                "total": order.total.as_dict(),
                "delivery": {
                    "full_name": order.full_name,
                    "email": order.email,
                    "phone": order.phone,
                    "address_line": order.address_line,
                    "postal_code": order.postal_code,
                    "city": order.city,
                    "country": order.country,
                },
                "parcels": [
                    {
                        "seller": seller_order.seller_id,
                        "status": seller_order.status,
                        "lines": [
                            {"product": line.product_name, "variant": line.variant_label, "quantity": line.quantity}
                            for line in seller_order.lines.all()
                        ],
                    }
                    for seller_order in order.seller_orders.all()
                ],
            }
            for order in orders
        ]
    }


def erase(user: User) -> None:
    Order.objects.filter(buyer=user).update(
        email=erased_email(user.pk, "buyer"),
        full_name=ERASED_NAME,
        phone="",
        address_line="",
        postal_code="",
        city="",
    )
    Cart.objects.filter(user=user).delete()
