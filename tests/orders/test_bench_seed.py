"""The bench shape's order history (`seed_demo --scale bench`), made small: its set-based INSERTs fill
every required column of today's tables, so the bench seeds (a new NOT NULL column once broke it)."""

import pytest

from orders import seed
from orders.models import Order, OrderLine
from tests.factories.catalog import make_listing
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db


def test_the_bench_order_history_seeds_completed_orders_of_four_lines(monkeypatch):
    seller = SellerFactory().organisation
    for n in range(5):
        make_listing(seller=seller, sku=f"BENCH-{n}")
    monkeypatch.setattr(seed, "BENCH_ORDERS", 6)
    logged: list[str] = []

    seed._seed_bench_lines(logged.append)

    orders = Order.objects.filter(number__startswith="B")
    assert orders.count() == 6
    assert set(orders.values_list("status", "is_audit", "sales_tax_amount")) == {("paid", False, 0)}
    assert OrderLine.objects.filter(seller_order__order__in=orders).count() == 24
    assert "6 orders, 24 order lines" in logged[-1]
    seed._seed_bench_lines(logged.append)  # a second run leaves them
    assert orders.count() == 6
