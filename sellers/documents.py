"""Checking uploaded proof documents by their content, not their name."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

# Leading bytes of the only formats accepted (PDF, JPEG, PNG).
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def sniff_content_type(upload: UploadedFile[bytes]) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((content_type for signature, content_type in SIGNATURES if head.startswith(signature)), None)


def document_error(upload: UploadedFile[bytes]) -> str | None:
    """None when the upload is an acceptable document, else the message to show next to the field."""
    limit = settings.SELLER_DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        return f"{upload.name}: the file is empty."
    if upload.size > limit:
        return f"{upload.name}: the file is larger than {limit // (1024 * 1024)} MB."
    if sniff_content_type(upload) is None:
        return f"{upload.name}: only PDF, JPEG or PNG files are accepted (checked by content)."
    return None
