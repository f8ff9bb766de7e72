"""Order services: every write and rule of carts, checkout, payment, fulfilment, ledger and payouts.

Split by topic: `cart`, `checkout` (placement, payment outcome, expiry, refunds), `fulfilment`
(seller side), `ledger` (double entry), `payouts`.
"""
