"""Storefront pages: cart, checkout, payment (Stripe Payment Element or the test provider), the
Stripe webhook, and the shopper's account (orders, parcels, warranties)."""

from __future__ import annotations

import json
import logging
import time

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.markets import current_market
from catalog.models import Listing
from catalog.selectors.reference import categories_tree, markets_active
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market
from orders import gateways, selectors
from orders.cart_count import CART_SESSION_KEY, cart_count_get
from orders.forms import CancelForm, CheckoutForm
from orders.models import Cart, Order, PaymentProvider, SellerOrder
from orders.sales_tax import SalesTax, is_state, sales_tax_for
from orders.services import cart as cart_services
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import seller_order_cancel
from orders.services.payment import stripe_event_process, test_payment_settle
from orders.services.wallet import order_amount_due, store_credit_balance, store_credit_spent_on
from orders.states import CANCELLABLE, CancelledBy, OrderStatus

logger = logging.getLogger(__name__)


@receiver(user_logged_in)
def _cart_count_at_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """At login the session's cart joins the account's: the header counts both from the first page (counted
    here, with the login's queries, and kept in the cache: `orders.cart_count`)."""
    if request is None or not hasattr(request, "session"):
        return
    session_cart = request.session.get(CART_SESSION_KEY)
    cart_count_get(user_id=getattr(user, "pk", None), cart_id=int(session_cart) if session_cart else None)


def resolve_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """The request's cart. An anonymous session's cart merges into the account's once logged in."""
    session_cart_id = request.session.get(CART_SESSION_KEY)
    session_cart = Cart.objects.filter(pk=session_cart_id, user__isnull=True).first() if session_cart_id else None
    if request.user.is_authenticated:
        cart = Cart.objects.filter(user=request.user).first()
        if session_cart is not None:
            cart = cart or cart_services.cart_for_user(user=request.user)
            cart_services.cart_merge(source=session_cart, target=cart)
        if session_cart_id:
            request.session.pop(CART_SESSION_KEY, None)
        if cart is None and create:
            cart = cart_services.cart_for_user(user=request.user)
        return cart
    if session_cart is None and create:
        session_cart = Cart.objects.create()
        request.session[CART_SESSION_KEY] = session_cart.pk
    return session_cart


def _store_context(request: HttpRequest) -> dict[str, object]:
    return {"market": current_market(request), "markets": markets_active(), "nav_categories": categories_tree()}


def cart_detail(request: HttpRequest) -> HttpResponse:
    market = current_market(request)
    cart = resolve_cart(request)
    if cart is not None:
        # The shopper may have switched market: the same units in this market where they are offered.
        cart_services.cart_follow_market(cart=cart, market_code=market.code)
    review = selectors.cart_review(cart=cart, market=market)
    return render(request, "orders/cart.html", {**_store_context(request), "review": review})


def cart_add_offer(request: HttpRequest, listing_id: int) -> HttpResponse:
    """A small page for one offer with an "Add to cart" button (linked from offers; the POST is `cart_add`)."""
    listing = get_object_or_404(
        Listing.objects.visible().select_related("variant__product", "grade", "seller"), pk=listing_id
    )
    return render(request, "orders/offer.html", {**_store_context(request), "listing": listing})


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    try:
        listing_id = int(request.POST.get("listing", ""))
        quantity = int(request.POST.get("quantity", "1") or 1)
    except ValueError:
        return HttpResponseBadRequest("listing and quantity are numbers")
    try:
        if request.user.is_authenticated and CART_SESSION_KEY not in request.session:
            # No session cart to merge first: the account's cart is found in the add's own statement.
            cart_services.cart_add_for_user(user=request.user, listing_id=listing_id, quantity=quantity)
        else:
            cart_services.cart_add(cart=resolve_cart(request, create=True), listing_id=listing_id, quantity=quantity)
        messages.success(request, _("Added to your cart."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("orders:cart")


@require_POST
def cart_update(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = resolve_cart(request)
    if cart is None:
        return redirect("orders:cart")
    try:
        quantity = 0 if "remove" in request.POST else int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 1
    cart_services.cart_set_quantity(cart=cart, line_id=line_id, quantity=quantity)
    return redirect("orders:cart")


@require_POST
def cart_accept_changes(request: HttpRequest) -> HttpResponse:
    cart = resolve_cart(request)
    if cart is not None:
        cart_services.cart_accept_prices(cart=cart)
        review = selectors.cart_review(cart=cart, market=current_market(request))
        for row in review.rows:
            if not row.available:
                cart_services.cart_set_quantity(cart=cart, line_id=row.line.pk, quantity=0)
            elif row.quantity_reduced:
                cart_services.cart_set_quantity(cart=cart, line_id=row.line.pk, quantity=row.quantity)
    return redirect("orders:checkout")


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    market = current_market(request)
    cart = resolve_cart(request)
    if cart is not None and request.method == "GET":
        cart_services.cart_follow_market(cart=cart, market_code=market.code)
    review = selectors.cart_review(cart=cart, market=market)
    if not review.buyable:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    initial = {"full_name": request.user.full_name, "email": request.user.email}
    last = Order.objects.filter(buyer=request.user).order_by("-created_at").first() if request.method == "GET" else None
    if last is not None:
        initial.update(
            {"phone": last.phone, "address_line": last.address_line, "postal_code": last.postal_code, "city": last.city}
        )
        if last.market_id == market.code and last.state:
            initial["state"] = last.state
    form = CheckoutForm(request.POST or None, initial=initial, market=market)
    if request.method == "POST" and form.is_valid() and not review.has_changes:
        data = form.cleaned_data
        use_credit = bool(request.POST.get("use_store_credit"))
        try:
            order = order_place(
                actor=Actor.for_user(request.user),
                market=market,
                lines=[
                    PlacementLine(row.listing.pk, row.quantity, row.line.seen_price_amount) for row in review.buyable
                ],
                contact=Contact(country=market.code, **data),
                buyer=request.user,
                # The whole balance, up to the total: the card pays the rest.
                store_credit=store_credit_balance(user=request.user, currency=market.currency) if use_credit else None,
                buyback_listing_ids=frozenset(
                    row.listing.pk for row in review.buyable if str(row.listing.pk) in request.POST.getlist("buyback")
                ),
                cart=cart,  # the lines ordered leave the cart with the placement
                listings=[row.listing for row in review.buyable],  # as the review just read them
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("orders:checkout")
        if order.status != OrderStatus.PENDING_PAYMENT:  # paid in full with store credit
            messages.success(request, _("Paid with your store credit. Thank you!"))
            return redirect("orders:account_order", number=order.number)
        return redirect("orders:pay", number=order.number)
    state = request.POST.get("state", "") if request.method == "POST" else str(initial.get("state", ""))
    context = {
        **_store_context(request),
        "review": review,
        "form": form,
        "tax": _sales_tax_estimate(market, review, state),
        "store_credit": store_credit_balance(user=request.user, currency=market.currency),
        "buyback_offers": selectors.buyback_offers(listings=[row.listing for row in review.buyable]),
    }
    return render(request, "orders/checkout.html", context)


def _sales_tax_estimate(market: Market, review: selectors.CartReview, state: str) -> SalesTax | None:
    if market.prices_include_tax or not is_state(state) or not review.buyable:
        return None
    return sales_tax_for(review.total, state)


@login_required
def checkout_totals(request: HttpRequest) -> HttpResponse:
    """The checkout's totals for the state chosen (htmx, when the state changes): the sales tax line."""
    market = current_market(request)
    review = selectors.cart_review(cart=resolve_cart(request), market=market)
    tax = _sales_tax_estimate(market, review, request.GET.get("state", ""))
    return render(request, "orders/partials/totals.html", {"market": market, "review": review, "tax": tax})


@login_required
def pay(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_get_for_shopper(shopper=request.user, number=number, detail=False)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect("orders:account_order", number=order.number)
    context = {
        **_store_context(request),
        "order": order,
        "amount_due": order_amount_due(order=order),
        "store_credit_spent": store_credit_spent_on(order=order),
        "payment": order.payment,
        "is_test_provider": order.payment.provider == PaymentProvider.TEST,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(reverse("orders:account_order", args=[order.number])),
    }
    return render(request, "orders/pay.html", context)


@login_required
@require_POST
def test_pay(request: HttpRequest, number: str) -> HttpResponse:
    try:
        test_payment_settle(
            number=number,
            shopper=request.user,
            actor=Actor.for_user(request.user),
            succeed=request.POST.get("outcome") == "pay",
        )
    except Order.DoesNotExist:
        raise Http404("No such order") from None
    except ApplicationError as error:
        if error.code == ErrorCode.PERMISSION_DENIED:
            raise Http404("Not a test payment") from None
        messages.error(request, error.message)
    else:
        if request.POST.get("outcome") == "pay":
            messages.success(request, _("Payment received (test provider). Thank you!"))
        else:
            messages.error(
                request, _("The payment was declined. Nothing was charged; your items are back in your cart.")
            )
    return redirect("orders:account_order", number=number)


def _signed_in_the_future(header: str) -> bool:
    """A timestamp ahead of our clock by more than the tolerance: not one Stripe just sent (a pre-signed replay)."""
    stamps = [part.removeprefix("t=") for part in header.split(",") if part.startswith("t=")]
    try:
        return any(int(stamp) > time.time() + stripe.Webhook.DEFAULT_TOLERANCE for stamp in stamps)
    except ValueError:
        return True


def _signed_by_stripe(payload: bytes, header: str) -> bool:
    """The event is signed with the account endpoint's secret, or the Connect endpoint's (the sellers'
    connected accounts' events) when one is set. The SDK checks the signature and refuses a timestamp
    older than its tolerance (5 minutes)."""
    secrets = [settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_CONNECT_WEBHOOK_SECRET]
    for secret in filter(None, secrets):
        try:
            stripe.Webhook.construct_event(payload, header, secret)
        except (ValueError, stripe.SignatureVerificationError):
            continue
        return True
    return False


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's signed events. Verified with the SDK; each event id acts once (see `stripe_event_process`)."""
    if not gateways.stripe_configured():
        raise Http404("Stripe is not configured")
    header = request.headers.get("Stripe-Signature", "")
    if not _signed_by_stripe(request.body, header):
        return HttpResponseBadRequest("invalid signature")
    if _signed_in_the_future(header):
        return HttpResponseBadRequest("invalid signature timestamp")
    event = json.loads(request.body)
    try:
        stripe_event_process(event=event)
    except ApplicationError as error:
        if error.code == ErrorCode.PAYMENT_PROVIDER_ERROR:
            # Stripe itself could not be asked (the refunds of a charge): nothing was kept, so answer 503
            # and Stripe delivers the event again.
            logger.warning("Stripe event %s deferred: %s", event.get("id"), error.message)
            return HttpResponse(status=503)
        # A rule refused it (e.g. an amount mismatch): acknowledge, log, and let a person look.
        logger.error("Stripe event %s refused: %s", event.get("id"), error.message)
    return HttpResponse(status=200)


@login_required
def account_orders(request: HttpRequest) -> HttpResponse:
    orders = list(selectors.order_list_for_shopper(shopper=request.user)[:50])
    return render(request, "orders/account_orders.html", {**_store_context(request), "orders": orders})


@login_required
def account_order(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_get_for_shopper(shopper=request.user, number=number)
    return render(
        request,
        "orders/account_order.html",
        {
            **_store_context(request),
            "order": order,
            "cancellable": CANCELLABLE,
            "form": CancelForm(),
            "impact": selectors.order_impact(order=order),
            "now": timezone.now(),
            "awaiting_stripe": order.status == OrderStatus.PENDING_PAYMENT
            and order.payment.provider == PaymentProvider.STRIPE,
        },
    )


@login_required
@require_POST
def account_seller_order_cancel(request: HttpRequest, number: str, seller_order_id: int) -> HttpResponse:
    order = selectors.order_get_for_shopper(shopper=request.user, number=number)
    seller_order = get_object_or_404(SellerOrder, order=order, pk=seller_order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        seller_order_cancel(
            seller_order=seller_order, actor=Actor.for_user(request.user), by=CancelledBy.SHOPPER, reason=reason
        )
        messages.success(request, _("Cancelled. The refund is on its way to your payment method."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("orders:account_order", number=order.number)
