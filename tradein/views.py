"""Storefront trade-in pages: "Sell my device" (pick a model, answer, get a price), the quote (accept
with a payout: log in or sign up first), "My trade-ins" in the account (timeline, label,
counter-offer, certificate, store credit), and the public certificate check at /verify/<number>/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.markets import current_market, request_markets
from catalog.models import Product, Variant
from catalog.selectors.reference import categories_tree
from catalog.selectors.search import parse_query, products_matching
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.requests import AuthenticatedRequest
from orders.buyback import guaranteed_price
from orders.models import StoreCreditAccount
from tradein import selectors
from tradein.documents.render import certificate_pdf, label_pdf, return_label_pdf
from tradein.forms import AcceptForm, QuestionnaireForm
from tradein.questionnaire import answer_label
from tradein.rules import STORE_CREDIT_BONUS_BASIS_POINTS, store_credit_amount
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline
from tradein.services.guarantees import guarantee_conditions_failed, guarantee_for_owner, guarantee_redeem
from tradein.services.quotes import Contact, PayoutChoice, quote_is_expired, tradein_quote_accept, tradein_quote_create
from tradein.states import PayoutMethod, TradeInStatus
from tradein.wallet import wallet_for


def _context(request: HttpRequest) -> dict[str, object]:
    return {"market": current_market(request), "markets": request_markets(request), "nav_categories": categories_tree()}


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sell_start(request: HttpRequest) -> HttpResponse:
    """Pick the model to sell: search as in the catalog (typos forgiven), or pick a recent model."""
    query = request.GET.get("q", "").strip()[:200]
    products: list[Product] = []
    if query:
        matching = products_matching(parse_query(query))
        products = list(matching.select_related("brand", "category")[:24]) if matching is not None else []
    else:
        products = list(Product.objects.select_related("brand", "category").order_by("-release_year", "name")[:24])
    context = {**_context(request), "query": query, "products": products}
    if getattr(request, "htmx", False):
        return render(request, "tradein/partials/sell_results.html", context)
    return render(request, "tradein/sell_start.html", context)


def _storage_variants(product: Product) -> list[Variant]:
    """One variant per storage size (colour does not change a trade-in price)."""
    seen: dict[int | None, Variant] = {}
    for variant in product.variants.order_by("storage_gb", "position", "id"):
        seen.setdefault(variant.storage_gb, variant)
    return list(seen.values())


def sell_device(request: HttpRequest, slug: str) -> HttpResponse:
    """The questionnaire of the model's category; a valid answer gives the price at once (a quote)."""
    product = get_object_or_404(Product.objects.select_related("category", "brand"), slug=slug)
    market = current_market(request)
    variants = _storage_variants(product)
    questions = selectors.questions_for_product(product)
    form = QuestionnaireForm(request.POST or None, questions=questions)
    error = ""
    # The device wallet's "trade it in" names the variant bought.
    variant_id = request.POST.get("variant") or request.GET.get("variant") or (str(variants[0].pk) if variants else "")
    if request.method == "POST" and form.is_valid():
        try:
            tradein = tradein_quote_create(
                actor=Actor.for_user(request.user) if request.user.is_authenticated else Actor.system("storefront"),
                product=product,
                variant_id=int(variant_id) if variant_id.isdigit() else 0,
                market=market,
                answers=form.answers(),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("tradein:quote", reference=tradein.reference)
    context = {
        **_context(request),
        "product": product,
        "variants": variants,
        "variant_id": variant_id,
        "form": form,
        "error": error,
    }
    return render(request, "tradein/sell_device.html", context, status=400 if error else 200)


def quote_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The price, and its acceptance: payout, sender's address; logging in (or signing up) first."""
    tradein = selectors.quote_get_public(reference=reference)
    if tradein.status != TradeInStatus.QUOTED and tradein.status != TradeInStatus.EXPIRED:
        if request.user.is_authenticated and tradein.owner_id == request.user.pk:
            return redirect("tradein:account_detail", reference=tradein.reference)
        raise Http404("This quote was accepted.")
    expired = quote_is_expired(tradein)
    user = request.user
    initial = {"full_name": getattr(user, "full_name", "")} if user.is_authenticated else {}
    form = AcceptForm(request.POST or None, currency=tradein.currency, initial=initial)
    if request.method == "POST" and not expired:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            data = form.cleaned_data
            try:
                tradein = tradein_quote_accept(
                    tradein=tradein,
                    actor=Actor.for_user(user),  # type: ignore[arg-type]
                    contact=Contact(
                        full_name=data["full_name"],
                        email=user.email,  # type: ignore[union-attr]
                        phone=data.get("phone", ""),
                        address_line=data["address_line"],
                        postal_code=data["postal_code"],
                        city=data["city"],
                        country=tradein.market_id,
                    ),
                    payout=PayoutChoice(
                        method=data["payout_method"],
                        iban=data.get("iban", ""),
                        account_holder=data.get("account_holder", ""),
                    ),
                    owner=user,  # type: ignore[arg-type]
                )
            except ApplicationError as exc:
                for item in exc.errors:
                    field = item["field"].removeprefix("payout.").removeprefix("customer.")
                    form.add_error(field if field in form.fields else None, item["message"])
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Done: print your label and send the device within 21 days."))
                return redirect("tradein:account_detail", reference=tradein.reference)
    context = {
        **_context(request),
        "tradein": tradein,
        "expired": expired,
        "form": form,
        "store_credit": store_credit_amount(tradein.offer),
        "bonus_percent": STORE_CREDIT_BONUS_BASIS_POINTS // 100,
        "answers": _answer_rows(tradein, tradein.answers),
    }
    return render(request, "tradein/quote.html", context, status=409 if expired and request.method == "POST" else 200)


def _answer_rows(tradein: object, answers: dict[str, str]) -> list[tuple[str, str]]:
    product = tradein.product  # type: ignore[attr-defined]
    questions = selectors.questions_for_product(product)
    return [(str(q.text), answer_label(questions, q.code, answers.get(q.code, ""))) for q in questions]


@login_required
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    tradeins = list(selectors.tradein_list_for_owner(owner=request.user)[:100])
    balances = [
        account.balance for account in StoreCreditAccount.objects.filter(user=request.user).order_by("currency")
    ]
    return render(
        request, "tradein/account_list.html", {**_context(request), "tradeins": tradeins, "balances": balances}
    )


@login_required
def account_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_owner(owner=request.user, reference=reference)
    timeline = selectors.timeline_labelled(selectors.tradein_timelines([tradein.pk]).get(tradein.pk, []))
    context = {
        **_context(request),
        "tradein": tradein,
        "timeline": timeline,
        "answers": _answer_rows(tradein, tradein.answers),
        "inspection_answers": _answer_rows(tradein, tradein.inspection.answers)
        if hasattr(tradein, "inspection")
        else [],
        "is_store_credit": tradein.payout_method == PayoutMethod.STORE_CREDIT,
    }
    return render(request, "tradein/account_detail.html", context)


@login_required
def account_label(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_owner(owner=request.user, reference=reference)
    if tradein.tracking_number is None:
        raise Http404("No label")
    return _pdf(label_pdf(tradein), f"label-{tradein.reference}.pdf")


@login_required
def account_return_label(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_owner(owner=request.user, reference=reference)
    if not hasattr(tradein, "counter_offer") or not tradein.counter_offer.return_tracking_number:
        raise Http404("No return label")
    return _pdf(return_label_pdf(tradein), f"return-label-{tradein.reference}.pdf")


@login_required
def account_certificate(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_owner(owner=request.user, reference=reference)
    if not hasattr(tradein, "certificate"):
        raise Http404("Not wiped yet")
    return _pdf(certificate_pdf(tradein), f"erasure-certificate-{tradein.certificate.number}.pdf")


@login_required
@require_POST
def account_counter_offer(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    tradein = selectors.tradein_get_for_owner(owner=request.user, reference=reference)
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            counter_offer_accept(tradein=tradein, actor=Actor.for_user(request.user))
            messages.success(request, _("Counter-offer accepted: we are paying you."))
        elif answer == "decline":
            counter_offer_decline(tradein=tradein, actor=Actor.for_user(request.user))
            messages.info(request, _("Counter-offer declined: we are sending your device back, free of charge."))
        else:
            messages.error(request, _("Accept or decline the counter-offer."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("tradein:account_detail", reference=tradein.reference)


def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """Anyone checks a data-erasure certificate: model, method, date, result, the identifier's last 4
    digits, nothing of the owner; a made-up number is a plain "not found"."""
    number = number or request.GET.get("number", "").strip()
    if not number:
        return render(request, "tradein/verify.html", {**_context(request), "asked": False})
    if request.GET.get("number"):
        return redirect("tradein:verify", number=number.upper())
    certificate = selectors.certificate_by_number(number)
    context = {**_context(request), "asked": True, "number": number, "certificate": certificate}
    return render(request, "tradein/verify.html", context, status=200 if certificate else 404)


# --- the device wallet and forward trade-in ----------------------------------------------------------
@login_required
def account_devices(request: AuthenticatedRequest) -> HttpResponse:
    """My devices: every device bought or traded in, its warranty, its trade-in value today, its
    guaranteed buy-back, one step to trade it in."""
    wallet = wallet_for(user=request.user, now=timezone.now())
    return render(request, "tradein/account_devices.html", {**_context(request), "wallet": wallet})


@login_required
def account_guarantee_redeem(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Redeem a guaranteed buy-back: the device's state (the category's questions and liquid damage);
    in good condition, a trade-in at this month's guaranteed price (then the usual acceptance)."""
    try:
        guarantee = guarantee_for_owner(owner=request.user, guarantee_id=pk)
    except ApplicationError:
        raise Http404("No such guaranteed buy-back") from None
    listing = guarantee.line.listing
    if listing is None:
        raise Http404("The model is no longer in the catalog")
    product = listing.variant.product
    now = timezone.now()
    price = guaranteed_price(guarantee.schedule, currency=guarantee.currency, starts_at=guarantee.starts_at, now=now)
    form = QuestionnaireForm(request.POST or None, questions=selectors.questions_for_product(product))
    liquid = request.POST.get("liquid_damage")
    error, failed = "", []
    if request.method == "POST" and form.is_valid() and liquid in ("yes", "no"):
        try:
            tradein = guarantee_redeem(
                guarantee=guarantee,
                owner=request.user,
                actor=Actor.for_user(request.user),
                answers=form.answers(),
                liquid_damage=liquid == "yes",
                now=now,
            )
        except ApplicationError as exc:
            failed = guarantee_conditions_failed(form.answers(), liquid_damage=liquid == "yes")
            error = (
                _("The guaranteed price is for a device in good condition, and this one is not. It needs:")
                if failed
                else exc.message
            )
        else:
            messages.success(request, _("Your guaranteed price is reserved: choose how you are paid."))
            return redirect("tradein:quote", reference=tradein.reference)
    elif request.method == "POST" and liquid not in ("yes", "no"):
        error = _("Tell us whether the device has had liquid damage.")
    context = {
        **_context(request),
        "guarantee": guarantee,
        "product": product,
        "variant": listing.variant,
        "price": price,
        "form": form,
        "liquid": liquid,
        "error": error,
        "failed": failed,
    }
    return render(request, "tradein/guarantee_redeem.html", context, status=400 if error else 200)
