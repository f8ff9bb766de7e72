"""The device wallet (DOMAIN.md, Trade-in): every device a shopper bought on Encore or traded in, with its
warranty, what it is worth in trade-in today (the price grid, in good condition), its guaranteed
buy-back if it has one (this month's price, until when), and one step to trade it in.

Reads only, with a fixed number of queries whatever the number of devices: the paid lines with their
units and guarantees, the warranties, the grid rows, the trade-ins.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch

from catalog.impact import Impact, impact_of, root_categories
from marketplace.models import User
from marketplace.money import Money
from orders.buyback import LIVE_SELLER_ORDER_STATUSES, guaranteed_price
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus, OrderLine, OrderUnit
from orders.states import OrderStatus
from tradein.models import PriceGridRow, TradeIn
from tradein.states import Condition, TradeInStatus
from warranty.models import Warranty

# The condition the wallet prices a device in: most devices people keep are in good shape; the trade-in
# itself asks the questions and gives the exact price.
VALUE_CONDITION = Condition.GOOD


@dataclass(frozen=True)
class GuaranteeNow:
    id: int
    price: Money
    ends_at: datetime
    redeemed_by: str  # a trade-in's code while one redeems it


@dataclass(frozen=True)
class BoughtDevice:
    line_id: int
    unit_number: int
    name: str
    product_slug: str
    variant_id: int | None
    category_id: int | None
    order_number: str
    bought_at: datetime
    identifier: str  # "" until the seller ships it
    warranty_ends_on: date | None
    warranty_active: bool
    tradein_value: Money | None
    guarantee: GuaranteeNow | None


@dataclass(frozen=True)
class Wallet:
    bought: list[BoughtDevice]
    traded_in: list[TradeIn]
    impact: Impact  # what the devices bought avoided, by the categories' figures


def wallet_for(*, user: User, now: datetime) -> Wallet:
    """The shopper's wallet at `now` (see the module's docstring)."""
    lines = list(
        OrderLine.objects.filter(
            seller_order__order__buyer=user,
            seller_order__order__status=OrderStatus.PAID,
            seller_order__status__in=LIVE_SELLER_ORDER_STATUSES,
        )
        .select_related("seller_order__order__market", "listing__variant")
        .prefetch_related(
            Prefetch("units", queryset=OrderUnit.objects.order_by("pk")),
            Prefetch("buyback_guarantees", queryset=BuybackGuarantee.objects.order_by("unit_number")),
        )
        .order_by("-seller_order__order__created_at", "-pk")
    )
    warranties = {
        warranty.unit_id: warranty
        for warranty in Warranty.objects.filter(line__in=lines, unit__isnull=False).only(
            "unit_id", "ends_on", "refunded_at", "replaced_at"
        )
    }
    wanted = {
        (line.listing.variant.product_id, line.listing.variant.storage_gb, line.seller_order.order.market_id)
        for line in lines
        if line.listing is not None
    }
    prices: dict[tuple[int, int | None, str], Money] = {}
    if wanted:
        for row in PriceGridRow.objects.filter(
            product_id__in={key[0] for key in wanted},
            market_id__in={key[2] for key in wanted},
            condition=VALUE_CONDITION,
        ):
            prices[(row.product_id, row.storage_gb, row.market_id)] = row.price
    today = now.date()
    bought: list[BoughtDevice] = []
    categories: dict[int | None, int] = defaultdict(int)
    for line in lines:
        order = line.seller_order.order
        units = list(line.units.all())
        guarantees = {g.unit_number: g for g in line.buyback_guarantees.all()}
        variant = line.listing.variant if line.listing is not None else None
        value = prices.get((variant.product_id, variant.storage_gb, order.market_id)) if variant else None
        categories[line.category_id_snapshot] += line.quantity
        for number in range(1, line.quantity + 1):
            unit = units[number - 1] if len(units) >= number else None
            warranty = warranties.get(unit.pk) if unit is not None else None
            guarantee = guarantees.get(number)
            price = (
                guaranteed_price(
                    guarantee.schedule, currency=guarantee.currency, starts_at=guarantee.starts_at, now=now
                )
                if guarantee is not None
                else None
            )
            bought.append(
                BoughtDevice(
                    line_id=line.pk,
                    unit_number=number,
                    name=f"{line.product_name} · {line.variant_label}",
                    product_slug=line.product_slug,
                    variant_id=variant.pk if variant else None,
                    category_id=line.category_id_snapshot,
                    order_number=order.number,
                    bought_at=order.paid_at or order.created_at,
                    identifier=unit.identifier if unit is not None else "",
                    warranty_ends_on=warranty.ends_on if warranty is not None else None,
                    warranty_active=warranty is not None
                    and warranty.refunded_at is None
                    and warranty.replaced_at is None
                    and warranty.ends_on >= today,
                    tradein_value=value,
                    guarantee=GuaranteeNow(
                        id=guarantee.pk,
                        price=price,
                        ends_at=guarantee.ends_at,
                        redeemed_by=guarantee.redemption_reference
                        if guarantee.status == BuybackGuaranteeStatus.REDEEMED
                        else "",
                    )
                    if guarantee is not None and price is not None
                    else None,
                )
            )
    traded_in = list(
        TradeIn.objects.filter(owner=user)
        .exclude(status=TradeInStatus.QUOTED)
        .select_related("product", "variant", "certificate")
        .order_by("-created_at", "-pk")
    )
    return Wallet(bought=bought, traded_in=traded_in, impact=impact_of(categories, root_categories()))
