"""The forward trade-in journey in headless Chromium: a phone bought with a free guaranteed buy-back
ticked at checkout, what the order saved (CO2e and e-waste) on its page, delivery, the guarantee in
My devices, redeemed seven months later at that month's guaranteed price (a refused attempt first,
naming the failed condition), the trade-in accepted, received, inspected and paid at the guaranteed
price whatever the scratches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.buyback import add_months
from orders.models import BuybackGuarantee, BuybackGuaranteeStatus, Order
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered
from tests.factories.tradein import grid
from tradein.models import PriceSource, TradeIn
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect, tradein_receive
from tradein.states import TradeInStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SCRATCHED = {
    "powers_on": "yes",
    "screen": "light_scratches",
    "body": "dents",
    "functions": "all_working",
    "battery": "healthy",
    "accounts_signed_out": "yes",
}


def _answer(page, answers):
    for question, answer in answers.items():
        page.check(f"input[name='{question}'][value='{answer}']")


def test_buy_with_a_guaranteed_buy_back_and_redeem_it_seven_months_later(page, live_server, artifacts_dir):
    shopper = UserFactory(full_name="Chloé Shopper")
    listing = make_listing(stock=1, price_amount=40000, warranty_months=12)
    grid(listing.variant)  # the grid: like new 300, good 250, fair 180, broken 50
    product = listing.variant.product
    page.context.add_cookies([{"name": "encore_market", "value": "fr", "url": live_server.url}])

    # The product page says what refurbished avoids: CO2e and e-waste.
    page.goto(f"{live_server.url}/p/{product.slug}/")
    impact = page.get_by_test_id("product-impact").inner_text()
    assert "kg CO₂e" in impact and "electronic waste" in impact  # noqa: PT018
    with page.expect_navigation():
        page.locator("li.grade-row").filter(has_text="Excellent").get_by_role("button", name="Add to cart").click()

    # Checkout: the guaranteed buy-back ticked, its prices shown month by month.
    log_in(page, live_server, shopper.email, PASSWORD)
    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Address").fill("3 rue de la Paix")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("City").fill("Paris")
    page.get_by_test_id(f"buyback-{listing.pk}").check()
    page.screenshot(path=str(artifacts_dir / "forward-checkout.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to payment").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Pay (test)").click()
    order = Order.objects.get()
    guarantee = BuybackGuarantee.objects.get()
    assert guarantee.line.seller_order.order == order
    impact = page.get_by_test_id("order-impact").inner_text()
    assert "kg CO₂e" in impact and "kg of electronic waste" in impact  # noqa: PT018
    page.screenshot(path=str(artifacts_dir / "forward-order-paid.png"), full_page=True)
    delivered(order.seller_orders.get())

    # Seven months later (the purchase moved back in time): My devices shows this month's price.
    starts_at = add_months(timezone.now(), -7) - timedelta(days=1)
    BuybackGuarantee.objects.update(starts_at=starts_at, ends_at=add_months(starts_at, 24))
    price = guarantee.schedule[7] // 100
    page.goto(f"{live_server.url}/account/devices/")
    assert f"€{price}" in page.get_by_test_id(f"guarantee-{guarantee.pk}").inner_text()
    page.screenshot(path=str(artifacts_dir / "forward-my-devices.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="Redeem my guaranteed buy-back").click()
    assert page.get_by_test_id("guaranteed-price").inner_text() == f"€{price}.00"

    # A cracked screen fails a condition: refused by name, the ordinary quote offered instead.
    _answer(page, {**SCRATCHED, "screen": "cracked"})
    page.check("input[name='liquid_damage'][value='no']")
    with page.expect_navigation():
        page.get_by_role("button", name="Redeem at the guaranteed price").click()
    assert "its screen is intact" in page.get_by_test_id("redeem-error").inner_text()
    assert page.get_by_role("link", name="Get an ordinary quote instead").is_visible()
    page.screenshot(path=str(artifacts_dir / "forward-redeem-refused.png"), full_page=True)
    assert BuybackGuarantee.objects.get().status == BuybackGuaranteeStatus.ACTIVE

    # Scratched but working: the guaranteed price, then the usual acceptance (store credit).
    _answer(page, SCRATCHED)
    page.check("input[name='liquid_damage'][value='no']")
    with page.expect_navigation():
        page.get_by_role("button", name="Redeem at the guaranteed price").click()
    assert page.get_by_test_id("quote-price").inner_text() == f"€{price}.00"
    page.get_by_label("Address").fill("3 rue de la Paix")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("City").fill("Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the offer").click()
    assert page.get_by_test_id("tradein-status").inner_text() == "Accepted, to send"
    tradein = TradeIn.objects.get()
    assert tradein.price_source == PriceSource.GUARANTEE
    assert BuybackGuarantee.objects.get().status == BuybackGuaranteeStatus.REDEEMED

    # The warehouse: the unit bought, scratched: the guaranteed price stands, paid.
    unit = guarantee.line.units.get()
    tradein = tradein_receive(tradein=tradein, actor=SYSTEM)
    tradein = tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=SCRATCHED, identifier=unit.identifier, activation_lock=False),
    )
    tradein_erasure_record(tradein=tradein, actor=SYSTEM, method="purge", tool="Blancco Mobile 6", result="passed")
    tradein = TradeIn.objects.get()
    assert tradein.status == TradeInStatus.PAID
    assert tradein.final_amount == guarantee.schedule[7]

    page.goto(f"{live_server.url}/account/devices/")
    assert page.get_by_test_id("devices-traded-in").get_by_text("Paid").is_visible()
    page.screenshot(path=str(artifacts_dir / "forward-redeemed-paid.png"), full_page=True)
