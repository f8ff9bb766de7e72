"""Storefront pages: home, category and search results (htmx filters), product page, seller page, market switch."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalog.filters import StorefrontFilter
from catalog.markets import MARKET_COOKIE, current_market, market_language
from catalog.models import Category, Listing
from catalog.selectors import (
    FACETS,
    browse,
    categories_tree,
    grades_all,
    home_sections,
    markets_active,
    product_get,
    product_page,
)
from catalog.states import ListingStatus
from marketplace.models import Organisation, OrganisationKind

FACET_LABELS = ("brand", "series", "storage", "colour", "grade")


def _base_context(request: HttpRequest) -> dict[str, object]:
    return {"market": current_market(request), "markets": markets_active(), "nav_categories": categories_tree()}


def home(request: HttpRequest) -> HttpResponse:
    market = current_market(request)
    context = _base_context(request)
    context.update(home_sections(market=market))
    return render(request, "storefront/home.html", context)


def _results(request: HttpRequest, *, category: Category | None, template: str) -> HttpResponse:
    market = current_market(request)
    filterset = StorefrontFilter(request.GET or None, queryset=Listing.objects.none())
    filters = filterset.to_browse(market=market, category=category)
    result = browse(filters)
    context = _base_context(request)
    context.update(
        {
            "category": category,
            "filters": filters,
            "filterset": filterset,
            "result": result,
            "facet_order": [name for name in FACET_LABELS if name in FACETS],
            "selected": {
                "brand": set(filters.brand),
                "series": set(filters.series),
                "storage": {str(s) for s in filters.storage},
                "colour": set(filters.colour),
                "grade": set(filters.grade),
            },
            "min_value": request.GET.get("min", ""),
            "max_value": request.GET.get("max", ""),
        }
    )
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "catalog/partials/results.html", context)
    return render(request, template, context)


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = next((c for c in categories_tree() if c.slug == slug), None)
    if category is None:
        category = get_object_or_404(Category, slug=slug)
    return _results(request, category=category, template="catalog/category.html")


def search(request: HttpRequest) -> HttpResponse:
    return _results(request, category=None, template="catalog/search.html")


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_get(slug=slug)
    if product is None:
        raise Http404
    market = current_market(request)
    try:
        variant_id = int(request.GET.get("variant", "") or 0) or None
    except ValueError:
        variant_id = None
    grade = request.GET.get("grade") or None
    page = product_page(product=product, market=market, variant_id=variant_id, grade=grade)
    context = _base_context(request)
    context.update({"page": page, "product": product, "grades": grades_all(), "selected_grade": grade})
    return render(request, "catalog/product.html", context)


def seller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    seller = get_object_or_404(
        Organisation.objects.filter(kind=OrganisationKind.SELLER).annotate(
            offers=Count("listings", filter=Q(listings__status=ListingStatus.ACTIVE, listings__stock__gt=0))
        ),
        slug=slug,
    )
    context = _base_context(request)
    # Rating and sales come from orders and reviews (later issues); until then the page says so.
    context.update({"seller": seller, "rating": None, "sales": 0})
    return render(request, "catalog/seller.html", context)


@require_POST
def market_switch(request: HttpRequest) -> HttpResponse:
    """Choose the market (currency, offers) and, when Encore speaks it, the market's language."""
    markets = {market.code: market for market in markets_active()}
    market = markets.get(request.POST.get("market", ""))
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    # Drop a ?market= from the page we go back to: the new choice must win.
    path, _, query = next_url.partition("?")
    kept = "&".join(part for part in query.split("&") if part and not part.startswith("market="))
    response = redirect(f"{path}?{kept}" if kept else path)
    if market is None:
        return response
    response.set_cookie(MARKET_COOKIE, market.code, max_age=365 * 24 * 3600, samesite="Lax")
    language = market_language(market)
    if language:
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
