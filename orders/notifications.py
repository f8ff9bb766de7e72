"""E-mails people expect about their orders: confirmation, new order for the seller, shipped, cancelled."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from marketplace.models import MembershipRole
from orders.models import Order, SellerOrder


def _language(order: Order) -> str:
    return order.market.language if order.market.language in ("de", "fr") else "en"


def _send(template: str, context: dict[str, object], recipients: list[str], language: str) -> int:
    if not recipients:
        return 0
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"orders/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{template}_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def seller_recipients(seller_order: SellerOrder) -> list[str]:
    return sorted(
        set(seller_order.seller.memberships.filter(role=MembershipRole.OWNER).values_list("user__email", flat=True))
    )


def send_order_paid(order: Order) -> int:
    """To the shopper: the confirmation; to each seller's owners: a new order to accept."""
    sent = _send(
        "order_confirmation",
        {"order": order, "url": settings.SITE_URL + reverse("orders:account_order", args=[order.number])},
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
            "en",
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
    return _send(
        "cancelled",
        {"order": order, "seller_order": seller_order},
        [order.email, *seller_recipients(seller_order)],
        _language(order),
    )
