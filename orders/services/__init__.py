"""Order services: every write and rule of carts, checkout, payment, fulfilment, ledger and payouts.

Split by topic: `cart`, `checkout` (placement with stock reservation, paid, payment failed, expiry),
`payment` (Stripe events processed once, the test provider, refunds), `fulfilment` (seller side),
`ledger` (double entry), `payouts`.
"""
