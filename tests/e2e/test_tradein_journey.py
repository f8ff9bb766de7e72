"""The trade-in journey in headless Chromium: quote, accept with store credit, the label, intake by typed
code, an inspection worse than declared, the counter-offer accepted, the erasure certificate checked on
the public page, and the store credit spent at checkout."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import imei
from tests.factories.tradein import priced_variant
from tradein.models import TradeIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
LIKE_NEW = {
    "powers_on": "yes",
    "screen": "flawless",
    "body": "flawless",
    "functions": "all_working",
    "battery": "healthy",
    "accounts_signed_out": "yes",
}


def _answer(page, answers, prefix=""):
    for question, answer in answers.items():
        page.check(f"input[name='{prefix}{question}'][value='{answer}']")


def test_quote_to_certificate_to_store_credit_spent(page, live_server, artifacts_dir):
    variant = priced_variant(storage_gb=128)
    product = variant.product
    shopper = UserFactory(full_name="Chloé Shopper")
    operator = UserFactory(full_name="Omar Operator", is_staff=True)
    operator.groups.add(Group.objects.get(name="warehouse operators"))
    listing = make_listing(stock=2, price_amount=25000)
    page.context.add_cookies([{"name": "encore_market", "value": "fr", "url": live_server.url}])

    # Sell my device: find the model, answer, get the price at once.
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Sell my device").first.click()
    page.get_by_placeholder("Which device?", exact=False).fill(product.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Find my model").click()
    with page.expect_navigation():
        page.get_by_role("link", name=product.name).click()
    _answer(page, LIKE_NEW)
    page.screenshot(path=str(artifacts_dir / "tradein-questionnaire.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Get my price").click()
    assert page.get_by_test_id("quote-price").inner_text() == "€300.00"
    page.screenshot(path=str(artifacts_dir / "tradein-quote.png"), full_page=True)

    # Log in, come back, accept with store credit.
    with page.expect_navigation():
        page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("E-mail address").fill(shopper.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/sell/quotes/" in page.url
    page.get_by_label("Address").fill("3 rue de la Paix")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("City").fill("Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the offer").click()
    assert page.get_by_test_id("tradein-status").inner_text() == "Accepted, to send"
    tradein = TradeIn.objects.get()
    label = page.request.get(f"{live_server.url}/account/trade-ins/{tradein.reference}/label.pdf")
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF-")
    page.screenshot(path=str(artifacts_dir / "tradein-accepted.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # The warehouse: intake by typed code, then an inspection worse than declared.
    log_in(page, live_server, operator.email, PASSWORD)
    page.goto(f"{live_server.url}/console/trade-ins/intake/")
    page.get_by_label("Trade-in code").fill(tradein.reference.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Receive").click()
    assert tradein.reference in page.get_by_test_id("last-received").inner_text()
    page.screenshot(path=str(artifacts_dir / "tradein-intake.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("last-received").click()
    _answer(page, {**LIKE_NEW, "screen": "deep_scratches"}, prefix="q-")
    page.get_by_label("IMEI or serial number").fill(imei(4242))
    page.get_by_label("Battery health (%)").fill("88")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the inspection").click()
    assert page.get_by_test_id("console-status").inner_text() == "Counter-offer to answer"
    page.screenshot(path=str(artifacts_dir / "tradein-console-inspected.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # The owner accepts the counter-offer: paid in store credit (+10 %).
    log_in(page, live_server, shopper.email, PASSWORD)
    page.goto(f"{live_server.url}/account/trade-ins/{tradein.reference}/")
    assert "€180.00" in page.get_by_test_id("counter-offer").inner_text()
    page.screenshot(path=str(artifacts_dir / "tradein-counter-offer.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the new offer").click()
    assert page.get_by_test_id("tradein-status").inner_text() == "Paid"
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # The operator records the wipe: a certificate.
    log_in(page, live_server, operator.email, PASSWORD)
    page.goto(f"{live_server.url}/console/trade-ins/{tradein.reference}/")
    page.get_by_label("Method (NIST SP 800-88)").select_option("purge")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the wipe").click()
    number = TradeIn.objects.get(pk=tradein.pk).certificate.number
    assert number in page.get_by_test_id("console-certificate").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    # Anyone checks the certificate; a made-up number is not found.
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("Certificate number").fill(number)
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    assert page.get_by_test_id("certificate-valid").is_visible()
    page.screenshot(path=str(artifacts_dir / "tradein-verify.png"), full_page=True)
    page.goto(f"{live_server.url}/verify/EC-AAAA-BBBB-CCCC-DDDD/")
    assert page.get_by_test_id("certificate-not-found").is_visible()

    # The store credit, spent at checkout with the card paying the rest.
    log_in(page, live_server, shopper.email, PASSWORD)
    page.goto(f"{live_server.url}/account/trade-ins/")
    assert page.get_by_test_id("store-credit").inner_text() == "€198.00"
    page.goto(f"{live_server.url}/cart/offer/{listing.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{live_server.url}/checkout/")
    page.get_by_label("Address").fill("3 rue de la Paix")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("City").fill("Paris")
    assert page.get_by_label("Use my store credit", exact=False).is_checked()
    page.screenshot(path=str(artifacts_dir / "tradein-checkout-credit.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to payment").click()
    assert page.get_by_test_id("amount-due").inner_text() == "€52.00"
    with page.expect_navigation():
        page.get_by_role("button", name="Pay (test)").click()
    page.goto(f"{live_server.url}/account/trade-ins/")
    assert page.get_by_test_id("store-credit").inner_text() == "€0.00"
    page.screenshot(path=str(artifacts_dir / "tradein-account-after-checkout.png"), full_page=True)
