"""Seller back-office order pages (mounted at /seller/orders/): to accept, to ship, detail, packing slip, payouts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import require_owner, seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import MembershipRole
from orders import hooks, selectors
from orders.forms import CancelForm, ShipForm
from orders.models import LedgerEntry, Payout, SellerOrder
from orders.services import connect, fulfilment
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
    return _detail(request, seller_order)


def _detail(
    request: HttpRequest,
    seller_order: SellerOrder,
    *,
    ship_form: ShipForm | None = None,
    units: dict[int, list[str]] | None = None,
    unit_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The seller order's page; after a refused shipment, with what was typed and each error at its field."""
    lines = list(seller_order.lines.all())
    if seller_order.status == SellerOrderStatus.ACCEPTED:
        # The units each line's listing offers (the workshop's listed units): the seller picks which go.
        offered: dict[int, list[tuple[str, str]]] = {}
        for answer in hooks.shippable_units.collect(seller_order=seller_order):
            for line_id, choices in answer.items():
                offered.setdefault(line_id, []).extend(choices)
        for line in lines:
            line.unit_choices = offered.get(line.pk, [])  # type: ignore[attr-defined]
            typed = (units or {}).get(line.pk, [])
            line.unit_inputs = [  # type: ignore[attr-defined]
                (n, typed[n] if n < len(typed) else None) for n in range(line.quantity)
            ]
            line.unit_errors = (unit_errors or {}).get(line.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "orders/seller/detail.html",
        {
            "seller_order": seller_order,
            "lines": lines,
            "order": seller_order.order,
            "late": seller_order.is_late(),
            "ship_form": ship_form or ShipForm(),
            "cancel_form": CancelForm(),
            "cancellable": seller_order.status in CANCELLABLE,
            "disputes": list(selectors.seller_disputes(seller_order=seller_order)),
        },
        status=status,
    )


def _ship(request: HttpRequest, seller_order: SellerOrder, actor: Actor) -> HttpResponse:
    """Ship with the carrier, tracking number and each unit's IMEI or serial; refused, the page comes back
    with everything typed kept and each error next to its field."""
    form = ShipForm(request.POST)
    units = {
        line.pk: [request.POST.get(f"unit-{line.pk}-{n}", "").strip() for n in range(line.quantity)]
        for line in seller_order.lines.all()
    }
    try:
        fulfilment.seller_order_ship(
            seller_order=seller_order,
            actor=actor,
            carrier=form.data.get("carrier", "").strip(),
            tracking_number=form.data.get("tracking_number", "").strip(),
            units=units,
        )
    except ApplicationError as error:
        form.is_valid()  # the form's own checks (lengths) next to its fields too
        unit_errors: dict[int, list[str]] = {}
        for item in error.errors or [{"field": "", "message": error.message}]:
            field, message = item.get("field", ""), item["message"]
            if field in ("carrier", "tracking_number"):
                if field not in form.errors:
                    form.add_error(field, message)
            elif field.startswith("units.") and field[6:].isdigit():
                unit_errors.setdefault(int(field[6:]), []).append(message)
            else:
                form.add_error(None, message)
        messages.error(request, error.message)
        return _detail(request, seller_order, ship_form=form, units=units, unit_errors=unit_errors, status=400)
    messages.success(request, _("Shipped. The shopper has been told."))
    return redirect("seller_orders:detail", pk=seller_order.pk)


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
            return _ship(request, seller_order, actor)
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
            "statement": selectors.seller_payout_statement(seller=seller),
            "disputes": list(selectors.seller_disputes(seller=seller)[:20]),
            "is_owner": request.seller_membership.role == MembershipRole.OWNER,  # type: ignore[attr-defined]
            "balances": selectors.seller_balances(seller=seller),
            "payouts": list(Payout.objects.filter(seller=seller)[:50]),
            "entries": list(
                LedgerEntry.objects.filter(seller=seller, account__in=["seller_pending", "seller_available"])
                .select_related("seller_order__order")
                .order_by("-created_at", "-id")[:50]
            ),
        },
    )


def _connect_urls(request: HttpRequest) -> tuple[str, str]:
    return (
        request.build_absolute_uri(reverse("seller_orders:connect_return")),
        request.build_absolute_uri(reverse("seller_orders:connect_refresh")),
    )


@seller_member_required
@require_POST
def connect_start(request: HttpRequest) -> HttpResponse:
    """ "Connect your payout account": the owner is sent to Stripe's onboarding for the seller's Connect account."""
    require_owner(request)  # type: ignore[arg-type]
    return _to_onboarding(request)


def _to_onboarding(request: HttpRequest) -> HttpResponse:
    return_url, refresh_url = _connect_urls(request)
    try:
        url = connect.payout_account_onboard(
            seller=_seller(request), actor=Actor.for_user(request.user), return_url=return_url, refresh_url=refresh_url
        )
    except ApplicationError as error:
        messages.error(request, _("Stripe could not start the connection: %(error)s") % {"error": error.message})
        return redirect("seller_orders:payouts")
    return redirect(url)


@seller_member_required
def connect_refresh(request: HttpRequest) -> HttpResponse:
    """Stripe's refresh URL (the onboarding link expired or was used): a new link, for the owner."""
    require_owner(request)  # type: ignore[arg-type]
    return _to_onboarding(request)


@seller_member_required
def connect_return(request: HttpRequest) -> HttpResponse:
    """Stripe's return URL: the account's state read now, then the payouts page says what it means."""
    account = connect.payout_account_refresh(seller=_seller(request), actor=Actor.for_user(request.user))
    state = connect.payout_account_state(account)
    if state == "ready":
        messages.success(request, _("Your payout account is connected. Payouts go to it from the next pay date."))
    elif state == "none":
        messages.error(request, _("No payout account is connected yet."))
    else:
        messages.info(request, _("Stripe still needs some details before it can pay you out (see below)."))
    return redirect("seller_orders:payouts")
