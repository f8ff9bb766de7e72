"""What orders tells the floors above it, inside the transaction of the change (see `marketplace/hooks.py`).

Orders never imports an upper app: an upper app connects its handler to a hook here, once, in its
`AppConfig.ready()`. Handlers run synchronously, in connection order, in the change's transaction;
one that raises rolls the whole change back. Work that may wait (e-mails, webhooks) belongs after
commit or in the outbox, not here.
"""

from __future__ import annotations

from marketplace.hooks import Hook, Provider

seller_order_delivered = Hook(
    "seller_order_delivered",
    doc=(
        "A seller order has just become delivered. Fired by `seller_order_mark_delivered` inside the "
        "delivery's transaction, after the status change, with `seller_order=` (the locked SellerOrder, "
        "status delivered, `delivered_at` set; its units recorded at shipping). Connected by warranty: "
        "each delivered unit gets its warranty."
    ),
)

seller_order_shipped = Hook(
    "seller_order_shipped",
    doc=(
        "A seller order has just become shipped. Fired by `seller_order_ship` inside the shipment's "
        "transaction, after the status change and the units' rows, with `seller_order=` (the locked "
        "SellerOrder, status shipped) and `units=` (the OrderUnit rows just recorded, each with its `line`). "
        "Connected by the workshop: the refurbished unit shipped must be one its listing offered, and it "
        "becomes sold. A handler that raises ApplicationError refuses the shipment (nothing is saved)."
    ),
)

shippable_units = Provider(
    "shippable_units",
    doc=(
        "What the ship form offers: asked with `seller_order=`, each answer maps an order line's id to the "
        "units its listing offers, as `[(identifier, label)]`. The workshop answers with the listing's "
        "listed refurbished units, so the seller picks which of them goes."
    ),
)
