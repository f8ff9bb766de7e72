"""The scheduled sweeps of orders (the beat schedule in settings): thin, idempotent, each calls one service.

The e-mail tasks live beside their e-mails in `orders/notifications.py`.
"""

from __future__ import annotations

from celery import shared_task

from orders.services.cart import carts_purge_abandoned
from orders.services.fulfilment import seller_orders_auto_deliver, seller_orders_complete_due
from orders.services.measures import retained_sales_release_due
from orders.services.payment import orders_expire_unpaid
from orders.services.payouts import payouts_run
from orders.services.refunds import refunds_retry_pending


@shared_task(acks_late=True)
def orders_expire_unpaid_task() -> int:
    """Orders unpaid after 30 minutes give their stock back."""
    return orders_expire_unpaid()


@shared_task(acks_late=True)
def seller_orders_auto_deliver_task() -> int:
    """Shipped parcels with no delivery news after some days become delivered."""
    return seller_orders_auto_deliver()


@shared_task(acks_late=True)
def seller_orders_complete_due_task() -> int:
    """Delivered seller orders past the return window complete (their money becomes payable)."""
    return seller_orders_complete_due()


@shared_task(acks_late=True)
def carts_purge_abandoned_task() -> int:
    """Anonymous carts older than 30 days go."""
    return carts_purge_abandoned()


@shared_task(acks_late=True)
def payouts_run_task() -> int:
    """The pay date's transfers to sellers (one per seller and currency)."""
    return len(payouts_run())


@shared_task(acks_late=True)
def refunds_retry_pending_task() -> int:
    """Refunds still pending after a crash or a provider outage are sent again with their own key."""
    return refunds_retry_pending()


@shared_task(acks_late=True)
def retained_sales_release_due_task() -> int:
    """Shares held by a payout retainer come back to the seller on their date (60 days after the sale)."""
    return retained_sales_release_due()
