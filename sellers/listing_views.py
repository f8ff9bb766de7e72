"""Seller back-office: listings table (search, filters, sort, inline edit, pause/resume, bulk actions),
create and edit, CSV import, export and template. Every write goes through catalog/sellers services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from catalog.models import Grade, Listing, ListingPhoto, Variant
from catalog.selectors.buy_box import price_to_win, price_to_win_many, score_leeway
from catalog.services.images import MAX_LISTING_PHOTOS, listing_photo_add, listing_photo_delete
from catalog.services.listings import listing_deactivate, listing_pause, listing_publish, listing_resume, listing_update
from catalog.states import ListingStatus
from marketplace.access import seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.landing import safe_next_url
from marketplace.models import Market, Organisation
from marketplace.money import Money
from marketplace.requests import SellerRequest
from marketplace.tenancy import get_scoped_or_404, scope
from sellers import selectors
from sellers.forms import ImportForm, ListingForm
from sellers.imports import MAX_BYTES, file_too_large, import_template, listings_export, parse_csv, read_bounded
from sellers.selectors.price_check import PriceWarning, price_far_below
from sellers.services.listings import listings_import, seller_listing_create
from sellers.views import add_service_errors

SORTS = {
    "newest": ("-created_at", "-id"),
    "price": ("price_amount", "id"),
    "-price": ("-price_amount", "-id"),
    "stock": ("stock", "id"),
    "sku": ("sku", "id"),
}
PAGE_SIZE = 25


def _organisation(request: SellerRequest) -> Organisation:
    return request.seller_membership.organisation


def _actor(request: SellerRequest) -> Actor:
    return Actor.for_user(request.user)


def _listings(request: SellerRequest) -> QuerySet[Listing]:
    return scope(
        Listing.objects.select_related("variant__product", "grade", "market"), _organisation(request), field="seller"
    )


def _filtered(request: SellerRequest) -> tuple[QuerySet[Listing], dict[str, str]]:
    params = {key: request.GET.get(key, "").strip() for key in ("q", "status", "grade", "market", "sort")}
    listings = _listings(request)
    if params["q"]:
        listings = listings.filter(Q(sku__icontains=params["q"]) | Q(variant__product__name__icontains=params["q"]))
    if params["status"] in ListingStatus.values:
        listings = listings.filter(status=params["status"])
    if params["grade"]:
        listings = listings.filter(grade_id=params["grade"])
    if params["market"]:
        listings = listings.filter(market_id=params["market"])
    return listings.order_by(*SORTS.get(params["sort"], SORTS["newest"])), params


def _row_context(listing: Listing, standing: Any = None) -> dict[str, Any]:
    return {"listing": listing, "standing": standing if standing is not None else price_to_win(listing)}


@seller_member_required
def listing_list(request: SellerRequest) -> HttpResponse:
    listings, params = _filtered(request)
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    standings = price_to_win_many(rows)
    seller = selectors.seller_get(organisation=_organisation(request))
    leeway = score_leeway(seller.score)
    context = {
        "page": page,
        "rows": [{"listing": listing, "standing": standings.get(listing.pk)} for listing in rows],
        "params": params,
        "statuses": ListingStatus.choices,
        "grades": Grade.objects.all(),
        "markets": Market.objects.filter(is_active=True),
        "probation": selectors.probation_progress(seller),
        "cap": selectors.daily_cap_progress(seller),
        "seller": seller,
        "leeway": leeway,
        "handicap": -leeway,
        "query_string": request.GET.copy(),
    }
    template = "seller/listings/_table.html" if request.htmx else "seller/listings/list.html"
    return render(request, template, context)


@require_POST
@seller_member_required
def listing_inline(request: SellerRequest, pk: int) -> HttpResponse:
    """htmx: change price and/or stock from the table row; returns the row."""
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    changes: dict[str, Any] = {}
    error = None
    try:
        if "price" in request.POST:
            changes["price_amount"] = Money.from_decimal(
                request.POST["price"].replace(",", "."), listing.currency
            ).amount
        if "stock" in request.POST:
            changes["stock"] = int(request.POST["stock"])
    except (ValueError, ArithmeticError):
        error = _("Enter a price like 129.99 and a whole number for stock.")
    if error is None and changes:
        try:
            listing = listing_update(listing=listing, actor=_actor(request), **changes)
        except ApplicationError as exc:
            error = exc.message if not exc.errors else "; ".join(e["message"] for e in exc.errors)
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    warning = _price_warning(listing) if error is None and "price_amount" in changes else None
    return render(
        request, "seller/listings/_row.html", {**_row_context(listing), "error": error, "price_warning": warning}
    )


STATUS_ACTIONS = {
    "pause": listing_pause,
    "resume": listing_resume,
    "publish": listing_publish,
    "deactivate": listing_deactivate,
}


@require_POST
@seller_member_required
def listing_status(request: SellerRequest, pk: int) -> HttpResponse:
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    error = None
    if action is None:
        error = _("Unknown action.")
    else:
        try:
            action(listing=listing, actor=_actor(request))
        except ApplicationError as exc:
            error = exc.message
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    if request.htmx:
        return render(request, "seller/listings/_row.html", {**_row_context(listing), "error": error})
    if error:
        messages.error(request, error)
    return redirect("seller:listings")


@require_POST
@seller_member_required
def listing_bulk(request: SellerRequest) -> HttpResponse:
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if action is None or not ids:
        messages.error(request, _("Choose listings and an action."))
        return redirect("seller:listings")
    selected = list(_listings(request).filter(pk__in=ids).order_by("pk"))
    if len(selected) != len(set(ids)):
        # A foreign or vanished id in the body: refuse the whole request, change nothing.
        messages.error(request, _("Some selected listings are not yours or no longer exist; nothing was changed."))
        return redirect("seller:listings")
    done, failed = 0, 0
    for listing in selected:
        try:
            action(listing=listing, actor=_actor(request))
            done += 1
        except ApplicationError:
            failed += 1
    messages.success(request, _("%(done)d listings updated.") % {"done": done})
    if failed:
        messages.warning(
            request, _("%(failed)d listings could not take this action in their status.") % {"failed": failed}
        )
    return redirect(safe_next_url(request, request.POST.get("next")) or "seller:listings")


def _price_warning(listing: Listing, price_amount: int | None = None) -> PriceWarning | None:
    return price_far_below(
        variant_id=listing.variant_id,
        market_id=listing.market_id,
        price_amount=listing.price_amount if price_amount is None else price_amount,
        currency=listing.currency,
        exclude_pk=listing.pk,
    )


def _warn_price(request: SellerRequest, listing: Listing) -> None:
    """After saving: a price far below the variant's other offers is said, with how far (not refused)."""
    warning = _price_warning(listing)
    if warning is not None:
        messages.warning(
            request,
            _(
                "%(sku)s: this price is %(percent)d %% below the median of the variant's %(offers)d other offers "
                "(%(median)s). Check that it is not a typo."
            )
            % {
                "sku": listing.sku,
                "percent": warning.percent_below,
                "offers": warning.offers,
                "median": warning.median,
            },
        )


def _variant_choices(query: str) -> QuerySet[Variant]:
    variants = Variant.objects.select_related("product__brand")
    if query:
        for term in query.split():
            variants = variants.filter(
                Q(product__name__icontains=term)
                | Q(product__brand__name__icontains=term)
                | Q(colour__icontains=term)
                | Q(storage_gb__startswith=term if term.isdigit() else -1)
            )
    return variants.order_by("product__name", "storage_gb", "colour")[:30]


@seller_member_required
def variant_picker(request: SellerRequest) -> HttpResponse:
    """htmx: variants matching a search, for the create form."""
    return render(
        request,
        "seller/listings/_variant_options.html",
        {"variants": _variant_choices(request.GET.get("q", "").strip()), "selected": request.GET.get("variant")},
    )


@seller_member_required
def price_hint(request: SellerRequest) -> HttpResponse:
    """htmx: the buy-box price to beat for a variant, grade and market."""
    variant, grade, market = (request.GET.get(key, "") for key in ("variant", "grade", "market"))
    editing = request.GET.get("listing", "")
    if editing.isdigit():
        # The edit form: the listing itself (never its own competitor), in the grade being chosen.
        listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=int(editing))
        listing.grade_id = grade or listing.grade_id
        return render(
            request,
            "seller/listings/_price_hint.html",
            {"standing": price_to_win(listing), "price_warning": _typed_price_warning(request, listing)},
        )
    if not (variant.isdigit() and grade and market):
        return render(request, "seller/listings/_price_hint.html", {"standing": None})
    listing = Listing(
        pk=None,
        seller=_organisation(request),
        variant_id=int(variant),
        grade_id=grade,
        market_id=market,
        price_amount=1,
        status=ListingStatus.ACTIVE,
        stock=1,
        currency=Market.objects.filter(code=market).values_list("currency", flat=True).first() or "EUR",
    )
    standing = price_to_win(listing)
    return render(
        request,
        "seller/listings/_price_hint.html",
        {"standing": standing, "price_warning": _typed_price_warning(request, listing)},
    )


def _typed_price_warning(request: SellerRequest, listing: Listing) -> PriceWarning | None:
    """The warning for the price being typed in the form (`price`), before anything is saved."""
    try:
        amount = Money.from_decimal(request.GET.get("price", "").replace(",", "."), listing.currency).amount
    except (ValueError, ArithmeticError):
        return None
    return _price_warning(listing, amount)


@seller_member_required
def listing_create_view(request: SellerRequest) -> HttpResponse:
    organisation = _organisation(request)
    seller = selectors.seller_get(organisation=organisation)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing = seller_listing_create(
                seller=organisation,
                actor=_actor(request),
                variant=data["variant"],
                grade=data["grade"],
                market=data["market"],
                price_amount=data["price_amount"],
                stock=data["stock"],
                sku=data["sku"],
                battery_health=data["battery_health"],
                warranty_months=data["warranty_months"],
                status=data["status"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Listing %(sku)s created.") % {"sku": listing.sku})
            _warn_price(request, listing)
            return redirect("seller:listings")
    selected = form["variant"].value()
    selected_variant = (
        Variant.objects.select_related("product__brand").filter(pk=selected).first()
        if str(selected or "").isdigit()
        else None
    )
    variants = list(_variant_choices(""))
    if selected_variant is not None and selected_variant not in variants:
        # The variant chosen before a validation error stays chosen, wherever it sorts.
        variants = [selected_variant, *variants]
    context = {
        "form": form,
        "probation": selectors.probation_progress(seller),
        "cap": selectors.daily_cap_progress(seller),
        "variants": variants,
        "selected_variant": selected_variant,
    }
    return render(request, "seller/listings/form.html", context)


@seller_member_required
def listing_edit(request: SellerRequest, pk: int) -> HttpResponse:
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    initial = {
        "variant": listing.variant_id,
        "grade": listing.grade_id,
        "market": listing.market_id,
        "price": Money(listing.price_amount, listing.currency).decimal,
        "stock": listing.stock,
        "sku": listing.sku,
        "battery_health": listing.battery_health,
        "warranty_months": listing.warranty_months,
        "status": listing.status if listing.status in ("draft", "active", "paused") else "paused",
    }
    form = ListingForm(request.POST or None, initial=initial, editing=listing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "grade": data["grade"],
            "price_amount": data["price_amount"],
            "stock": data["stock"],
            "sku": data["sku"],
            "battery_health": data["battery_health"],
            "warranty_months": data["warranty_months"],
        }
        if data["status"] != listing.status and listing.status != ListingStatus.PAUSED_BY_PLATFORM:
            changes["status"] = data["status"]
        try:
            listing_update(listing=listing, actor=_actor(request), **changes)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Listing %(sku)s saved.") % {"sku": listing.sku})
            _warn_price(request, listing)
            return redirect("seller:listings")
    return render(
        request,
        "seller/listings/form.html",
        {
            "form": form,
            "listing": listing,
            "standing": price_to_win(listing),
            "selected_variant": listing.variant,
            "price_warning": _price_warning(listing),
            "photos": list(listing.photos.all()),
            "max_photos": MAX_LISTING_PHOTOS,
        },
    )


@require_POST
@seller_member_required
def listing_photos_add(request: SellerRequest, pk: int) -> HttpResponse:
    """Photos of the actual unit, added to the listing one file at a time through the catalog's service
    (checked by content, size-limited, at most `MAX_LISTING_PHOTOS`): the files before a refused one stay."""
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    uploads = request.FILES.getlist("photos")
    if not uploads:
        messages.error(request, _("Choose at least one photo to add."))
    added = 0
    for upload in uploads:
        try:
            listing_photo_add(listing=listing, upload=upload, actor=_actor(request))
        except ApplicationError as error:
            messages.error(request, error.message)
            break
        added += 1
    if added:
        messages.success(
            request, ngettext("%(count)d photo added.", "%(count)d photos added.", added) % {"count": added}
        )
    return redirect("seller:listing_edit", pk=listing.pk)


@require_POST
@seller_member_required
def listing_photo_remove(request: SellerRequest, pk: int, photo: int) -> HttpResponse:
    listing = get_scoped_or_404(_listings(request), _organisation(request), field="seller", pk=pk)
    listing_photo_delete(photo=get_object_or_404(ListingPhoto, listing=listing, pk=photo), actor=_actor(request))
    messages.success(request, _("Photo removed."))
    return redirect("seller:listing_edit", pk=listing.pk)


@seller_member_required
def listing_import_view(request: SellerRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            if upload.size is not None and upload.size > MAX_BYTES:
                raise file_too_large()
            rows = parse_csv(read_bounded(upload))
            result = listings_import(seller=organisation, actor=_actor(request), rows=rows)
        except ApplicationError as error:
            errors = error.errors
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Import done: %(created)d listings created, %(updated)d updated.")
                % {"created": len(result.created), "updated": len(result.updated)},
            )
            return redirect("seller:listings")
    seller = selectors.seller_get(organisation=organisation)
    return render(
        request,
        "seller/listings/import.html",
        {
            "form": form,
            "errors": errors,
            "probation": selectors.probation_progress(seller),
            "cap": selectors.daily_cap_progress(seller),
        },
    )


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@seller_member_required
def listing_export_view(request: SellerRequest) -> HttpResponse:
    organisation = _organisation(request)
    return _csv_response(listings_export(seller=organisation), f"{organisation.slug}-listings.csv")


@seller_member_required
def listing_template_view(request: SellerRequest) -> HttpResponse:
    return _csv_response(import_template(), "encore-listings-template.csv")
