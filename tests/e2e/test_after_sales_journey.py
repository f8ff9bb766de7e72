"""After-sales in headless Chromium: a shopper claims, the seller answers repair; the 2nd claim can only be
a replacement, the 3rd (on the replacement) only a refund; a return is refunded; a review appears with the
seller's reply. Shopper and seller each in their own browser context, as two people would be."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import delivered, imei, paid
from tests.factories.sellers import SellerFactory
from warranty.services.labels import seller_return_address_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 40, 40)).save(buffer, format="JPEG")
    return {"name": "black-screen.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _context(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.add_cookies([{"name": "encore_market", "value": "fr", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _seller_answers(seller, live_server, claim_reference: str, *, resolution: str, message: str) -> None:
    seller.goto(f"{live_server.url}/seller/claims/?status=opened")
    with seller.expect_navigation():
        seller.get_by_role("link", name=claim_reference).click()
    seller.get_by_label(resolution).check()
    seller.get_by_label("Message to the customer").fill(message)
    with seller.expect_navigation():
        seller.get_by_role("button", name="Send the answer").click()


def _open_claim(shopper, live_server, *, unit: str, description: str) -> str:
    shopper.goto(f"{live_server.url}/account/warranties/")
    row = shopper.locator("tr").filter(has_text=unit)
    with shopper.expect_navigation():
        row.get_by_role("link", name="Report a problem").click()
    shopper.get_by_label("What is wrong?").select_option("technical_defect")
    shopper.get_by_label("Describe the problem").fill(description)
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Open the claim").click()
    heading = shopper.get_by_role("heading", level=1).inner_text()
    return heading.split()[1]  # "Claim C-1 ..." -> "C-1"


def test_claims_with_the_rule_of_three_a_return_and_a_review(browser, live_server, artifacts_dir):
    organisation = SellerFactory(organisation__name="Renew Labs").organisation
    seller_return_address_set(
        organisation=organisation,
        name="Renew Labs",
        address_line="12 avenue du Réemploi",
        postal_code="69007",
        city="Lyon",
        country="fr",
    )
    seller_user = MembershipFactory(organisation=organisation, role="owner").user
    buyer = UserFactory(full_name="Chloé Shopper")
    phone = make_listing(seller=organisation, stock=1, price_amount=45900, warranty_months=12)
    delivered(paid((phone, 1), buyer=buyer).seller_orders.get())
    earbuds = make_listing(seller=organisation, stock=2, price_amount=8900)
    second_order = paid((earbuds, 2), buyer=buyer)
    from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
    from tests.factories.orders import SYSTEM

    parcel = second_order.seller_orders.get()
    seller_order_accept(seller_order=parcel, actor=SYSTEM)
    seller_order_ship(
        seller_order=parcel,
        actor=SYSTEM,
        carrier="Colissimo",
        tracking_number="6A9",
        units={parcel.lines.get().pk: [imei(77), imei(78)]},
    )
    seller_order_mark_delivered(seller_order=parcel, actor=SYSTEM)

    shopper_context, shopper = _context(browser, live_server)
    seller_context, seller = _context(browser, live_server)
    log_in(shopper, live_server, buyer.email, PASSWORD)
    log_in(seller, live_server, seller_user.email, PASSWORD)

    # 1. The shopper opens a claim with a photo; the page says when the seller answers.
    shopper.goto(f"{live_server.url}/account/warranties/")
    row = shopper.locator("tr").filter(has_text=imei(1))
    with shopper.expect_navigation():
        row.get_by_role("link", name="Report a problem").click()
    shopper.get_by_label("What is wrong?").select_option("technical_defect")
    shopper.get_by_label("Describe the problem").fill("The screen stays black after charging overnight.")
    shopper.get_by_label("Photos (optional)").set_input_files([_photo()])
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Open the claim").click()
    first = shopper.get_by_role("heading", level=1).inner_text().split()[1]
    assert "Renew Labs answers by" in shopper.get_by_test_id("next-step").inner_text()
    assert shopper.locator(".photos img").count() == 1
    shopper.screenshot(path=str(artifacts_dir / "after-sales-1-claim-opened.png"), full_page=True)

    # 2. The seller answers: repair.
    _seller_answers(
        seller, live_server, first, resolution="Repair", message="We replace the display: send it with the label."
    )
    assert seller.get_by_test_id("claim-status").inner_text() == "Answered by the seller"
    seller.screenshot(path=str(artifacts_dir / "after-sales-2-seller-answered.png"), full_page=True)

    # 3. The shopper accepts and gets the label; the seller receives the unit and repairs it.
    shopper.reload()
    assert "Renew Labs proposes: Repair" in shopper.get_by_test_id("answer").inner_text()
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Accept").click()
    assert shopper.get_by_test_id("claim-status").inner_text() == "Repair or replacement under way"
    with shopper.expect_download() as download:
        shopper.get_by_test_id("label-link").click()
    assert download.value.suggested_filename == f"encore-repair-label-{first}.pdf"
    shopper.screenshot(path=str(artifacts_dir / "after-sales-3-label.png"), full_page=True)
    seller.reload()
    with seller.expect_navigation():
        seller.get_by_role("button", name="The unit has arrived").click()
    with seller.expect_navigation():
        seller.get_by_role("button", name="Repaired and sent back").click()
    assert seller.get_by_test_id("claim-status").inner_text() == "Resolved"

    # 4. The 2nd technical claim of the purchase: the seller may only propose a replacement.
    second = _open_claim(shopper, live_server, unit=imei(1), description="Black screen again, a week after the repair.")
    seller.goto(f"{live_server.url}/seller/claims/?status=opened")
    with seller.expect_navigation():
        seller.get_by_role("link", name=second).click()
    assert seller.get_by_test_id("rule-of-three").is_visible()
    assert seller.get_by_label("Replacement").is_visible()
    assert seller.get_by_label("Repair", exact=True).count() == 0
    assert seller.get_by_label("Refund").count() == 0
    seller.screenshot(path=str(artifacts_dir / "after-sales-4-rule-of-three-replacement.png"), full_page=True)
    seller.get_by_label("Replacement").check()
    seller.get_by_label("Message to the customer").fill("Second failure: we send you another unit.")
    with seller.expect_navigation():
        seller.get_by_role("button", name="Send the answer").click()
    shopper.goto(f"{live_server.url}/account/claims/")
    with shopper.expect_navigation():
        shopper.get_by_role("link", name=second).click()
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Accept").click()
    seller.reload()
    seller.get_by_label("IMEI or serial of the replacement unit").fill(imei(500))
    with seller.expect_navigation():
        seller.get_by_role("button", name="Replacement shipped").click()
    assert seller.get_by_test_id("claim-status").inner_text() == "Resolved"

    # 5. The 3rd, on the replacement unit: only a refund.
    third = _open_claim(shopper, live_server, unit=imei(500), description="The replacement does not charge at all.")
    seller.goto(f"{live_server.url}/seller/claims/?status=opened")
    with seller.expect_navigation():
        seller.get_by_role("link", name=third).click()
    assert seller.get_by_label("Refund").is_visible()
    assert seller.get_by_label("Replacement").count() == 0
    _seller_answers(seller, live_server, third, resolution="Refund", message="Third failure: we refund you in full.")
    shopper.goto(f"{live_server.url}/account/claims/")
    with shopper.expect_navigation():
        shopper.get_by_role("link", name=third).click()
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Accept").click()
    assert "Refunded" in shopper.get_by_test_id("outcome").inner_text()
    assert "€459.00" in shopper.content()
    shopper.screenshot(path=str(artifacts_dir / "after-sales-5-refunded.png"), full_page=True)

    # 6. A return within 30 days: label at once, refunded when the seller receives it.
    shopper.goto(f"{live_server.url}/account/orders/{second_order.number}/")
    with shopper.expect_navigation():
        shopper.get_by_test_id("return-link").click()
    shopper.get_by_label(f"{earbuds.variant.product.name} · {imei(78)}", exact=False).check()
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Get my return label").click()
    assert shopper.get_by_test_id("return-label").is_visible()
    return_reference = shopper.get_by_role("heading", level=1).inner_text().split()[1]
    seller.goto(f"{live_server.url}/seller/returns/")
    with seller.expect_navigation():
        seller.get_by_role("link", name=return_reference).click()
    with seller.expect_navigation():
        seller.get_by_role("button", name="Parcel received: refund the customer").click()
    shopper.reload()
    assert "€89.00 refunded on" in shopper.get_by_test_id("refund").inner_text()
    shopper.screenshot(path=str(artifacts_dir / "after-sales-6-return-refunded.png"), full_page=True)

    # 7. A review, the seller's reply, both on the seller's public page.
    shopper.goto(f"{live_server.url}/account/orders/{second_order.number}/")
    with shopper.expect_navigation():
        shopper.get_by_test_id("review-link").first.click()
    shopper.locator("fieldset").filter(has_text="The seller").get_by_label("5").check()
    shopper.locator("fieldset").filter(has_text="The device").get_by_label("4").check()
    shopper.get_by_label("Your review (optional)").fill("Great sound, fast delivery, friendly seller.")
    with shopper.expect_navigation():
        shopper.get_by_role("button", name="Publish my review").click()
    seller.goto(f"{live_server.url}/seller/reviews/")
    seller.get_by_label("Your public reply").fill("Thank you Chloé, enjoy your earbuds!")
    with seller.expect_navigation():
        seller.get_by_role("button", name="Reply").click()
    seller.screenshot(path=str(artifacts_dir / "after-sales-7-seller-reviews.png"), full_page=True)
    shopper.goto(f"{live_server.url}/sellers/{organisation.slug}/reviews/")
    review = shopper.get_by_test_id("review").first
    assert "Great sound, fast delivery, friendly seller." in review.inner_text()
    assert "Thank you Chloé, enjoy your earbuds!" in review.get_by_test_id("reply").inner_text()
    assert "Rated 5.0 out of 5 from 1 review" in shopper.content()
    shopper.screenshot(path=str(artifacts_dir / "after-sales-8-public-reviews.png"), full_page=True)

    shopper_context.close()
    seller_context.close()
