"""Seller back-office order pages (mounted at /seller/orders/): to accept, to ship, detail, packing slip, payouts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from orders import hooks, selectors
from orders.forms import CancelForm, ShipForm
from orders.models import LedgerEntry, Payout
from orders.services import fulfilment
from orders.states import CANCELLABLE, CancelledBy, SellerOrderStatus

TABS = [
    ("paid", SellerOrderStatus.PAID),
    ("accepted", SellerOrderStatus.ACCEPTED),
    ("shipped", SellerOrderStatus.SHIPPED),
    ("delivered", SellerOrderStatus.DELIVERED),
    ("completed", SellerOrderStatus.COMPLETED),
    ("cancelled", SellerOrderStatus.CANCELLED),
]


def _seller(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.seller_membership.organisation  # type: ignore[attr-defined]


@seller_member_required
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or SellerOrderStatus.PAID
    if status not in SellerOrderStatus.values:
        status = SellerOrderStatus.PAID
    seller_orders = list(
        selectors.seller_order_list(seller=_seller(request), status=status).order_by("-paid_at", "-id")[:100]
    )
    now = timezone.now()
    for seller_order in seller_orders:
        seller_order.late = seller_order.is_late(now)  # type: ignore[attr-defined]
    return render(
        request,
        "orders/seller/list.html",
        {
            "seller_orders": seller_orders,
            "status": status,
            "tabs": [(value, SellerOrderStatus(value).label) for _, value in TABS],
        },
    )


@seller_member_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    seller_order = selectors.seller_order_get(seller=_seller(request), id=pk)
    lines = list(seller_order.lines.all())
    if seller_order.status == SellerOrderStatus.ACCEPTED:
        # The units each line's listing offers (the workshop's listed units): the seller picks which go.
        offered: dict[int, list[tuple[str, str]]] = {}
        for answer in hooks.shippable_units.collect(seller_order=seller_order):
            for line_id, choices in answer.items():
                offered.setdefault(line_id, []).extend(choices)
        for line in lines:
            line.unit_choices = offered.get(line.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "orders/seller/detail.html",
        {
            "seller_order": seller_order,
            "lines": lines,
            "order": seller_order.order,
            "late": seller_order.is_late(),
            "ship_form": ShipForm(),
            "cancel_form": CancelForm(),
            "cancellable": seller_order.status in CANCELLABLE,
        },
    )


@seller_member_required
def packing_slip(request: HttpRequest, pk: int) -> HttpResponse:
    seller_order = selectors.seller_order_get(seller=_seller(request), id=pk)
    return render(
        request, "orders/seller/packing_slip.html", {"seller_order": seller_order, "order": seller_order.order}
    )


@seller_member_required
@require_POST
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    seller_order = selectors.seller_order_get(seller=_seller(request), id=pk)
    actor = Actor.for_user(request.user)
    try:
        if action == "accept":
            fulfilment.seller_order_accept(seller_order=seller_order, actor=actor)
            messages.success(request, _("Accepted. Ship it within 1 business day of payment."))
        elif action == "ship":
            form = ShipForm(request.POST)
            units = {
                line.pk: [request.POST.get(f"unit-{line.pk}-{n}", "") for n in range(line.quantity)]
                for line in seller_order.lines.all()
            }
            fulfilment.seller_order_ship(
                seller_order=seller_order,
                actor=actor,
                carrier=form.data.get("carrier", ""),
                tracking_number=form.data.get("tracking_number", ""),
                units=units,
            )
            messages.success(request, _("Shipped. The shopper has been told."))
        elif action == "deliver":
            fulfilment.seller_order_mark_delivered(seller_order=seller_order, actor=actor)
            messages.success(request, _("Marked as delivered. The warranties have started."))
        elif action == "cancel":
            form = CancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            fulfilment.seller_order_cancel(seller_order=seller_order, actor=actor, by=CancelledBy.SELLER, reason=reason)
            messages.success(request, _("Cancelled and refunded."))
    except ApplicationError as error:
        details = "; ".join(item["message"] for item in error.errors)
        messages.error(request, f"{error.message} {details}".strip())
    return redirect("seller_orders:detail", pk=seller_order.pk)


@seller_member_required
def payouts(request: HttpRequest) -> HttpResponse:
    seller = _seller(request)
    return render(
        request,
        "orders/seller/payouts.html",
        {
            "balances": selectors.seller_balances(seller=seller),
            "payouts": list(Payout.objects.filter(seller=seller)[:50]),
            "entries": list(
                LedgerEntry.objects.filter(seller=seller, account__in=["seller_pending", "seller_available"])
                .select_related("seller_order__order")
                .order_by("-created_at", "-id")[:50]
            ),
        },
    )
