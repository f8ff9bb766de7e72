"""The refurbishment workflow in headless Chromium, as a refurbisher and then its customer live it: a routed
trade-in arrives on the board, is diagnosed, repaired with a part, fails its quality check then passes it,
is listed in one step, is ordered and shipped (the seller picks the unit on the ship form), and its history
reads end to end; the buyer then reads its checks and repairs before the sale (never the seller's costs),
and a success manager its whole life in the console.
Screenshots in test-artifacts/workshop-*.png."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from marketplace.money import Money
from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.orders import SYSTEM, paid
from tests.factories.sellers import SellerFactory
from tests.factories.tradein import inspected, priced_variant, wiped
from tradein.services.lots import lot_bid, lot_create
from workshop.models import Unit
from workshop.services.setup import workshop_settings_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _context(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies([{"name": "encore_market", "value": "fr", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_a_routed_trade_in_is_refurbished_listed_sold_and_its_history_reads_end_to_end(
    browser, live_server, artifacts_dir
):
    organisation = SellerFactory(organisation__name="Renew Labs").organisation
    owner = MembershipFactory(organisation=organisation, role="owner", user=UserFactory(full_name="Rémi Renew")).user
    workshop_settings_update(
        seller=organisation, actor=SYSTEM, labour_rate_amount=4800, target_margin_percent=25, warranty_months=12
    )
    buyer = UserFactory(full_name="Chloé Shopper")
    # A customer traded their phone in to Encore; it was inspected and wiped, and sold to Renew Labs in a lot.
    tradein = wiped(inspected(owner=UserFactory(), n=1, variant=priced_variant()))
    lot = lot_create(
        actor=SYSTEM, product=tradein.product, condition="like_new", currency="EUR", fixed_price=Money(15000, "EUR")
    )
    lot_bid(lot=lot, seller=organisation, amount=Money(15000, "EUR"), actor=SYSTEM)
    unit = Unit.objects.get(seller=organisation, tradein=tradein)
    identifier = unit.identifier

    context, page = _context(browser, live_server)
    log_in(page, live_server, owner.email, PASSWORD)

    # 1. The routed trade-in is on the board, in Received.
    page.goto(f"{live_server.url}/seller/workshop/")
    received = page.locator("section[data-status='received']")
    expect(received.get_by_test_id("unit-card")).to_have_count(1)
    expect(received).to_contain_text(identifier)
    page.screenshot(path=str(artifacts_dir / "workshop-1-board.png"), full_page=True)
    with page.expect_navigation():
        received.get_by_role("link", name=re.compile(unit.reference)).click()
    expect(page.get_by_test_id("unit-status")).to_have_text("Received")
    expect(page.get_by_test_id("unit-total-cost")).to_have_text("€150.00")
    expect(page.get_by_test_id("unit-history")).to_contain_text(f"Traded in to Encore ({tradein.reference})")

    # 2. Diagnosed: 20 minutes of labour.
    form = page.get_by_test_id("diagnose-form")
    form.get_by_label("Findings").fill("Cracked screen, everything else works")
    form.get_by_label("Labour (minutes)").fill("20")
    _submit(page, "Record the diagnosis")
    expect(page.get_by_test_id("unit-status")).to_have_text("Diagnosed")

    # 3. Repaired with a part: a new screen from a supplier, 30 minutes.
    form = page.get_by_test_id("repair-form")
    form.get_by_label("Findings").fill("Screen replaced")
    form.get_by_label("Labour (minutes)").fill("30")
    form.get_by_label("Part 1").fill("OLED screen")
    form.locator("[name=part_0_supplier]").fill("PartsCo")
    form.locator("[name=part_0_cost]").fill("45.00")
    _submit(page, "Record the repair")
    expect(page.get_by_test_id("unit-status")).to_have_text("In repair")
    # 150.00 + 45.00 of parts + 50 minutes at 48.00 an hour (40.00) = 235.00
    expect(page.get_by_test_id("unit-total-cost")).to_have_text("€235.00")
    page.screenshot(path=str(artifacts_dir / "workshop-2-repaired.png"), full_page=True)

    # 4. Quality check: the microphone fails, the unit goes back to repair.
    _submit(page, "To Quality check")
    expect(page.get_by_test_id("unit-status")).to_have_text("Quality check")
    form = page.get_by_test_id("check-form")
    for box in form.locator("fieldset.check-list input[type=checkbox]").all():
        box.check()
    form.get_by_label("Microphones").uncheck()
    form.get_by_label("Screen", exact=True).select_option("flawless")
    form.get_by_label("Body", exact=True).select_option("not_at_20cm")
    form.get_by_label("Battery health (%)").fill("91")
    _submit(page, "Record the check")
    expect(page.get_by_test_id("unit-status")).to_have_text("In repair")
    expect(page.locator(".messages")).to_contain_text("back in repair")
    page.screenshot(path=str(artifacts_dir / "workshop-3-check-failed.png"), full_page=True)

    # 5. Repaired again, checked again: every item passes, a grade is suggested.
    form = page.get_by_test_id("repair-form")
    form.get_by_label("Findings").fill("Microphone mesh cleaned")
    form.get_by_label("Labour (minutes)").fill("10")
    _submit(page, "Record the repair")
    _submit(page, "To Quality check")
    form = page.get_by_test_id("check-form")
    for box in form.locator("fieldset.check-list input[type=checkbox]").all():
        box.check()
    form.get_by_label("Screen", exact=True).select_option("flawless")
    form.get_by_label("Body", exact=True).select_option("not_at_20cm")
    form.get_by_label("Battery health (%)").fill("91")
    _submit(page, "Record the check")
    expect(page.get_by_test_id("unit-status")).to_have_text("Ready to list")
    expect(page.get_by_test_id("suggested-grade")).to_have_text("Excellent")

    # 6. Listed in one step: the form is filled from the unit (grade, warranty, a suggested price).
    with page.expect_navigation():
        page.get_by_test_id("list-unit").click()
    expect(page.get_by_test_id("price-suggestion")).to_contain_text("starts a new listing")
    listing_form = page.get_by_test_id("listing-form")
    expect(page.get_by_label("Market")).to_have_count(1)  # the page's picker; the form carries it hidden
    expect(listing_form.get_by_label("Grade")).to_have_value("excellent")
    expect(listing_form.get_by_label("Warranty (months)")).to_have_value("12")
    assert listing_form.get_by_label("Price (all-in)").input_value() != ""
    page.screenshot(path=str(artifacts_dir / "workshop-4-listing-form.png"), full_page=True)
    listing_form.get_by_label("Price (all-in)").fill("399.00")
    _submit(page, "List it")
    expect(page.get_by_test_id("unit-status")).to_have_text("Listed")
    unit.refresh_from_db()
    listing = unit.listing
    assert (listing.stock, listing.grade_id, listing.price_amount, listing.battery_health) == (
        1,
        "excellent",
        39900,
        91,
    )

    # 7. A shopper buys it; the seller ships it, picking the unit on the ship form.
    order = paid((listing, 1), buyer=buyer)
    seller_order = order.seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    page.goto(f"{live_server.url}/seller/orders/{seller_order.pk}/")
    picker = page.locator("select[name^='unit-']")
    expect(picker).to_have_value(identifier)
    page.get_by_label("Carrier").fill("Colissimo")
    page.get_by_label("Tracking number").fill("6A12345678901")
    page.screenshot(path=str(artifacts_dir / "workshop-5-ship-pick-unit.png"), full_page=True)
    _submit(page, "Mark as shipped")
    expect(page.get_by_test_id("seller-order-status")).to_have_text("Shipped")
    seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM)

    # 8. The unit's history reads end to end, with its costs.
    page.goto(f"{live_server.url}/seller/workshop/units/{unit.pk}/")
    expect(page.get_by_test_id("unit-status")).to_have_text("Sold")
    history = page.get_by_test_id("unit-history")
    titles = [title.strip() for title in history.locator(".unit-timeline-title strong").all_inner_texts()]
    expected_in_order = [
        f"Traded in to Encore ({tradein.reference}) and inspected",
        "Routed to the refurbisher",
        f"Unit {unit.reference} received (Routed trade-in)",
        "Diagnosis",
        "Repair",
        "Quality check failed",
        "Repair",
        "Quality check passed",
        f"Listed ({listing.sku}, FR)",
        f"Sold in order {order.number}",
        "Shipped",
        "Delivered",
    ]
    # In this order (other entries, e.g. the board's moves, may come between).
    remaining = iter(titles)
    missing = [want for want in expected_in_order if not any(title == want for title in remaining)]
    assert missing == [], titles
    expect(history).to_contain_text("OLED screen (Original) · PartsCo · €45.00")
    expect(history).to_contain_text("Warranty of 12 months")
    page.screenshot(path=str(artifacts_dir / "workshop-6-history.png"), full_page=True)
    context.close()

    # 9. The buyer reads its refurbishment record from their warranties: checks and repairs, no costs.
    context, shopper = _context(browser, live_server)
    log_in(shopper, live_server, buyer.email, PASSWORD)
    shopper.goto(f"{live_server.url}/account/warranties/")
    with shopper.expect_navigation():
        shopper.get_by_role("link", name="Refurbishment record").click()
    record = shopper.get_by_test_id("unit-history")
    expect(record).to_contain_text("Received by the refurbisher")
    expect(record).to_contain_text("Quality check failed")
    expect(record).to_contain_text("1 of 14 checks failed: Microphones")
    expect(record).to_contain_text("Quality check passed")
    expect(record).to_contain_text("OLED screen (Original)")
    expect(record).to_contain_text(f"Sold in order {order.number}")
    content = record.inner_text()
    for private in ("€", "PartsCo", "min of labour", "Traded in", "Rémi"):
        assert private not in content, private
    shopper.screenshot(path=str(artifacts_dir / "workshop-7-shopper-record.png"), full_page=True)
    context.close()

    # 10. A success manager looks the device up in the console: its whole life, every seller, no costs.
    manager = UserFactory(email="sam@encore.test", is_staff=True, full_name="Sam Manager")
    manager.groups.add(Group.objects.get(name="success managers"))
    context, console = _context(browser, live_server)
    log_in(console, live_server, manager.email, PASSWORD)
    console.goto(f"{live_server.url}/console/workshop/identifier/")
    console.get_by_placeholder("IMEI or serial").fill(identifier)
    with console.expect_navigation():
        console.get_by_role("button", name="Show its life").click()
    expect(console.locator("table")).to_contain_text("Renew Labs")
    life = console.get_by_test_id("unit-history")
    expect(life).to_contain_text(f"Traded in to Encore ({tradein.reference}) and inspected")
    expect(life).to_contain_text("Quality check passed")
    expect(life).to_contain_text(f"Sold in order {order.number}")
    seen = life.inner_text()
    for cost in ("€150.00", "€45.00", "€243.00", "PartsCo"):  # the purchase, the part, the total, the supplier
        assert cost not in seen, cost
    console.screenshot(path=str(artifacts_dir / "workshop-8-console.png"), full_page=True)
    context.close()
