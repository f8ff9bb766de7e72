"""What trade-in tells the floors above it, inside the transaction of the change (see `marketplace/hooks.py`)."""

from __future__ import annotations

from marketplace.hooks import Hook

devices_routed = Hook(
    "devices_routed",
    doc=(
        "A lot was sold to a refurbisher and its devices routed to it: fired by `tradein.services.lots` inside "
        "the sale's transaction, after every device became routed, with `lot=` (the sold Lot: its price and "
        "currency), `buyer=` (the seller Organisation) and `tradeins=` (the routed TradeIn rows, each with its "
        "`inspection` and `variant`). Connected by the workshop: each device arrives on the buyer's board as a "
        "unit with its identifier and inspection."
    ),
)
