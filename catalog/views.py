"""Storefront pages: home, category and search results (htmx filters), product page, seller page, market switch."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from catalog.filters import StorefrontFilter
from catalog.impact import CONVENTION, GHG_PROTOCOL, sources
from catalog.markets import MARKET_COOKIE, current_market, market_language, request_markets
from catalog.models import Category, Listing
from catalog.selectors.browse import FACETS, browse, results_version
from catalog.selectors.home import home_sections
from catalog.selectors.product_page import product_get, product_page
from catalog.selectors.reference import categories_tree, grades_all, markets_active
from catalog.states import ListingStatus
from catalog.versioning import catalog_version, global_version_of, scope_version
from marketplace.landing import safe_next_url
from marketplace.models import Organisation, OrganisationKind
from marketplace.requests import EncoreRequest, request_memo

FACET_LABELS = ("brand", "series", "storage", "colour", "grade")


def _version(request: EncoreRequest) -> str:
    """The global catalog version, read once per request (the navigation's categories key on it)."""
    return request_memo(request, "catalog_version", catalog_version)


# What a page shows, as the version its caches key on (`catalog.versioning`): a product page its
# product's offers in the market, a category or search page its categories' offers, the home page the
# market's. A price change of one product leaves the other products' and categories' pages cached.
PageScope = Callable[..., str]


def _product_scope(request: EncoreRequest, market: str, slug: str) -> str:
    return scope_version(market=market, product=slug)


def _category_scope(request: EncoreRequest, market: str, slug: str) -> str:
    return results_version(market=market, category_slug=slug, query="")


def _search_scope(request: EncoreRequest, market: str) -> str:
    return results_version(market=market, category_slug=None, query=request.GET.get("q", "")[:200])


def _market_scope(request: EncoreRequest, market: str) -> str:
    return scope_version(market=market)


def _page_version(request: EncoreRequest) -> str:
    """The version of the page being served (set by `anonymous_page_cache`), the global one by default."""
    return request_memo(request, "page_version", lambda: _version(request))


def _base_context(request: EncoreRequest) -> dict[str, object]:
    context: dict[str, object] = {
        "market": current_market(request),
        "markets": request_markets(request),
        "nav_categories": categories_tree(version=_version(request)),
    }
    # Pages and fragments are rendered with a placeholder where the CSRF token goes, so that cached HTML
    # never holds a visitor's token; `_respond` (or the page cache) puts the visitor's own one in.
    context["csrf_token"] = CSRF_PLACEHOLDER
    return context


def _respond(request: EncoreRequest, html: str) -> HttpResponse:
    if CSRF_PLACEHOLDER in html and not request_memo(request, "page_cache", lambda: False):
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(html)


def _render(request: EncoreRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return _respond(request, render_to_string(template, context, request=request))


# --- whole pages for visitors without a session --------------------------------------------------
# A visitor with no session cookie is anonymous, has no cart and no flash message: the page is the same
# for all of them but for the CSRF token. It is rendered once with a placeholder where the token goes,
# cached per version of what it shows, language, market, path and query string, and served with the visitor's own
# token put in (a fresh mask of their secret, the CSRF cookie set as usual). Whatever else a storefront
# page shows per visitor must depend on the session, so that such visitors take the uncached path.
CSRF_PLACEHOLDER = "encore-csrf-token-placeholder"
MESSAGES_COOKIE = "messages"
# The headers a page's cache key reads (`_fragment_key`): an htmx answer holds the results alone, so a
# browser or a proxy must not keep it for the page at the same URL (and the other way round).
HTMX_VARY = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def anonymous_page_cache(
    name: str, scope: PageScope
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def _serve(request: EncoreRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            market_code = current_market(request).code
            # The page's version, read once: the whole page's key and its fragments' keys use it.
            version = scope(request, market_code, *args, **kwargs)
            request_memo(request, "page_version", lambda: version)
            cookies = request.COOKIES
            if request.method != "GET" or settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
                return view(request, *args, **kwargs)
            key = _fragment_key(request, f"page:{name}", market_code)
            page = cache.get(key)
            if page is None:
                request_memo(request, "page_cache", lambda: True)  # this response is the cached page's source
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    return response
                page = response.content.decode(response.charset)
                cache.set(key, page, FRAGMENT_TIMEOUT)
            response = HttpResponse(
                page.replace(CSRF_PLACEHOLDER, get_token(request)) if CSRF_PLACEHOLDER in page else page
            )
            return response

        @functools.wraps(view)
        def wrapper(request: EncoreRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = _serve(request, *args, **kwargs)
            patch_vary_headers(response, HTMX_VARY)
            return response

        return wrapper

    return decorator


@anonymous_page_cache("home", _market_scope)
def home(request: EncoreRequest) -> HttpResponse:
    market = current_market(request)
    context = _base_context(request)
    context.update(home_sections(market=market))
    return _render(request, "storefront/home.html", context)


# --- cached fragments ----------------------------------------------------------------------------
# The costly part of a browse or product page (queries, and rendering hundreds of facet values and offer
# rows) is rendered once per version of what it shows and cached as HTML; the layout around it (search
# box, market switch, account links) is rendered per request. A fragment holds nothing per visitor: no
# user, and a placeholder for the CSRF token (see `_respond`). Its key is everything it depends on: the
# page's version (`_page_version`: replaced on commit by the writes that change what it shows), the
# language, the market (query string or cookie), the path, the query string and whether htmx asked for it.
FRAGMENT_TIMEOUT = 600


def _wants_results_only(request: EncoreRequest) -> bool:
    """An htmx request of the filter form or the sort (not a boosted navigation, nor htmx restoring a page
    missing from its history cache: those want the whole page): the results and the facet counts only."""
    details = getattr(request, "htmx", None)
    return bool(details) and not details.boosted and not details.history_restore_request


def _fragment_key(request: EncoreRequest, name: str, market_code: str) -> str:
    query = sorted((key, sorted(values)) for key, values in request.GET.lists())
    details = getattr(request, "htmx", None)
    htmx = "partial" if _wants_results_only(request) else ("boosted" if details and details.boosted else "full")
    parts = repr((request.path, query, htmx, market_code, get_language()))
    return f"catalog:fragment:{name}:{_page_version(request)}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _cached_fragment(key: str, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    fragment = cache.get(key)
    if fragment is None:
        fragment = build()
        cache.set(key, fragment, FRAGMENT_TIMEOUT)
    return fragment


FACET_VISIBLE = 8  # about what the facet list shows before it scrolls (12rem)


def _facet_groups(facets: dict[str, list[tuple[str, str, int]]], selected: dict[str, set[str]]) -> dict[str, Any]:
    """Each facet's values split in two: shown (at most FACET_VISIBLE, the selected ones and the most
    offered, in their usual order) and the rest, collapsed under "more" (still one click away)."""
    groups = {}
    for name, values in facets.items():
        if len(values) <= FACET_VISIBLE + 2:
            groups[name] = (values, [])
            continue
        chosen = selected.get(name, set())
        ranked = sorted(values, key=lambda item: (item[0] not in chosen, -item[2], item[1]))
        keep = {item[0] for item in ranked[: max(FACET_VISIBLE, len(chosen))]}
        groups[name] = ([v for v in values if v[0] in keep], [v for v in values if v[0] not in keep])
    return groups


def _results(request: EncoreRequest, *, category: Category | None, template: str) -> HttpResponse:
    market = current_market(request)
    filterset = StorefrontFilter(request.GET or None, queryset=Listing.objects.none())
    filters = filterset.to_browse(market=market, category=category)
    context = _base_context(request)
    selected = {
        "brand": set(filters.brand),
        "series": set(filters.series),
        "storage": {str(s) for s in filters.storage},
        "colour": set(filters.colour),
        "grade": set(filters.grade),
    }

    def build() -> dict[str, str]:
        result = browse(filters)
        fragment_context = {
            **context,
            "category": category,
            "filters": filters,
            "filterset": filterset,
            "result": result,
            "facet_order": [name for name in FACET_LABELS if name in FACETS],
            "facet_groups": _facet_groups(result.facets, selected),
            "selected": selected,
            "min_value": request.GET.get("min", ""),
            "max_value": request.GET.get("max", ""),
            "partial": _wants_results_only(request),
        }
        return {"results_html": render_to_string("catalog/partials/results.html", fragment_context, request=request)}

    fragment = _cached_fragment(_fragment_key(request, "results", market.code), build)
    if _wants_results_only(request):
        # The results, and out of band the facets' counts for the filter panel (one render, the same
        # grouped counts: see catalog/partials/facet_counts.html).
        return _respond(request, fragment["results_html"])
    context.update({"category": category, "filters": filters, **fragment})
    return _render(request, template, context)


@anonymous_page_cache("category", _category_scope)
def category_detail(request: EncoreRequest, slug: str) -> HttpResponse:
    category = next((c for c in categories_tree(version=_version(request)) if c.slug == slug), None)
    if category is None:
        category = get_object_or_404(Category, slug=slug)
    return _results(request, category=category, template="catalog/category.html")


@anonymous_page_cache("search", _search_scope)
def search(request: EncoreRequest) -> HttpResponse:
    return _results(request, category=None, template="catalog/search.html")


@anonymous_page_cache("product", _product_scope)
def product_detail(request: EncoreRequest, slug: str) -> HttpResponse:
    market = current_market(request)
    try:
        variant_id = int(request.GET.get("variant", "") or 0) or None
    except ValueError:
        variant_id = None
    grade = request.GET.get("grade") or None
    context = _base_context(request)

    def build() -> dict[str, str]:
        # The product, its photos and variants change only with the global version: cached under it.
        product = product_get(slug=slug, version=global_version_of(_page_version(request)))
        if product is None:
            raise Http404
        page = product_page(product=product, market=market, variant_id=variant_id, grade=grade)
        fragment_context = {
            **context,
            "page": page,
            "product": product,
            "grades": grades_all(),
            "selected_grade": grade,
            "return_days": settings.ORDERS_RETURN_WINDOW_DAYS,
        }
        return {
            "title": gettext("%(name)s, refurbished") % {"name": product.name},
            "product_html": render_to_string("catalog/partials/product_body.html", fragment_context, request=request),
        }

    # The offers' delivery estimates count from today in the market: the day is part of the key.
    today = timezone.now().astimezone(ZoneInfo(market.time_zone)).date().isoformat()
    fragment = _cached_fragment(_fragment_key(request, f"product:{today}", market.code), build)
    context.update(fragment)
    return _render(request, "catalog/product.html", context)


def seller_detail(request: EncoreRequest, slug: str) -> HttpResponse:
    seller = get_object_or_404(
        Organisation.objects.filter(kind=OrganisationKind.SELLER)
        .select_related("catalog_standing")
        .annotate(offers=Count("listings", filter=Q(listings__status=ListingStatus.ACTIVE, listings__stock__gt=0))),
        slug=slug,
    )
    context = _base_context(request)
    # Rating and sales from the catalog's standing row, which warranty keeps current (reviews, deliveries).
    standing = getattr(seller, "catalog_standing", None)
    context.update({"seller": seller, "sales": standing.units_delivered if standing else 0})
    return _render(request, "catalog/seller.html", context)


@require_POST
def market_switch(request: EncoreRequest) -> HttpResponse:
    """Choose the market (currency, offers) and, when Encore speaks it, the market's language."""
    markets = {market.code: market for market in markets_active()}
    market = markets.get(request.POST.get("market", ""))
    next_url = safe_next_url(request, request.POST.get("next")) or "/"
    # Drop a ?market= from the page we go back to: the new choice must win.
    path, _, query = next_url.partition("?")
    kept = "&".join(part for part in query.split("&") if part and not part.startswith("market="))
    response = redirect(f"{path}?{kept}" if kept else path)
    if market is None:
        return response
    response.set_cookie(MARKET_COOKIE, market.code, max_age=365 * 24 * 3600, samesite="Lax")
    language = market_language(market)
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def impact(request: EncoreRequest) -> HttpResponse:
    """How Encore counts what refurbished devices avoid: the convention, and each category's figures with
    their source (a cited document, or an estimate and its method). Public."""
    context = {
        **_base_context(request),
        "convention": CONVENTION,
        "ghg_protocol": GHG_PROTOCOL,
        "figures": sources(Category.objects.filter(parent__isnull=True).order_by("position", "id")),
    }
    return _render(request, "catalog/impact.html", context)
