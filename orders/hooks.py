"""What orders tells the floors above it, inside the transaction of the change (see `marketplace/hooks.py`).

Orders never imports an upper app: an upper app connects its handler to a hook here, once, in its
`AppConfig.ready()`. Handlers run synchronously, in connection order, in the change's transaction;
one that raises rolls the whole change back. Work that may wait (e-mails, webhooks) belongs after
commit or in the outbox, not here.
"""

from __future__ import annotations

from marketplace.hooks import Hook

seller_order_delivered = Hook(
    "seller_order_delivered",
    doc=(
        "A seller order has just become delivered. Fired by `seller_order_mark_delivered` inside the "
        "delivery's transaction, after the status change, with `seller_order=` (the locked SellerOrder, "
        "status delivered, `delivered_at` set; its units recorded at shipping). Connected by warranty: "
        "each delivered unit gets its warranty."
    ),
)
