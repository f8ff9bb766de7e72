"""Order tasks: thin, idempotent, ids in."""

from __future__ import annotations

from celery import shared_task

from orders import notifications
from orders.models import Order, SellerOrder
from orders.services.checkout import orders_expire_unpaid
from orders.services.fulfilment import seller_orders_auto_deliver, seller_orders_complete_due
from orders.services.payouts import payouts_run
from orders.states import OrderStatus, SellerOrderStatus


@shared_task(acks_late=True)
def orders_expire_unpaid_task() -> int:
    """Orders unpaid after 30 minutes give their stock back."""
    return orders_expire_unpaid()


@shared_task(acks_late=True)
def seller_orders_auto_deliver_task() -> int:
    return seller_orders_auto_deliver()


@shared_task(acks_late=True)
def seller_orders_complete_due_task() -> int:
    return seller_orders_complete_due()


@shared_task(acks_late=True)
def carts_purge_abandoned_task() -> int:
    from orders.services.cart import carts_purge_abandoned

    return carts_purge_abandoned()


@shared_task(acks_late=True)
def payouts_run_task() -> int:
    return len(payouts_run())


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_paid_notify_task(order_id: int) -> int:
    order = Order.objects.select_related("market").filter(pk=order_id, status=OrderStatus.PAID).first()
    return notifications.send_order_paid(order) if order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_shipped_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, status=SellerOrderStatus.SHIPPED)
        .first()
    )
    return notifications.send_seller_order_shipped(seller_order) if seller_order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_cancelled_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, status=SellerOrderStatus.CANCELLED)
        .first()
    )
    return notifications.send_seller_order_cancelled(seller_order) if seller_order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_delivered_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, delivered_at__isnull=False)
        .first()
    )
    return notifications.send_seller_order_delivered(seller_order) if seller_order else 0
