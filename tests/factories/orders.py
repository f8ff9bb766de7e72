"""Order factories: orders are placed through the services (the one place orders are born)."""

from __future__ import annotations

from typing import Any

from catalog.models import Listing
from marketplace.actors import Actor
from marketplace.models import Market, User
from orders.models import Order, SellerOrder
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
from orders.services.payment import order_mark_paid

SYSTEM = Actor.system("tests")
# Valid IMEIs (Luhn): 490154203237518 is the textbook example; more are made by `imei(n)`.


def imei(n: int) -> str:
    """The n-th valid 15-digit IMEI (14 digits + Luhn check digit)."""
    body = f"35{n:012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return body + str((10 - total % 10) % 10)


def contact(market: Market | str = "fr", **overrides: Any) -> Contact:
    code = market if isinstance(market, str) else market.code
    values = {
        "email": "buyer@example.test",
        "full_name": "Alex Buyer",
        "address_line": "3 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
        "country": code,
    }
    if code == "us":  # US orders name the state shipped to (its sales tax is added)
        values.update({"address_line": "350 Fifth Avenue", "postal_code": "10118", "city": "New York", "state": "NY"})
    values.update(overrides)
    return Contact(**values)


def place(*items: tuple[Listing, int], buyer: User | None = None, market: str | None = None, **kwargs: Any) -> Order:
    market_obj = Market.objects.get(code=market or items[0][0].market_id)
    return order_place(
        actor=Actor.for_user(buyer) if buyer else SYSTEM,
        market=market_obj,
        lines=[PlacementLine(listing.pk, quantity) for listing, quantity in items],
        contact=kwargs.pop("contact", None) or contact(market_obj),
        buyer=buyer,
        **kwargs,
    )


def paid(*items: tuple[Listing, int], buyer: User | None = None) -> Order:
    """Placed and paid, whatever the provider (as the webhook or the test provider would)."""
    order = place(*items, buyer=buyer)
    return order_mark_paid(
        order=order, actor=SYSTEM, amount_received=order.total, reference=order.payment.reference or ""
    )


def ship(seller_order: SellerOrder, *, first_imei: int = 1) -> SellerOrder:
    """Accept and ship a paid seller order, one generated IMEI per unit."""
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    units: dict[int, list[str]] = {}
    n = first_imei
    for line in seller_order.lines.all():
        units[line.pk] = []
        for _ in range(line.quantity):
            units[line.pk].append(imei(n))
            n += 1
    return seller_order_ship(
        seller_order=seller_order, actor=SYSTEM, carrier="Colissimo", tracking_number="6A123456789", units=units
    )


def delivered(seller_order: SellerOrder, **kwargs: Any) -> SellerOrder:
    ship(seller_order)
    return seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM, **kwargs)
