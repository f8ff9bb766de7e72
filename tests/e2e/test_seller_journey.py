"""The seller journey in a browser: apply, approval in the console, five listings and the sixth refused,
the end of probation (time-travel), listings paused, activation, listings back."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog.models import Listing
from sellers.models import Seller
from sellers.tasks import probation_end_due_task
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import ProductFactory, VariantFactory, make_listing
from tests.sellers.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_apply_approve_cap_review_and_activate(page, live_server, artifacts_dir, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    applicant = UserFactory(email="owner@reboot.test")
    manager = UserFactory(email="sam@encore.test", is_staff=True)
    manager.groups.add(Group.objects.get(name="success managers"))
    variant = VariantFactory(product=ProductFactory(name="Pixel 8 Journey", slug="pixel-8-journey"), storage_gb=256)
    proof = tmp_path / "workshop.pdf"
    proof.write_bytes(PDF)

    # 1. Apply.
    log_in(page, live_server, applicant.email, PASSWORD)
    page.goto(f"{live_server.url}/seller/apply/")
    page.get_by_label("Company name", exact=True).fill("Atelier Reboot")
    page.get_by_label("Legal form", exact=True).select_option("limited_company")
    page.get_by_label("Country of the business", exact=True).select_option("fr")
    page.get_by_label("VAT id", exact=True).fill("FR40303265045")
    page.get_by_label("Address", exact=True).fill("3 rue Oberkampf")
    page.get_by_label("Postal code", exact=True).fill("75011")
    page.get_by_label("City", exact=True).fill("Paris")
    page.get_by_label("Contact name", exact=True).fill("Inès Durand")
    page.get_by_label("Contact e-mail", exact=True).fill("ines@reboot.test")
    page.get_by_label("Contact phone", exact=True).fill("+33 6 00 00 00 00")
    page.get_by_label("Units refurbished per month", exact=True).fill("300")
    page.get_by_label("Your refurbishing capacity", exact=True).fill("Four technicians, a 40-point test protocol.")
    page.get_by_label("Proof of refurbishing capacity", exact=True).set_input_files(str(proof))
    page.get_by_label("I accept the Encore quality charter").check()
    page.screenshot(path=str(artifacts_dir / "seller-apply.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my application").click()
    assert "is with our success team" in page.content()
    seller = Seller.objects.get(organisation__name="Atelier Reboot")

    # 2. A success manager approves it in the console.
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/console/")
    with page.expect_navigation():
        page.get_by_role("link", name="Atelier Reboot").click()
    assert "workshop.pdf" in page.content()
    page.get_by_label("Reason", exact=True).fill("Documents and workshop check out.")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve (start probation)").click()
    assert "is now Probation" in page.content()

    # 3. The seller lists four (through the service), the fifth in the browser, and is refused the sixth.
    for n in range(4):
        make_listing(seller=seller.organisation, sku=f"SVC-{n}")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, applicant.email, PASSWORD)

    def create(sku: str) -> None:
        page.goto(f"{live_server.url}/seller/listings/new/")
        with page.expect_response(lambda r: "/seller/listings/variants/" in r.url):
            page.get_by_label("Find the product", exact=True).fill("Pixel 8 Journey")
        page.get_by_label(str(variant)).check()
        page.get_by_label("Grade", exact=True).select_option("excellent")
        page.get_by_label("Market", exact=True).select_option("fr")
        page.get_by_label("Battery health (%)", exact=True).fill("92")
        page.get_by_label("Price, all-in", exact=True).fill("449.00")
        page.get_by_label("Stock", exact=True).fill("2")
        page.get_by_label("SKU", exact=True).fill(sku)
        with page.expect_navigation():
            page.get_by_role("button", name="Create the listing").click()

    create("BROWSER-5")
    assert "Listing BROWSER-5 created." in page.content()
    create("BROWSER-6")
    assert "at most 5 new listings per day" in page.content()
    page.screenshot(path=str(artifacts_dir / "seller-sixth-refused.png"), full_page=True)
    assert Listing.objects.filter(seller=seller.organisation).count() == 5

    # 4. Day 40: the scheduled job pauses every listing and moves the seller to review.
    Seller.objects.filter(pk=seller.pk).update(probation_ends_at=timezone.now() - timedelta(minutes=1))
    assert probation_end_due_task() == 1
    page.goto(f"{live_server.url}/seller/listings/")
    assert page.locator("tr.listing-row", has_text="Paused by the platform").count() == 5
    page.goto(f"{live_server.url}/seller/")
    assert "your listings are paused while a success manager reviews" in page.content()

    # 5. The manager activates it; the listings are back.
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/console/sellers/{seller.pk}/")
    page.get_by_label("Reason", exact=True).fill("Great first 40 days.")
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()
    page.screenshot(path=str(artifacts_dir / "console-review.png"), full_page=True)
    assert set(Listing.objects.filter(seller=seller.organisation).values_list("status", flat=True)) == {"active"}
