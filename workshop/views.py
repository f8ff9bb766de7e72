"""Workshop pages: the seller's board (mounted at /seller/workshop/), the success console's identifier
history and flags (/console/workshop/), and a shopper's refurbishment record of a unit they bought
(/account/warranties/<id>/refurbishment/).

Views are thin: access, a selector, a form's shape, one service with an `Actor`, the service's refusal
shown on the form. Every seller read is scoped to the acting seller: another seller's unit is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Variant
from marketplace.access import require_owner, seller_member_required, success_manager_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Market, Organisation
from marketplace.requests import AuthenticatedRequest, SellerRequest
from marketplace.uploads import add_oversized_upload_errors
from warranty.models import Warranty
from workshop import charts, selectors
from workshop.forms import (
    AssignForm,
    BoardFilterForm,
    EditUnitForm,
    ImportForm,
    ListingForm,
    MoveForm,
    QualityCheckForm,
    SettingsForm,
    TechnicianForm,
    UnitForm,
    WorkForm,
    add_service_errors,
)
from workshop.imports import import_template, parse_csv, read_bounded
from workshop.models import IdentifierFlag, Technician, Unit, UnitPhoto
from workshop.photos import unit_photo_response
from workshop.selectors import AGE_FILTERS, Audience, BoardFilters
from workshop.services.assignment import unit_assign
from workshop.services.flags import flag_resolve
from workshop.services.listing import unit_listing_create, unit_listing_draft
from workshop.services.setup import technician_save, workshop_settings_for, workshop_settings_update
from workshop.services.units import unit_create, unit_transition, unit_update, units_import
from workshop.services.work import PartInput, unit_diagnose, unit_quality_check_record, unit_repair
from workshop.states import ACTIVE, SELLER_MOVES, UnitStatus


def _seller(request: SellerRequest) -> Organisation:
    return request.seller_membership.organisation


def _actor(request: AuthenticatedRequest) -> Actor:
    return Actor.for_user(request.user)


# --- the board ---------------------------------------------------------------------------------------------
def _filters(form: BoardFilterForm) -> BoardFilters:
    if not form.is_bound or not form.is_valid():
        return BoardFilters()
    data = form.cleaned_data
    technician = data.get("technician") or ""
    return BoardFilters(
        status=data.get("status") or "",
        technician=int(technician) if technician.isdigit() else None,
        age_days=AGE_FILTERS.get(data.get("age") or ""),
        overdue=bool(data.get("overdue")),
        query=data.get("q") or "",
    )


@seller_member_required
def board_view(request: SellerRequest) -> HttpResponse:
    """The board: a column per working status, overdue units in red first; filters by status, technician,
    age (days since received) and overdue, applied in place with htmx (a plain GET without script)."""
    seller = _seller(request)
    technicians = list(selectors.technicians_of(seller))
    form = BoardFilterForm(request.GET or None, technicians=technicians)
    columns = selectors.board(seller=seller, filters=_filters(form))
    context = {
        "form": form,
        "columns": columns,
        "now": timezone.now(),
        "total": sum(column.count for column in columns),
        "overdue": sum(1 for column in columns for unit in column.units if unit.is_overdue()),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "workshop/seller/_board.html", context)
    return render(request, "workshop/seller/board.html", context)


@seller_member_required
def variant_picker(request: SellerRequest) -> HttpResponse:
    """htmx: variants matching a search, for the intake form."""
    return render(
        request,
        "workshop/seller/_variant_options.html",
        {"variants": variant_search(request.GET.get("q", "").strip()), "selected": request.GET.get("variant", "")},
    )


def variant_search(query: str) -> Iterable[Variant]:
    variants = Variant.objects.select_related("product__brand")
    for term in query.split()[:6]:
        condition = (
            Q(product__name__icontains=term) | Q(product__brand__name__icontains=term) | Q(colour__icontains=term)
        )
        if term.isdigit():
            condition |= Q(storage_gb=int(term))
        variants = variants.filter(condition)
    return variants.order_by("product__name", "storage_gb", "colour")[:30]


@seller_member_required
def unit_new(request: SellerRequest) -> HttpResponse:
    seller = _seller(request)
    currency = workshop_settings_for(seller).currency
    form = UnitForm(request.POST or None, seller=seller, currency=currency)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_create(
                seller=seller,
                actor=_actor(request),
                identifier=form.cleaned_data["identifier"],
                variant=form.cleaned_data["variant"],
                source=form.cleaned_data["source"],
                purchase_amount=form.cost_amount(),
                notes=form.cleaned_data["notes"],
                technician=form.cleaned_data["technician"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Unit %(reference)s is on the board.") % {"reference": unit.reference})
            return redirect("workshop:unit", pk=unit.pk)
    selected = form["variant"].value()
    selected_variant = (
        Variant.objects.select_related("product").filter(pk=selected).first() if str(selected or "").isdigit() else None
    )
    return render(
        request,
        "workshop/seller/unit_new.html",
        {
            "form": form,
            "selected_variant": selected_variant,
            "variants": variant_search("") if not selected_variant else [],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- one unit ----------------------------------------------------------------------------------------------
def _unit_page(request: SellerRequest, unit: Unit, status: int = 200, **forms: Any) -> HttpResponse:
    seller = _seller(request)
    settings_row = workshop_settings_for(seller)
    items = selectors.check_items_for(unit.variant.product.category)
    history = selectors.unit_history(identifier=unit.identifier, audience=Audience.SELLER, seller=seller)
    moves = [
        (to, UnitStatus(to).label)
        for to in sorted(SELLER_MOVES.get(unit.status, frozenset()), key=lambda s: list(UnitStatus.values).index(s))
    ]
    context = {
        "unit": unit,
        "history": history,
        "other_lives": [other for other in history.units if other.pk != unit.pk],
        "moves": moves,
        "settings": settings_row,
        "diagnose_form": forms.get("diagnose_form") or WorkForm(),
        "repair_form": forms.get("repair_form") or WorkForm(with_parts=True, currency=unit.currency),
        "check_form": forms.get("check_form")
        or QualityCheckForm(items=items, initial={"battery_health": unit.battery_health}),
        "assign_form": forms.get("assign_form")
        or AssignForm(seller=seller, initial={"technician": unit.technician_id}),
        "edit_form": forms.get("edit_form")
        or EditUnitForm(currency=unit.currency, initial={"cost": unit.purchase_cost.decimal, "notes": unit.notes}),
        "photos": list(UnitPhoto.objects.filter(unit=unit).only("pk", "work_id")),
        "active": unit.status in ACTIVE,
        "now": timezone.now(),
    }
    return render(request, "workshop/seller/unit.html", context, status=status)


@seller_member_required
def unit_detail(request: SellerRequest, pk: int) -> HttpResponse:
    return _unit_page(request, selectors.unit_get(seller=_seller(request), id=pk))


@seller_member_required
@require_POST
def unit_action(request: SellerRequest, pk: int, action: str) -> HttpResponse:
    """The unit page's forms: diagnose, repair, check, move, assign, edit."""
    seller = _seller(request)
    unit = selectors.unit_get(seller=seller, id=pk)
    actor = _actor(request)
    try:
        if action in ("diagnose", "repair"):
            form = WorkForm(request.POST, request.FILES, with_parts=action == "repair", currency=unit.currency)
            form.is_valid()
            add_oversized_upload_errors(request, form)
            if not form.is_valid():
                return _unit_page(request, unit, status=400, **{f"{action}_form": form})
            data = form.cleaned_data
            try:
                if action == "diagnose":
                    unit_diagnose(
                        unit=unit,
                        actor=actor,
                        findings=data["findings"],
                        labour_minutes=data.get("labour_minutes") or 0,
                        photos=data["photos"],
                    )
                else:
                    unit_repair(
                        unit=unit,
                        actor=actor,
                        findings=data["findings"],
                        labour_minutes=data.get("labour_minutes") or 0,
                        parts=[PartInput(**part) for part in form.parts()],
                        photos=data["photos"],
                    )
            except ApplicationError as error:
                add_service_errors(form, error, fields={"labour_minutes": "labour_minutes"})
                return _unit_page(request, unit, status=400, **{f"{action}_form": form})
            messages.success(request, _("Recorded."))
        elif action == "check":
            items = selectors.check_items_for(unit.variant.product.category)
            check_form = QualityCheckForm(request.POST, items=items)
            if not check_form.is_valid():
                return _unit_page(request, unit, status=400, check_form=check_form)
            data = check_form.cleaned_data
            try:
                check = unit_quality_check_record(
                    unit=unit,
                    actor=actor,
                    results=check_form.results(),
                    screen=data["screen"],
                    body=data["body"],
                    battery_health=data["battery_health"],
                    note=data["note"],
                )
            except ApplicationError as error:
                add_service_errors(check_form, error)
                return _unit_page(request, unit, status=400, check_form=check_form)
            if check.passed and check.suggested_grade:
                messages.success(
                    request,
                    _("Quality check passed: ready to list as %(grade)s.")
                    % {"grade": check.suggested_grade.display_name},
                )
            else:
                messages.warning(request, _("Quality check failed: the unit is back in repair."))
        elif action == "move":
            move_form = MoveForm(request.POST)
            if move_form.is_valid():
                unit_transition(
                    unit=unit, actor=actor, to=move_form.cleaned_data["to"], note=move_form.cleaned_data["note"]
                )
                messages.success(
                    request, _("Moved to %(status)s.") % {"status": UnitStatus(move_form.cleaned_data["to"]).label}
                )
        elif action == "assign":
            assign_form = AssignForm(request.POST, seller=seller)
            if assign_form.is_valid():
                unit_assign(unit=unit, actor=actor, technician=assign_form.cleaned_data["technician"])
                messages.success(request, _("Assignment saved."))
        elif action == "edit":
            edit_form = EditUnitForm(request.POST, currency=unit.currency)
            if not edit_form.is_valid():
                return _unit_page(request, unit, status=400, edit_form=edit_form)
            unit_update(
                unit=unit, actor=actor, purchase_amount=edit_form.cost_amount(), notes=edit_form.cleaned_data["notes"]
            )
            messages.success(request, _("Saved."))
        else:
            raise Http404("No such action")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("workshop:unit", pk=unit.pk)


@seller_member_required
def unit_listing(request: SellerRequest, pk: int) -> HttpResponse:
    """The listing step: the form filled from the unit (market, suggested grade, battery, warranty, the price
    suggested from the price to win and the unit's cost), then one service."""
    seller = _seller(request)
    unit = selectors.unit_get(seller=seller, id=pk)
    if unit.status != UnitStatus.READY:
        messages.error(request, _("Only a unit ready to list can be listed."))
        return redirect("workshop:unit", pk=unit.pk)
    market_code = request.POST.get("market") or request.GET.get("market") or selectors.seller_home_market(seller).code
    market = Market.objects.filter(code=market_code, is_active=True).first() or selectors.seller_home_market(seller)
    draft = unit_listing_draft(unit=unit, market=market)
    initial = {
        "market": market.code,
        "grade": draft.grade.code if draft.grade else None,
        "warranty_months": draft.warranty_months,
        "price": (
            draft.joins.price.decimal if draft.joins else (draft.price.price.decimal if draft.price.price else None)
        ),
    }
    form = ListingForm(request.POST or None, suggested=unit.suggested_grade, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing = unit_listing_create(
                unit=unit,
                actor=_actor(request),
                market=data["market"],
                grade=data["grade"],
                price_amount=form.price_amount(),
                warranty_months=data["warranty_months"],
                sku=data["sku"],
            )
        except ApplicationError as error:
            add_service_errors(form, error, fields={"price_amount": "price"})
        else:
            listing.refresh_from_db()
            messages.success(
                request,
                _("Listed on %(sku)s: %(stock)s in stock.") % {"sku": listing.sku, "stock": listing.stock},
            )
            return redirect("workshop:unit", pk=unit.pk)
    return render(
        request,
        "workshop/seller/listing.html",
        {"unit": unit, "form": form, "draft": draft, "markets": Market.objects.filter(is_active=True)},
        status=400 if request.method == "POST" else 200,
    )


@seller_member_required
def unit_photo(request: SellerRequest, pk: int, photo: int) -> FileResponse:
    return unit_photo_response(selectors.unit_photo_get(seller=_seller(request), unit_id=pk, id=photo))


# --- import, reports, settings -----------------------------------------------------------------------------
@seller_member_required
def import_view(request: SellerRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        form.is_valid()
        add_oversized_upload_errors(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            rows = parse_csv(read_bounded(form.cleaned_data["file"]))
            created = units_import(seller=_seller(request), actor=_actor(request), rows=rows)
        except ApplicationError as error:
            form.add_error(None, error.message)
            errors = error.errors
        else:
            messages.success(request, _("%(count)s units are on the board.") % {"count": len(created)})
            return redirect("workshop:board")
    return render(
        request,
        "workshop/seller/import.html",
        {"form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


@seller_member_required
def import_template_view(request: SellerRequest) -> HttpResponse:
    response = HttpResponse(import_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="units-template.csv"'
    return response


@seller_member_required
def reports_view(request: SellerRequest) -> HttpResponse:
    seller = _seller(request)
    months = selectors.parts_cost_by_month(seller=seller)
    return render(
        request,
        "workshop/seller/reports.html",
        {
            "turnaround": selectors.turnaround(seller=seller),
            "yields": selectors.repair_yield(seller=seller),
            "months": months,
            "chart": charts.bar_chart([(month.month, month.cost) for month in months]),
        },
    )


@seller_member_required
def settings_view(request: SellerRequest) -> HttpResponse:
    """The workshop's figures and its technicians (owners change them; every member reads them)."""
    seller = _seller(request)
    row = workshop_settings_for(seller)
    initial = {
        "labour_rate": row.labour_rate.decimal,
        "target_margin_percent": row.target_margin_percent,
        "warranty_months": row.warranty_months,
    }
    form = SettingsForm(request.POST or None, currency=row.currency, initial=initial)
    technician_form = TechnicianForm(seller=seller)
    if request.method == "POST":
        require_owner(request)
        if form.is_valid():
            try:
                workshop_settings_update(
                    seller=seller,
                    actor=_actor(request),
                    labour_rate_amount=form.labour_rate_amount(),
                    target_margin_percent=form.cleaned_data["target_margin_percent"],
                    warranty_months=form.cleaned_data["warranty_months"],
                )
            except ApplicationError as error:
                add_service_errors(form, error, fields={"labour_rate": "labour_rate"})
            else:
                messages.success(request, _("Saved."))
                return redirect("workshop:settings")
    return render(
        request,
        "workshop/seller/settings.html",
        {
            "form": form,
            "technician_form": technician_form,
            "technicians": list(selectors.technicians_of(seller)),
            "is_owner": request.seller_membership.role == "owner",
        },
        status=400 if request.method == "POST" else 200,
    )


@seller_member_required
@require_POST
def technician_view(request: SellerRequest, pk: int | None = None) -> HttpResponse:
    """Add a technician or partner workshop, or change one (owners only)."""
    require_owner(request)
    seller = _seller(request)
    technician = get_object_or_404(Technician, seller=seller, pk=pk) if pk is not None else None
    form = TechnicianForm(request.POST, seller=seller)
    if form.is_valid():
        data = form.cleaned_data
        try:
            technician_save(
                seller=seller,
                actor=_actor(request),
                technician=technician,
                kind=data["kind"],
                user=data["user"].user if data["user"] else None,
                name=data["name"],
                categories=data["categories"],
                capacity_per_day=data["capacity_per_day"],
                active=data["active"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("workshop:settings")


# --- the success console -----------------------------------------------------------------------------------
@success_manager_required
def console_flags(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "workshop/console/flags.html",
        {"flags": list(selectors.open_flags()[:200]), "identifier": request.GET.get("identifier", "")},
    )


@success_manager_required
def console_identifier(request: AuthenticatedRequest) -> HttpResponse:
    """A device's life across sellers and trade-ins by its identifier (no seller's costs)."""
    identifier = request.GET.get("identifier", "").strip().upper().replace(" ", "")[:32]
    history = selectors.unit_history(identifier=identifier, audience=Audience.CONSOLE) if identifier else None
    flags = (
        list(IdentifierFlag.objects.filter(identifier=identifier).select_related("seller", "other_seller"))
        if identifier
        else []
    )
    return render(
        request, "workshop/console/identifier.html", {"identifier": identifier, "history": history, "flags": flags}
    )


@success_manager_required
@require_POST
def console_flag_resolve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(IdentifierFlag, pk=pk)
    try:
        flag_resolve(flag=flag, actor=_actor(request), note=request.POST.get("note", ""))
        messages.success(request, _("Flag resolved."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("workshop_console:flags")


# --- the shopper -------------------------------------------------------------------------------------------
@login_required
def shopper_unit_history(request: AuthenticatedRequest, warranty_id: int) -> HttpResponse:
    """The refurbishment record of a unit the shopper bought: its checks and repairs before the sale, then
    their order, warranty and claims. Another shopper's warranty is a 404."""
    warranty = get_object_or_404(
        Warranty.objects.select_related("line__seller_order__order", "seller"), pk=warranty_id, shopper=request.user
    )
    units = selectors.units_for_shopper_warranty(warranty)
    if not units:
        raise Http404("No refurbishment record")
    history = selectors.unit_history(identifier=warranty.identifier, audience=Audience.SHOPPER, units=units)
    return render(
        request, "workshop/shopper/history.html", {"warranty": warranty, "history": history, "unit": units[0]}
    )


def shopper_history_links(*, warranties: Iterable[Warranty], **_kwargs: Any) -> dict[int, str]:
    """`warranty.hooks.unit_history_links`' answer: the record's URL of each warranty whose unit has one."""
    return {
        pk: reverse("workshop_shopper:history", args=[pk]) for pk in selectors.warranty_units_with_history(warranties)
    }
