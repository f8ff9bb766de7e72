"""E-mails people expect about their orders, and the Celery tasks that send them.

Confirmation and new order for the sellers (paid), shipped, cancelled, delivered. The services
queue a task after their transaction commits (`transaction.on_commit(lambda: task.delay(id))`);
each task loads the row, re-checks that it is still in the state the e-mail speaks of (a stale
task sends nothing) and sends. This module never imports the services.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketplace.i18n import email_language
from marketplace.mail import send_mail
from marketplace.models import Market, MembershipRole, User
from orders.models import Dispute, DisputeStatus, Order, Refund, SellerOrder
from orders.selectors import order_impact
from orders.services.refunds import cancel_refund_key
from orders.states import OrderStatus, SellerOrderStatus


def _language(order: Order) -> str:
    """The shopper's: the language of the market the order was placed in."""
    return email_language(order.market.language)


def _send(template: str, context: dict[str, object], recipients: list[str], language: str) -> int:
    if not recipients:
        return 0
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"orders/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{template}_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _seller_language(seller_order: SellerOrder) -> str:
    """The seller's: the language of its home market (its organisation's country is that market's code)."""
    language = Market.objects.filter(code=seller_order.seller.country).values_list("language", flat=True).first()
    return email_language(language)


def seller_recipients(seller_order: SellerOrder) -> list[str]:
    return sorted(
        set(seller_order.seller.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True))
    )


def send_order_paid(order: Order) -> int:
    """To the shopper: the confirmation (with the CO2e and e-waste saved); to each seller's owners: a new
    order to accept."""
    sent = _send(
        "order_confirmation",
        {
            "order": order,
            "impact": order_impact(order=order),
            "impact_url": settings.SITE_URL + reverse("catalog:impact"),
            "url": settings.SITE_URL + reverse("orders:account_order", args=[order.number]),
        },
        [order.email],
        _language(order),
    )
    for seller_order in order.seller_orders.select_related("seller"):
        sent += _send(
            "seller_new_order",
            {
                "order": order,
                "seller_order": seller_order,
                "url": settings.SITE_URL + reverse("seller_orders:detail", args=[seller_order.pk]),
            },
            seller_recipients(seller_order),
            _seller_language(seller_order),
        )
    return sent


def send_seller_order_shipped(seller_order: SellerOrder) -> int:
    order = seller_order.order
    return _send(
        "shipped",
        {
            "order": order,
            "seller_order": seller_order,
            "url": settings.SITE_URL + reverse("orders:account_order", args=[order.number]),
        },
        [order.email],
        _language(order),
    )


def send_seller_order_cancelled(seller_order: SellerOrder) -> int:
    order = seller_order.order
    # What went back: the goods and, on a US order, their sales tax (the cancellation's refund).
    refund = Refund.objects.filter(idempotency_key=cancel_refund_key(seller_order.pk)).first()
    return _send(
        "cancelled",
        {"order": order, "seller_order": seller_order, "refunded": refund.money if refund else seller_order.subtotal},
        [order.email, *seller_recipients(seller_order)],
        _language(order),
    )


def send_seller_order_delivered(seller_order: SellerOrder) -> int:
    """To the shopper: delivered, the warranty of each unit, and the 30-day return right."""
    order = seller_order.order
    return _send(
        "delivered",
        {
            "order": order,
            "seller_order": seller_order,
            "url": settings.SITE_URL + reverse("warranty:account_warranties"),
        },
        [order.email],
        _language(order),
    )


# --- tasks: ids in, the row re-checked, one e-mail function called ---------------------------
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_paid_notify_task(order_id: int) -> int:
    order = Order.objects.select_related("market").filter(pk=order_id, status=OrderStatus.PAID).first()
    return send_order_paid(order) if order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_shipped_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, status=SellerOrderStatus.SHIPPED)
        .first()
    )
    return send_seller_order_shipped(seller_order) if seller_order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_cancelled_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, status=SellerOrderStatus.CANCELLED)
        .first()
    )
    return send_seller_order_cancelled(seller_order) if seller_order else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seller_order_delivered_notify_task(seller_order_id: int) -> int:
    seller_order = (
        SellerOrder.objects.select_related("order__market", "seller")
        .filter(pk=seller_order_id, delivered_at__isnull=False)
        .first()
    )
    return send_seller_order_delivered(seller_order) if seller_order else 0


def send_dispute_opened(dispute: Dispute) -> int:
    """To the seller's owners and to the success managers: a card dispute holds the seller's share of an order."""
    seller_order = dispute.seller_order
    context = {
        "dispute": dispute,
        "order": seller_order.order,
        "seller_order": seller_order,
        "url": settings.SITE_URL + reverse("seller_orders:detail", args=[seller_order.pk]),
    }
    sent = _send("dispute_opened", context, seller_recipients(seller_order), _seller_language(seller_order))
    return sent + _send("dispute_opened", context, _success_managers(), settings.LANGUAGE_CODE)


def send_dispute_closed(dispute: Dispute) -> int:
    """To the seller's owners and to the success managers: the bank decided a card dispute (won: the hold is
    released; lost: the seller's share is debited)."""
    seller_order = dispute.seller_order
    context = {
        "dispute": dispute,
        "won": dispute.status == DisputeStatus.WON,
        "order": seller_order.order,
        "seller_order": seller_order,
        "url": settings.SITE_URL + reverse("seller_orders:detail", args=[seller_order.pk]),
    }
    sent = _send("dispute_closed", context, seller_recipients(seller_order), _seller_language(seller_order))
    return sent + _send("dispute_closed", context, _success_managers(), settings.LANGUAGE_CODE)


def _success_managers() -> list[str]:
    return sorted(
        set(
            User.objects.filter(is_active=True, is_staff=True, groups__name=settings.SUCCESS_MANAGERS_GROUP)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def dispute_closed_notify_task(dispute_ids: list[int]) -> int:
    sent = 0
    for dispute in Dispute.objects.select_related("seller_order__order__market", "seller_order__seller").filter(
        pk__in=dispute_ids, status__in=[DisputeStatus.WON, DisputeStatus.LOST]
    ):
        sent += send_dispute_closed(dispute)
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def dispute_opened_notify_task(dispute_ids: list[int]) -> int:
    sent = 0
    for dispute in Dispute.objects.select_related("seller_order__order__market", "seller_order__seller").filter(
        pk__in=dispute_ids, status=DisputeStatus.OPEN
    ):
        sent += send_dispute_opened(dispute)
    return sent
