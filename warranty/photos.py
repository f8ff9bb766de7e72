"""Claim photos checked by their content, not their name: JPEG and PNG opened and verified by Pillow,
HEIC by its ISO-BMFF `ftyp` box and brand (Pillow cannot decode HEIC without a plug-in; the brand is
what identifies it). At most 5 per message and 10 MB each (DOMAIN.md). Every problem becomes a
field error on `photos`, and nothing is saved when one photo is refused.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from marketplace.errors import ApplicationError, ErrorCode

MAX_PHOTOS = 5
HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}


def photo_max_bytes() -> int:
    return int(getattr(settings, "CLAIM_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedPhoto:
    upload: UploadedFile[bytes]
    content_type: str

    @property
    def storage_name(self) -> str:
        """A random file name with the checked type's extension (never the uploader's name)."""
        return f"{uuid.uuid4().hex}.{_EXTENSIONS[self.content_type]}"


def _heic_brand(head: bytes) -> bool:
    """True for an ISO-BMFF file whose `ftyp` box names a HEIF/HEIC brand (major or compatible)."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[0:4], "big")
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    return any(brand in HEIC_BRANDS for brand in brands)


def sniff_photo(upload: UploadedFile[bytes]) -> str | None:
    """The photo's content type from its bytes ("image/jpeg", "image/png", "image/heic"), or None."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if _heic_brand(head):
        return "image/heic"
    if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")):
        return None
    try:
        data = upload.read()
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return {"JPEG": "image/jpeg", "PNG": "image/png"}.get(kind or "")


def photos_check(uploads: Sequence[UploadedFile[bytes]], *, field: str = "photos") -> list[CheckedPhoto]:
    """Check every upload; returns them with their content type, or raises VALIDATION naming each problem."""
    errors: list[dict[str, str]] = []
    if len(uploads) > MAX_PHOTOS:
        errors.append({"field": field, "message": _("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS}})
    limit = photo_max_bytes()
    checked: list[CheckedPhoto] = []
    for upload in uploads:
        name = upload.name or "photo"
        if not upload.size:
            errors.append({"field": field, "message": _("%(name)s: the file is empty.") % {"name": name}})
            continue
        if upload.size > limit:
            message = _("%(name)s: the file is larger than %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)}
            errors.append({"field": field, "message": message})
            continue
        content_type = sniff_photo(upload)
        if content_type is None:
            message = _("%(name)s: only JPEG, PNG or HEIC photos are accepted.") % {"name": name}
            errors.append({"field": field, "message": message})
            continue
        checked.append(CheckedPhoto(upload=upload, content_type=content_type))
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, " ".join(e["message"] for e in errors), errors=errors)
    return checked
