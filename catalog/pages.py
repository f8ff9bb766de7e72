"""The pages a shop has besides its catalog: help (warranty, returns, grading, shipping, trade-in), the
terms, privacy and legal notice, contact, and the two transparency pages the EU's platform-to-business
rules ask for (how offers are ranked, how reviews work).

Their numbers come from the code that applies them (the buy box's weight, the rating prior, the
warranty and return windows), so the page never promises what the site does not do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from catalog.markets import current_market, request_markets
from catalog.models import MINIMUM_WARRANTY_MONTHS
from catalog.ratings import PRIOR_MEAN, PRIOR_WEIGHT
from catalog.selectors.buy_box import NEUTRAL_SELLER_SCORE, SCORE_WEIGHT_BASE
from catalog.selectors.reference import categories_tree, grades_all
from marketplace.requests import EncoreRequest

# slug -> template; the footer and the help index list them in this order.
HELP_PAGES = {
    "warranty": "pages/help_warranty.html",
    "returns": "pages/help_returns.html",
    "grading": "pages/help_grading.html",
    "shipping": "pages/help_shipping.html",
    "trade-in": "pages/help_tradein.html",
}
LEGAL_PAGES = {
    "terms": "pages/terms.html",
    "privacy": "pages/privacy.html",
    "notice": "pages/legal_notice.html",
}


def _numbers() -> dict[str, Any]:
    return {
        "warranty_months": MINIMUM_WARRANTY_MONTHS,
        "return_days": settings.ORDERS_RETURN_WINDOW_DAYS,
        # adjusted price = price x (1050 - score) / 1000: the score moves the compared price by at most 5 %.
        "score_leeway_percent": (SCORE_WEIGHT_BASE - 1000) // 10,
        "neutral_score": NEUTRAL_SELLER_SCORE,
        "rating_prior_mean": f"{PRIOR_MEAN:g}",
        "rating_prior_weight": PRIOR_WEIGHT,
        "probation_days": settings.PROBATION_DAYS,
        "probation_cap": settings.PROBATION_DAILY_LISTING_CAP,
    }


def _page(request: EncoreRequest, template: str, **extra: Any) -> HttpResponse:
    context = {
        "market": current_market(request),
        "markets": request_markets(request),
        "nav_categories": categories_tree(),
        "help_pages": list(HELP_PAGES),
        "settings_operator": {
            "name": settings.OPERATOR_NAME,
            "address": settings.OPERATOR_ADDRESS,
            "registration": settings.OPERATOR_REGISTRATION,
            "vat_id": settings.OPERATOR_VAT_ID,
            "hosting": settings.OPERATOR_HOSTING,
            "email": settings.SUPPORT_EMAIL,
        },
        **_numbers(),
        **extra,
    }
    return render(request, template, context)


def help_index(request: EncoreRequest) -> HttpResponse:
    return _page(request, "pages/help.html")


def help_page(request: EncoreRequest, slug: str) -> HttpResponse:
    template = HELP_PAGES.get(slug)
    if template is None:
        raise Http404("No such help page")
    return _page(request, template, grades=grades_all())


def legal_page(request: EncoreRequest, slug: str) -> HttpResponse:
    template = LEGAL_PAGES.get(slug)
    if template is None:
        raise Http404("No such page")
    return _page(request, template)


def contact(request: EncoreRequest) -> HttpResponse:
    return _page(request, "pages/contact.html", support_email=settings.SUPPORT_EMAIL)


def how_offers_are_ranked(request: EncoreRequest) -> HttpResponse:
    return _page(request, "pages/how_offers_are_ranked.html")


def how_reviews_work(request: EncoreRequest) -> HttpResponse:
    return _page(request, "pages/how_reviews_work.html")
