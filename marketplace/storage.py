"""Private file storage: files under PRIVATE_MEDIA_ROOT, never reachable by a public URL.

Uploaded evidence (claim photos) and proof documents are stored here and served only through
views that check who asks (the shopper, the seller's members, success managers), as attachments.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read at use, so settings overrides apply); no public URL."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


def private_storage() -> FileSystemStorage:
    """The storage callable for `FileField(storage=...)` (a callable keeps migrations free of settings)."""
    return PrivateStorage()
