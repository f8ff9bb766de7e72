"""Rollup tables: one row per UTC day and dimension, refreshed by a worker (`reporting.services`), so a
dashboard reads a few hundred rows instead of every order. Money in minor units beside one currency;
counts are whole numbers. Each metric is attributed to the day its event happened (a sale to the day
it was paid, a refund to the day it was paid back, a claim to the day it was opened).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation


class DayFigures(models.Model):
    """The figures of a day of sales, for the rollups below: one market and channel (the partner that placed
    the orders, or none) and one currency; what each counts is said in `reporting.services`."""

    day = models.DateField(_("day (UTC)"))
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    seller_orders = models.PositiveIntegerField(_("seller orders paid"), default=0, db_default=0)
    # Distinct orders: each order counts on the row of its first seller order, so platform and partner
    # totals count an order with three sellers once.
    orders = models.PositiveIntegerField(_("orders paid"), default=0, db_default=0)
    units = models.PositiveIntegerField(_("units sold"), default=0, db_default=0)
    gmv_amount = models.BigIntegerField(_("GMV (minor units)"), default=0, db_default=0)
    commission_amount = models.BigIntegerField(_("commission (minor units)"), default=0, db_default=0)
    refunds = models.PositiveIntegerField(_("refunds paid"), default=0, db_default=0)
    refunds_amount = models.BigIntegerField(_("refunded (minor units)"), default=0, db_default=0)
    units_delivered = models.PositiveIntegerField(_("units delivered"), default=0, db_default=0)
    claims_opened = models.PositiveIntegerField(_("claims opened"), default=0, db_default=0)
    defect_claims = models.PositiveIntegerField(_("technical claims opened"), default=0, db_default=0)
    claims_resolved = models.PositiveIntegerField(_("claims resolved"), default=0, db_default=0)
    claims_repaired = models.PositiveIntegerField(_("claims resolved by a repair"), default=0, db_default=0)
    co2e_grams = models.BigIntegerField(_("CO2e avoided (g)"), default=0, db_default=0)
    ewaste_grams = models.BigIntegerField(_("e-waste avoided (g)"), default=0, db_default=0)

    class Meta:
        abstract = True


class SalesDay(DayFigures):
    """A day of sales for one market, seller and channel (the partner that placed the orders, or none)."""

    seller = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("sales day")
        verbose_name_plural = _("sales days")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("day", "market", "seller", "partner", "currency"),
                name="sales_day_one_row",
                nulls_distinct=False,
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("day", "market"), name="sales_day_day"),
            models.Index(fields=("seller", "day"), name="sales_day_seller"),
            models.Index(fields=("partner", "day"), name="sales_day_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.market_id} {self.seller_id}"


class MarketDay(DayFigures):
    """A day of sales for one market and channel, every seller together: the platform's and a partner's
    dashboards read these (a few rows a day whatever the number of sellers). Derived from `SalesDay` by the
    same refresh, in the same transaction, so the two always agree."""

    class Meta:
        verbose_name = _("market day")
        verbose_name_plural = _("market days")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("day", "market", "partner", "currency"), name="market_day_one_row", nulls_distinct=False
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("partner", "day"), name="market_day_partner")]

    def __str__(self) -> str:
        return f"{self.day} {self.market_id}"


class TradeInDay(models.Model):
    """A day of trade-in for one market and channel (the partner, or the storefront), and, for devices
    routed to a refurbisher, their buyer."""

    day = models.DateField(_("day (UTC)"))
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    quoted = models.PositiveIntegerField(_("quoted"), default=0, db_default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0, db_default=0)
    received = models.PositiveIntegerField(_("received"), default=0, db_default=0)
    paid = models.PositiveIntegerField(_("paid"), default=0, db_default=0)
    paid_amount = models.BigIntegerField(_("paid to owners (minor units)"), default=0, db_default=0)
    resold = models.PositiveIntegerField(_("resold to refurbishers"), default=0, db_default=0)
    recycled = models.PositiveIntegerField(_("recycled"), default=0, db_default=0)
    resale_amount = models.BigIntegerField(_("resale price (minor units)"), default=0, db_default=0)
    resold_cost_amount = models.BigIntegerField(
        _("what the resold devices cost (minor units)"), default=0, db_default=0
    )
    co2e_grams = models.BigIntegerField(_("CO2e avoided by reuse (g)"), default=0, db_default=0)
    ewaste_grams = models.BigIntegerField(_("e-waste avoided by reuse (g)"), default=0, db_default=0)

    class Meta:
        verbose_name = _("trade-in day")
        verbose_name_plural = _("trade-in days")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("day", "market", "partner", "buyer", "currency"),
                name="tradein_day_one_row",
                nulls_distinct=False,
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("day", "market"), name="tradein_day_day"),
            models.Index(fields=("partner", "day"), name="tradein_day_partner"),
            models.Index(fields=("buyer", "day"), name="tradein_day_buyer"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.market_id} {self.partner_id}"


class RollupState(models.Model):
    """When the rollups were last refreshed: the next run recomputes from that day on."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at:%Y-%m-%d %H:%M}"
