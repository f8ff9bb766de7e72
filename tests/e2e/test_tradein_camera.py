"""The intake station's camera, for real: Chromium's fake video capture plays a video of the label's own QR
code (the payload read back from the label PDF, drawn with segno, framed like a camera would see it),
the intake page decodes it with the vendored jsQR (the browser's BarcodeDetector is taken away, so the
fallback every browser without one uses is the one tested) and the trade-in becomes received."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from django.contrib.auth.models import Group
from PIL import Image
from pypdf import PdfReader

from tests.e2e.conftest import CHROMIUM_ARGS, log_in
from tests.factories import PASSWORD, UserFactory
from tests.factories.tradein import accepted
from tradein.documents.render import label_pdf
from tradein.models import TradeIn
from tradein.states import TradeInStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTH, HEIGHT, FRAMES = 640, 480, 30


def _frame_with_qr(payload: str) -> Image.Image:
    """A camera's view of the label: the QR code (4-module quiet zone) on a grey desk, slightly off centre."""
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=8, border=4)
    qr = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    side = min(qr.width, 300)
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (WIDTH, HEIGHT), (118, 122, 128))
    frame.paste(qr, ((WIDTH - side) // 2 + 40, (HEIGHT - side) // 2 - 10))
    return frame


def _write_y4m(frame: Image.Image, path: Path) -> None:
    """A YUV4MPEG2 file (4:2:0, what Chromium's file capture reads) repeating `frame`."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
    planes += cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            video.write(b"FRAME\n" + planes)


def test_the_camera_reads_the_labels_qr_code_and_the_parcel_is_received(
    chromium_path, live_server, artifacts_dir, tmp_path
):
    from playwright.sync_api import sync_playwright

    tradein = accepted(owner=UserFactory())
    payload = PdfReader(io.BytesIO(label_pdf(tradein))).metadata.subject  # what the label's QR encodes
    assert payload == f"ENCORE-TRADEIN:{tradein.reference}"
    frame = _frame_with_qr(payload)
    frame.save(artifacts_dir / "tradein-camera-frame.png")
    video = tmp_path / "label-qr.y4m"
    _write_y4m(frame, video)
    operator = UserFactory(full_name="Omar Operator", is_staff=True)
    operator.groups.add(Group.objects.get(name="warehouse operators"))

    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",  # grant the camera without asking
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=args)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        # jsQR decodes, not a native BarcodeDetector (Linux Chromium has none; other browsers neither).
        context.add_init_script("delete window.BarcodeDetector;")
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server, operator.email, PASSWORD)
        page.goto(f"{live_server.url}/console/trade-ins/intake/")
        assert page.evaluate("typeof window.jsQR") == "function"
        assert page.evaluate("'BarcodeDetector' in window") is False

        with page.expect_navigation(url=f"**/console/trade-ins/intake/?last={tradein.reference}"):
            page.get_by_role("button", name="Scan with the camera").click()
        page.screenshot(path=str(artifacts_dir / "tradein-camera-received.png"), full_page=True)
        assert page.get_by_test_id("last-received").inner_text() == tradein.reference
        assert f"Received: {tradein.reference}" in page.inner_text("body")
        context.close()
        browser.close()

    tradein.refresh_from_db()
    assert tradein.status == TradeInStatus.RECEIVED
    assert TradeIn.objects.filter(status=TradeInStatus.RECEIVED).count() == 1
