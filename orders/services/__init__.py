"""Order services: every write and rule of carts, checkout, payment, fulfilment, ledger and payouts.

Split by topic, each module importing only those below it (no cycle):
`cart`; `checkout` (placement: the order split per seller, lines, commission; stock reserved);
`payment` (start, paid, payment failed, expired; Stripe events processed once, the test provider,
refunds); `fulfilment` (the seller side: accept, ship, deliver, complete, cancel, refund);
`payouts`; and below them `stock` (take, release, restock), `events` (the order events' payload)
and `ledger` (double entry). The e-mails they queue after commit are in `orders/notifications.py`;
the scheduled sweeps that call them, in `orders/tasks.py`.
"""
