"""Warranty writes: one warranty per delivered unit; a replacement unit's warranty; the end of a refunded one."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from catalog.services.ratings import seller_sales_add
from orders.models import OrderUnit, SellerOrder
from warranty.models import Warranty


def add_months(start: date, months: int) -> date:
    """`start` plus whole months; the 31st of a shorter month becomes its last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def warranties_create_for_delivery(*, seller_order: SellerOrder) -> list[Warranty]:
    """Each unit of a delivered seller order gets its commercial warranty.

    Start = the delivery date (in the market's time zone), end = start + the line's warranty
    months (>= 12, from the order's snapshot). Idempotent: units that already have one are skipped.
    Connected to `orders.hooks.seller_order_delivered` (in `WarrantyConfig.ready`), so it runs inside
    the delivery's transaction: if it fails, the delivery rolls back. The units delivered also count
    in the seller's sales on the catalog's standing row.
    """
    order = seller_order.order
    delivered_at = seller_order.delivered_at or timezone.now()
    starts_on = delivered_at.astimezone(ZoneInfo(order.market.time_zone)).date()
    units = OrderUnit.objects.filter(line__seller_order=seller_order, warranty__isnull=True).select_related("line")
    created = Warranty.objects.bulk_create(
        [
            Warranty(
                unit=unit,
                line=unit.line,
                seller_id=seller_order.seller_id,
                shopper_id=order.buyer_id,
                identifier=unit.identifier,
                months=unit.line.warranty_months,
                starts_on=starts_on,
                ends_on=add_months(starts_on, unit.line.warranty_months),
            )
            for unit in units
        ]
    )
    seller_sales_add(organisation_id=seller_order.seller_id, units=len(created))
    return created


def warranty_replace(*, warranty: Warranty, identifier: str, now: datetime) -> Warranty:
    """The unit under `warranty` was replaced by the unit `identifier`: the new unit gets a warranty that
    carries the rest of the original (same period, `original` naming the purchase's first warranty),
    and the old one is marked replaced. Runs in the caller's transaction (a claim's resolution)."""
    Warranty.objects.filter(pk=warranty.pk).update(replaced_at=now)
    return Warranty.objects.create(
        unit=None,
        line_id=warranty.line_id,
        seller_id=warranty.seller_id,
        shopper_id=warranty.shopper_id,
        identifier=identifier,
        months=warranty.months,
        starts_on=warranty.starts_on,
        ends_on=warranty.ends_on,
        original_id=warranty.purchase_id,
    )


def warranties_end_by_refund(*, warranty_ids: list[int], now: datetime) -> int:
    """The units' price was paid back (a return, or a claim resolved by a refund): their warranties end."""
    return Warranty.objects.filter(pk__in=warranty_ids, refunded_at__isnull=True).update(refunded_at=now)
