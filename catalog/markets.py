"""Which market a storefront request shops in: `?market=`, else the market cookie, else the language's.

The market decides the currency and the offers shown; choosing a market also switches
the language to the market's when Encore speaks it (en, de, fr).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from catalog.selectors.reference import markets_active
from marketplace.models import Market
from marketplace.requests import request_memo

MARKET_COOKIE = "encore_market"
# A shopper reading in a language, with no market chosen, shops in this market.
LANGUAGE_DEFAULT_MARKET = {"fr": "fr", "de": "de", "en": "gb", "es": "es", "it": "it", "ja": "jp"}


def request_markets(request: HttpRequest) -> list[Market]:
    """The open markets, read once per request (the layout and the market choice both need them)."""
    return request_memo(request, "markets", markets_active)


def current_market(request: HttpRequest) -> Market:
    """The market of this storefront request (read once per request)."""
    return request_memo(request, "market", lambda: _choose_market(request))


def _choose_market(request: HttpRequest) -> Market:
    markets = {market.code: market for market in request_markets(request)}
    code = request.GET.get("market") or request.COOKIES.get(MARKET_COOKIE) or ""
    market = markets.get(code.lower())
    if market is None:
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        market = markets.get(LANGUAGE_DEFAULT_MARKET.get(language, "")) or next(iter(markets.values()))
    return market


def market_language(market: Market) -> str | None:
    supported = {code for code, _ in settings.LANGUAGES}
    for language in [market.language, *market.languages]:
        if language.split("-")[0] in supported:
            return language.split("-")[0]
    return None
