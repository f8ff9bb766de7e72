"""The business trade-in journey in headless Chromium: a company's owner uploads a device list with a
mistake (every error named by row and column, nothing quoted), then the right one; accepts the batch
quote with partner credit and prints the labels; the warehouse receives the parcel, inspects and wipes
(services); the owner answers the batch's counter-offer in one step and downloads the erasure
certificates (ZIP), the batch report and the credit note (PDFs), then sees the figures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory
from tests.factories.orders import SYSTEM, imei
from tests.factories.tradein import FAIR, LIKE_NEW, business, priced_variant
from tradein.models import Batch, TradeIn
from tradein.services.batches import parcel_receive
from tradein.services.warehouse import InspectionInput, tradein_erasure_record, tradein_inspect
from tradein.states import TradeInStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _file(variant, rows: list[tuple[str, str]]) -> dict[str, object]:
    lines = ["product,variant,identifier,condition"]
    lines += [f"{variant.product.slug},{variant.pk},{identifier},{condition}" for identifier, condition in rows]
    return {"name": "devices.csv", "mimeType": "text/csv", "buffer": ("\n".join(lines) + "\n").encode()}


def test_upload_accept_follow_answer_and_download_every_document(page, live_server, artifacts_dir):
    variant = priced_variant(storage_gb=128)  # the grid: like new 300, good 250, fair 180, broken 50
    partner = business("Acme Telecom")
    owner = MembershipFactory(organisation=partner, role="owner", user__full_name="Bea Buyer").user
    devices = [(imei(7001), "like_new"), (imei(7002), "like_new"), (imei(7003), "good")]

    log_in(page, live_server, owner.email, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Trade-in", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="New business batch").click()

    # A file with an unknown model and the same device twice: each error named, nothing quoted.
    wrong = _file(variant, [*devices[:2], (imei(7001), "good")])
    wrong["buffer"] = wrong["buffer"].replace(variant.product.slug.encode(), b"no-such-phone", 1)
    page.get_by_label("Device list (CSV or JSON)").set_input_files(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="Get the batch quote").click()
    errors = page.get_by_test_id("batch-errors").inner_text()
    assert "row 2.product" in errors
    assert "row 4.identifier" in errors
    assert Batch.objects.count() == 0
    page.screenshot(path=str(artifacts_dir / "business-batch-errors.png"), full_page=True)

    # The right file: one quote for the batch.
    page.get_by_label("Device list (CSV or JSON)").set_input_files(_file(variant, devices))
    page.get_by_label("Your reference").fill("FLEET-2026-Q4")
    with page.expect_navigation():
        page.get_by_role("button", name="Get the batch quote").click()
    assert page.get_by_test_id("batch-quote").inner_text() == "€850.00"  # 300 + 300 + 250
    page.screenshot(path=str(artifacts_dir / "business-batch-quote.png"), full_page=True)

    # Accept with partner credit: the parcel's label.
    page.get_by_label("Partner credit: settled with your Encore invoices").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and get the labels").click()
    assert page.get_by_test_id("batch-status").inner_text() == "Accepted"
    batch = Batch.objects.get()
    labels = page.request.get(f"{live_server.url}/partner/trade-in/batches/{batch.pk}/labels.pdf")
    assert labels.headers["content-type"] == "application/pdf"
    assert labels.body().startswith(b"%PDF-")
    page.screenshot(path=str(artifacts_dir / "business-batch-accepted.png"), full_page=True)

    # The warehouse: the parcel received, each device inspected; the third is worse than declared.
    parcel_receive(parcel=batch.parcels.get(), actor=SYSTEM)
    first, second, third = TradeIn.objects.filter(batch=batch).order_by("pk")
    for device, answers in ((first, LIKE_NEW), (second, LIKE_NEW), (third, FAIR)):
        tradein_inspect(
            tradein=device,
            actor=SYSTEM,
            data=InspectionInput(answers=answers, identifier=device.declared_identifier, activation_lock=False),
        )
    for device in (first, second):
        tradein_erasure_record(
            tradein=TradeIn.objects.get(pk=device.pk),
            actor=SYSTEM,
            method="purge",
            tool="Blancco Mobile 6",
            result="passed",
        )

    # The company follows every device and answers the counter-offer in one step.
    page.reload()
    assert page.get_by_test_id("batch-devices").get_by_text("Counter-offer").count() >= 1
    page.screenshot(path=str(artifacts_dir / "business-batch-counter-offer.png"), full_page=True)
    # On a phone the counter-offers are cards, without a list bullet beside them.
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("ul.counter-offers").evaluate("list => getComputedStyle(list).listStyleType") == "none"
    page.screenshot(path=str(artifacts_dir / "business-batch-counter-offer-390.png"), full_page=True)
    if desktop is not None:
        page.set_viewport_size(desktop)
    page.get_by_role("radio", name="Accept").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the answers").click()
    assert TradeIn.objects.get(pk=third.pk).status == TradeInStatus.PAID  # partner credit: paid on acceptance
    tradein_erasure_record(
        tradein=TradeIn.objects.get(pk=third.pk), actor=SYSTEM, method="purge", tool="Blancco Mobile 6", result="passed"
    )
    assert set(TradeIn.objects.filter(batch=batch).values_list("status", flat=True)) == {TradeInStatus.PAID}

    # Every document, downloaded from the batch page.
    page.reload()
    page.screenshot(path=str(artifacts_dir / "business-batch-paid.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Every erasure certificate (ZIP)").click()
    certificates = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(certificates.namelist()) == 3
    for name in ("Batch report (PDF)", "Credit note (PDF)"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    # The figures: the batch's trade-ins in the partner's dashboard (once the rollups ran).
    from reporting.services import rollups_rebuild

    rollups_rebuild()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Figures").click()
    assert page.get_by_test_id("tradein-EUR").is_visible()
    page.screenshot(path=str(artifacts_dir / "business-figures.png"), full_page=True)
