"""The dashboards: the platform's in the console (success managers and finance), a seller's in its
back-office, a partner's in its back-office. Same figures, scoped; filters by market and period;
charts, the figures, and the days as CSV. They read the rollup tables only (`reporting.selectors`)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.templatetags.catalog_tags import money
from marketplace.access import is_success_manager, partner_member_required, seller_member_required
from marketplace.requests import PartnerRequest, SellerRequest
from reporting import selectors
from reporting.charts import Bar, bar_chart
from reporting.forms import DEFAULT_DAYS, ReportFilterForm
from reporting.models import RollupState
from reporting.selectors import PARTNER, PLATFORM, SELLER, Figures, Filters, Scope
from reporting.services import STATE
from tradein.access import may_pay


def _kg(grams: int) -> str:
    return f"{grams / 1000:,.1f}"


DAILY_UP_TO = 92  # days: a longer period is charted per week (up to a year), then per month


def _buckets(days: list[date]) -> tuple[str, list[tuple[str, list[date]]]]:
    """The chart's bars: one per day up to a quarter, per week (from Monday) up to a year, else per month;
    a bar that people can see and hover rather than 365 slivers. Returns the unit and (label, days)."""
    groups: dict[date, list[date]] = {}
    if len(days) <= DAILY_UP_TO:
        return "day", [(day.strftime("%d/%m"), [day]) for day in days]
    if len(days) <= 371:
        for day in days:
            groups.setdefault(day - timedelta(days=day.weekday()), []).append(day)
        return "week", [(start.strftime("%d/%m"), members) for start, members in groups.items()]
    for day in days:
        groups.setdefault(day.replace(day=1), []).append(day)
    return "month", [(start.strftime("%m/%y"), members) for start, members in groups.items()]


def _charts(figures: Figures, filters: Filters) -> dict[str, str]:
    unit, buckets = _buckets(figures.days(filters))

    def total(rows: dict[date, dict[str, int]], members: list[date], column: str) -> int:
        return sum(rows.get(day, {}).get(column, 0) for day in members)

    gmv = []
    co2e = []
    for label, members in buckets:
        amount = total(figures.sales_days, members, "gmv_amount")
        gmv.append(Bar(label, amount, money(figures.money(amount))))
        grams = total(figures.sales_days, members, "co2e_grams") + total(figures.tradein_days, members, "co2e_grams")
        co2e.append(Bar(label, grams, _kg(grams) + " kg"))
    stages = [
        (_("Quoted"), "quoted"),
        (_("Accepted"), "accepted"),
        (_("Received"), "received"),
        (_("Paid"), "paid"),
        (_("Resold"), "resold"),
        (_("Recycled"), "recycled"),
    ]
    funnel = [Bar(str(name), figures.tradein[key], str(figures.tradein[key])) for name, key in stages]
    titles = {
        "day": (_("GMV per day (%(currency)s)"), _("CO₂e avoided per day (kg)")),
        "week": (_("GMV per week (%(currency)s)"), _("CO₂e avoided per week (kg)")),
        "month": (_("GMV per month (%(currency)s)"), _("CO₂e avoided per month (kg)")),
    }[unit]
    return {
        "gmv": mark_safe(  # noqa: S308 - built by charts.py, every text escaped
            bar_chart(
                gmv,
                title=titles[0] % {"currency": figures.currency},
                description=_("Total %(total)s") % {"total": money(figures.gmv)},
            )
        ),
        "funnel": mark_safe(  # noqa: S308
            bar_chart(
                funnel,
                title=_("Trade-ins over the period"),
                description=", ".join(f"{b.label} {b.text}" for b in funnel),
                colour="#1f8a70",
            )
        ),
        "co2e": mark_safe(  # noqa: S308
            bar_chart(
                co2e,
                title=str(titles[1]),
                description=_("Total %(kg)s kg") % {"kg": _kg(figures.co2e_grams)},
                colour="#2e7d32",
            )
        ),
    }


def _csv(scope: Scope, filters: Filters, name: str) -> HttpResponse:
    rows = selectors.daily_rows(scope=scope, filters=filters)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = list(rows[0]) if rows else ["day", "currency"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{filters.start}-{filters.end}.csv"'
    return response


def _page(request: HttpRequest, *, scope: Scope, template: str, title: str, name: str) -> HttpResponse:
    today = timezone.now().date()
    form = ReportFilterForm(request.GET or None, today=today)
    if request.GET and not form.is_valid():
        filters = Filters(start=today.replace(day=1), end=today)
    elif request.GET:
        data = form.cleaned_data
        filters = Filters(start=data["start"], end=data["end"], market=data.get("market") or None)
    else:
        filters = Filters(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)
    if request.GET.get("format") == "csv":
        return _csv(scope, filters, name)
    figures = selectors.dashboard(scope=scope, filters=filters)
    refreshed = RollupState.objects.filter(name=STATE).values_list("refreshed_at", flat=True).first()
    context: dict[str, Any] = {
        "title": title,
        "form": form,
        "filters": filters,
        "scope": scope.kind,
        "blocks": [{"figures": f, "charts": _charts(f, filters)} for f in figures],
        "refreshed_at": refreshed,
        "csv_query": _query(request, format="csv"),
    }
    return render(request, template, context, status=400 if request.GET and not form.is_valid() else 200)


def _query(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


def platform(request: HttpRequest) -> HttpResponse:
    """The platform's dashboard: success managers and finance."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (is_success_manager(request.user) or may_pay(request.user)):
        raise PermissionDenied(_("Success managers and finance only."))
    return _page(
        request,
        scope=Scope(PLATFORM),
        template="reporting/console.html",
        title=_("Platform dashboard"),
        name="platform",
    )


@seller_member_required
def seller(request: SellerRequest) -> HttpResponse:
    organisation = request.seller_membership.organisation
    return _page(
        request,
        scope=Scope(SELLER, organisation),
        template="reporting/seller.html",
        title=_("Your figures"),
        name="seller",
    )


@partner_member_required
def partner(request: PartnerRequest) -> HttpResponse:
    organisation = request.partner_membership.organisation
    return _page(
        request,
        scope=Scope(PARTNER, organisation),
        template="reporting/partner.html",
        title=_("Your figures"),
        name="partner",
    )
