"""Dashboard reads: the rollup tables summed over a period, a market and a scope (the platform, one
seller, one partner), per currency (amounts in different currencies are never added). Two queries
whatever the period: the sales days and the trade-in days (the period's totals are their sums).

Rates are fractions (0.034), None when their denominator is zero:
- take rate = commission / GMV;
- claim rate = claims opened / units delivered; defect rate = technical claims / units delivered;
- repair rate = claims resolved by a repair / claims resolved;
- acceptance rate = trade-ins accepted / quoted;
- recovery rate = devices resold to refurbishers / devices routed (resold or recycled);
- margin per trade-in = (resale price - what the resold devices cost) / devices resold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from marketplace.models import Organisation
from marketplace.money import Money
from reporting.models import MarketDay, SalesDay, TradeInDay
from reporting.services import SALES_COLUMNS, TRADEIN_COLUMNS

PLATFORM, SELLER, PARTNER = "platform", "seller", "partner"


@dataclass(frozen=True)
class Scope:
    """Whose figures: the platform's, a seller's (its sales, the trade-in devices it bought), or a
    partner's (the orders it placed, its trade-ins)."""

    kind: str
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    market: str | None = None


def _rate(numerator: int, denominator: int) -> Decimal | None:
    return (Decimal(numerator) / Decimal(denominator)) if denominator else None


@dataclass
class Figures:
    """One currency's figures over the period."""

    currency: str
    sales: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SALES_COLUMNS, 0))
    tradein: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TRADEIN_COLUMNS, 0))
    sales_days: dict[date, dict[str, int]] = field(default_factory=dict)
    tradein_days: dict[date, dict[str, int]] = field(default_factory=dict)

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)

    @property
    def gmv(self) -> Money:
        return self.money(self.sales["gmv_amount"])

    @property
    def commission(self) -> Money:
        return self.money(self.sales["commission_amount"])

    @property
    def refunded(self) -> Money:
        return self.money(self.sales["refunds_amount"])

    @property
    def take_rate(self) -> Decimal | None:
        return _rate(self.sales["commission_amount"], self.sales["gmv_amount"])

    @property
    def claim_rate(self) -> Decimal | None:
        return _rate(self.sales["claims_opened"], self.sales["units_delivered"])

    @property
    def defect_rate(self) -> Decimal | None:
        return _rate(self.sales["defect_claims"], self.sales["units_delivered"])

    @property
    def repair_rate(self) -> Decimal | None:
        return _rate(self.sales["claims_repaired"], self.sales["claims_resolved"])

    @property
    def acceptance_rate(self) -> Decimal | None:
        return _rate(self.tradein["accepted"], self.tradein["quoted"])

    @property
    def recovery_rate(self) -> Decimal | None:
        return _rate(self.tradein["resold"], self.tradein["resold"] + self.tradein["recycled"])

    @property
    def tradein_paid(self) -> Money:
        return self.money(self.tradein["paid_amount"])

    @property
    def margin_per_tradein(self) -> Money | None:
        resold = self.tradein["resold"]
        if not resold:
            return None
        margin = self.tradein["resale_amount"] - self.tradein["resold_cost_amount"]
        return self.money(int(Decimal(margin) / Decimal(resold)))

    @property
    def co2e_grams(self) -> int:
        return self.sales["co2e_grams"] + self.tradein["co2e_grams"]

    @property
    def ewaste_grams(self) -> int:
        return self.sales["ewaste_grams"] + self.tradein["ewaste_grams"]

    def days(self, filters: Filters) -> list[date]:
        return [filters.start + timedelta(days=n) for n in range((filters.end - filters.start).days + 1)]


def _rows(queryset: Any) -> list[dict[str, Any]]:
    """Aggregate rows as plain dictionaries (their keys are the annotations' names)."""
    return [dict(row) for row in queryset]


def _sales(scope: Scope, filters: Filters) -> QuerySet[SalesDay] | QuerySet[MarketDay]:
    """A seller reads its own rows; the platform and a partner the rows per market and channel (a few a
    day whatever the number of sellers)."""
    if scope.kind == SELLER:
        rows = SalesDay.objects.filter(day__gte=filters.start, day__lte=filters.end, seller=scope.organisation)
        return rows.filter(market_id=filters.market) if filters.market else rows
    market_days = MarketDay.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if scope.kind == PARTNER:
        market_days = market_days.filter(partner=scope.organisation)
    return market_days.filter(market_id=filters.market) if filters.market else market_days


def _tradeins(scope: Scope, filters: Filters) -> QuerySet[TradeInDay]:
    rows = TradeInDay.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.market:
        rows = rows.filter(market_id=filters.market)
    if scope.kind == SELLER:
        rows = rows.filter(buyer=scope.organisation)
    elif scope.kind == PARTNER:
        rows = rows.filter(partner=scope.organisation)
    return rows


def dashboard(*, scope: Scope, filters: Filters) -> list[Figures]:
    """The figures of `scope` over the period, one per currency (the largest GMV first). Two queries:
    the sales rows and the trade-in rows summed per currency and day (at most days x currencies rows
    each); the period's totals are the sums of its days."""
    if scope.kind != PLATFORM and scope.organisation is None:
        return []
    figures: dict[str, Figures] = {}

    def of(currency: str) -> Figures:
        return figures.setdefault(currency, Figures(currency=currency))

    sums = {column: Sum(column) for column in SALES_COLUMNS}
    for row in _rows(_sales(scope, filters).values("currency", "day").annotate(**sums).order_by()):
        figure = of(row["currency"])
        values = {column: int(row[column] or 0) for column in SALES_COLUMNS}
        figure.sales_days[row["day"]] = values
        for column, value in values.items():
            figure.sales[column] += value
    tsums = {column: Sum(column) for column in TRADEIN_COLUMNS}
    for row in _rows(_tradeins(scope, filters).values("currency", "day").annotate(**tsums).order_by()):
        figure = of(row["currency"])
        values = {column: int(row[column] or 0) for column in TRADEIN_COLUMNS}
        figure.tradein_days[row["day"]] = values
        for column, value in values.items():
            figure.tradein[column] += value
    return sorted(figures.values(), key=lambda f: (-f.sales["gmv_amount"], -f.tradein["quoted"], f.currency))


def daily_rows(*, scope: Scope, filters: Filters) -> list[dict[str, object]]:
    """Every day of the period per currency with every metric (the CSV export)."""
    rows: dict[tuple[date, str], dict[str, object]] = defaultdict(dict)
    sums = {column: Sum(column) for column in SALES_COLUMNS}
    for row in _rows(_sales(scope, filters).values("day", "currency").annotate(**sums).order_by()):
        rows[(row["day"], row["currency"])].update({f"sales_{c}": int(row[c] or 0) for c in SALES_COLUMNS})
    tsums = {column: Sum(column) for column in TRADEIN_COLUMNS}
    for row in _rows(_tradeins(scope, filters).values("day", "currency").annotate(**tsums).order_by()):
        rows[(row["day"], row["currency"])].update({f"tradein_{c}": int(row[c] or 0) for c in TRADEIN_COLUMNS})
    columns = [f"sales_{c}" for c in SALES_COLUMNS] + [f"tradein_{c}" for c in TRADEIN_COLUMNS]
    return [
        {"day": day, "currency": currency, **{column: values.get(column, 0) for column in columns}}
        for (day, currency), values in sorted(rows.items())
    ]
