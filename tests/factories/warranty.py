"""After-sales factories: delivered units, claims and returns, made through the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import User
from orders.models import OrderLine
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, paid
from warranty.models import Claim, Warranty
from warranty.services.claims import Claimant, claim_open


def delivered_units(shopper: User, *, quantity: int = 1, **listing: Any) -> list[Warranty]:
    """A paid, shipped and delivered order of `quantity` units of a new listing; their warranties."""
    listing.setdefault("stock", quantity)
    order = paid((make_listing(**listing), quantity), buyer=shopper)
    seller_order = order.seller_orders.get()
    delivered(seller_order)
    return list(Warranty.objects.filter(line__seller_order=seller_order).order_by("pk"))


def open_claim(
    warranty: Warranty,
    *,
    category: str = "technical_defect",
    description: str = "The screen stays black after a night of charging.",
    now: datetime | None = None,
    **kwargs: Any,
) -> Claim:
    line = OrderLine.objects.select_related("seller_order__order__market").get(pk=warranty.line_id)
    shopper = warranty.shopper
    return claim_open(
        line=line,
        identifier=warranty.identifier,
        claimant=Claimant(shopper=shopper),
        category=category,
        description=description,
        actor=SYSTEM,
        now=now,
        **kwargs,
    )


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 200, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def heic(name: str = "photo.heic") -> SimpleUploadedFile:
    """The start of a real HEIC file: an ISO-BMFF `ftyp` box with the heic brand, then a `meta` box."""
    ftyp = (24).to_bytes(4, "big") + b"ftypheic" + (0).to_bytes(4, "big") + b"mif1heic"
    meta = (16).to_bytes(4, "big") + b"meta" + b"\x00" * 8
    return SimpleUploadedFile(name, ftyp + meta + b"\x00" * 200, content_type="image/heic")
