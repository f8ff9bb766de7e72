"""Pictures: product photos (platform staff, admin) and photos of the unit on a listing (sellers).

Every upload is checked by its content, not its name: Pillow must open and verify it as JPEG, PNG or WebP,
within `FILE_UPLOAD_MAX_BYTES` (the upload handler of `marketplace.uploads` drops a larger file while
it streams in; this checks again for uploads that come another way) and `MAX_PIXELS`. The original is
stored through Django's storage API (`default_storage`), and renditions in WebP and AVIF at `WIDTHS`
(never wider than the original) for `srcset`. Nothing is stored when a check fails.
"""

from __future__ import annotations

import io
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.models import Listing, ListingPhoto, Product, ProductImage, Variant
from catalog.versioning import catalog_changed, listings_changed
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import audit_record

WIDTHS = (320, 640, 1024)
FORMATS = {"avif": ("AVIF", {"quality": 55}), "webp": ("WEBP", {"quality": 80, "method": 4})}
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000
MAX_LISTING_PHOTOS = 6


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": field, "message": message}])


def image_check(upload: IO[bytes], *, name: str = "photo", field: str = "image") -> tuple[bytes, str]:
    """The upload's bytes and extension when it is a JPEG, PNG or WebP image within the size bounds;
    raises VALIDATION (naming the file and the problem) otherwise."""
    limit = settings.FILE_UPLOAD_MAX_BYTES
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if not data:
        raise _invalid(_("%(name)s: the file is empty.") % {"name": name}, field)
    if len(data) > limit:
        message = _("%(name)s: the file is larger than %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)}
        raise _invalid(message, field)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if image.width * image.height > MAX_PIXELS:
                raise _invalid(_("%(name)s: the picture has too many pixels.") % {"name": name}, field)
            image.verify()
    except ApplicationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in ACCEPTED:
        raise _invalid(_("%(name)s: only JPEG, PNG or WebP pictures are accepted.") % {"name": name}, field)
    return data, ACCEPTED[kind]


def renditions_make(data: bytes, *, stem: str) -> tuple[int, int, dict[str, dict[str, str]]]:
    """Store WebP and AVIF copies of the picture at each of `WIDTHS` up to its own width (its own width
    when narrower than the smallest); returns (width, height, {"webp": {"320": name, ...}, "avif": ...})."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    width, height = image.size
    widths = [w for w in WIDTHS if w <= width] or [width]
    renditions: dict[str, dict[str, str]] = {}
    for extension, (pil_format, options) in FORMATS.items():
        renditions[extension] = {}
        for target in widths:
            copy = image if target == width else image.resize((target, max(1, round(height * target / width))))
            buffer = io.BytesIO()
            copy.save(buffer, pil_format, **options)
            renditions[extension][str(target)] = default_storage.save(
                f"{stem}-{target}.{extension}", ContentFile(buffer.getvalue())
            )
    return width, height, renditions


def _files_delete(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _all_files(picture: ProductImage | ListingPhoto) -> list[str]:
    return [picture.image.name or ""] + [
        name for sizes in (picture.renditions or {}).values() for name in sizes.values()
    ]


def _store(data: bytes, extension: str, folder: str) -> tuple[str, int, int, dict[str, dict[str, str]]]:
    """The original and its renditions under a random name (never the uploader's)."""
    stem = f"{folder}/{uuid.uuid4().hex}"
    original = default_storage.save(f"{stem}.{extension}", ContentFile(data))
    try:
        width, height, renditions = renditions_make(data, stem=stem)
    except Exception:
        _files_delete([original])
        raise
    return original, width, height, renditions


@transaction.atomic
def product_image_add(
    *,
    product: Product,
    upload: IO[bytes],
    alt_text: str,
    actor: Actor,
    variant: Variant | None = None,
    position: int = 0,
) -> ProductImage:
    """Add a photo to a product model (platform staff). Raises VALIDATION for a bad file, a missing alt
    text or a variant of another product."""
    if not alt_text.strip():
        raise _invalid(_("Describe the photo for people who cannot see it."), "alt_text")
    if variant is not None and variant.product_id != product.pk:
        raise _invalid(_("This variant belongs to another product."), "variant")
    data, extension = image_check(upload, name=getattr(upload, "name", "") or "photo")
    original, width, height, renditions = _store(data, extension, "products")
    try:
        picture = ProductImage.objects.create(
            product=product,
            variant=variant,
            image=original,
            alt_text=alt_text.strip()[:200],
            position=position,
            width=width,
            height=height,
            renditions=renditions,
        )
    except Exception:
        _files_delete([original] + [n for sizes in renditions.values() for n in sizes.values()])
        raise
    audit_record(obj=picture, actor=actor, from_status="", to_status="added", reason=f"photo of {product.slug}")
    catalog_changed()
    return picture


def product_image_render(*, picture: ProductImage) -> ProductImage:
    """(Re)make the renditions of a photo whose original was stored by the admin's form; checks it first
    (a file that is not a picture is deleted and refused)."""
    with picture.image.open("rb") as handle:
        data = handle.read()
    try:
        image_check(io.BytesIO(data), name=picture.image.name or "photo")
    except ApplicationError:
        _files_delete(_all_files(picture))
        raise
    old = [name for sizes in (picture.renditions or {}).values() for name in sizes.values()]
    stem = (picture.image.name or "products/photo").rsplit(".", 1)[0]
    width, height, renditions = renditions_make(data, stem=stem)
    ProductImage.objects.filter(pk=picture.pk).update(width=width, height=height, renditions=renditions)
    _files_delete(old)
    picture.width, picture.height, picture.renditions = width, height, renditions
    catalog_changed()
    return picture


def product_image_delete(*, picture: ProductImage, actor: Actor) -> None:
    names = _all_files(picture)
    audit_record(obj=picture, actor=actor, from_status="added", to_status="deleted", reason="photo removed")
    picture.delete()
    transaction.on_commit(lambda: _files_delete(names))
    catalog_changed()


@transaction.atomic
def listing_photo_add(*, listing: Listing, upload: IO[bytes], actor: Actor) -> ListingPhoto:
    """A photo of the actual unit on a seller's listing: checked by content, size-limited, at most
    `MAX_LISTING_PHOTOS` per listing (counted under the listing's row lock). Raises VALIDATION."""
    Listing.objects.select_for_update().filter(pk=listing.pk).first()
    if ListingPhoto.objects.filter(listing=listing).count() >= MAX_LISTING_PHOTOS:
        raise _invalid(_("At most %(count)d photos per offer.") % {"count": MAX_LISTING_PHOTOS}, "photo")
    data, extension = image_check(upload, name=getattr(upload, "name", "") or "photo", field="photo")
    original, width, height, renditions = _store(data, extension, "listings")
    try:
        photo = ListingPhoto.objects.create(
            listing=listing, image=original, width=width, height=height, renditions=renditions
        )
    except Exception:
        _files_delete([original] + [n for sizes in renditions.values() for n in sizes.values()])
        raise
    audit_record(
        obj=photo,
        actor=actor,
        from_status="",
        to_status="added",
        reason="photo of the unit",
        organisation=listing.seller,
    )
    listings_changed([listing.pk])  # the offer's pages (its product, category, market), not every page
    return photo


@transaction.atomic
def listing_photo_delete(*, photo: ListingPhoto, actor: Actor) -> None:
    """Remove a photo of the unit from its listing (its files go after commit)."""
    names = _all_files(photo)
    listing = photo.listing
    audit_record(
        obj=photo,
        actor=actor,
        from_status="added",
        to_status="deleted",
        reason="photo removed",
        organisation=listing.seller,
    )
    photo.delete()
    transaction.on_commit(lambda: _files_delete(names))
    listings_changed([listing.pk])


def srcset(renditions: dict[str, Any], extension: str) -> str:
    """`url 320w, url 640w` for one format of a picture's renditions."""
    sizes = (renditions or {}).get(extension) or {}
    return ", ".join(
        f"{default_storage.url(name)} {width}w" for width, name in sorted(sizes.items(), key=lambda i: int(i[0]))
    )
