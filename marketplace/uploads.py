"""Uploads are read within their size bound: a file past `FILE_UPLOAD_MAX_BYTES` is dropped while it
streams in, never written whole to disk and then measured.

`BoundedUploadHandler` runs first among Django's upload handlers: it counts each file's bytes as they
arrive and, past the bound, skips the rest of that file (Django's `SkipFile`), remembering its field and
name on the request. `oversized_uploads(request)` tells forms which fields lost a file that way, so the
person sees "larger than 10 MB" next to the field instead of "this field is required".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

_ATTRIBUTE = "_encore_oversized_uploads"


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > settings.FILE_UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.__dict__.setdefault(_ATTRIBUTE, []).append((self.field_name, self.file_name))
            raise SkipFile()
        return raw_data  # on to the next handler (memory or temporary file)

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


def oversized_uploads(request: HttpRequest) -> list[tuple[str, str]]:
    """(field name, file name) of every file dropped for its size in this request."""
    return list(request.__dict__.get(_ATTRIBUTE, []))


def add_oversized_upload_errors(request: HttpRequest, form: Any) -> None:
    """Put a size error on each form field that lost a file to the bound."""
    limit_mb = settings.FILE_UPLOAD_MAX_BYTES // (1024 * 1024)
    for field, name in oversized_uploads(request):
        target = field if field in form.fields else None
        if target is not None and form.is_bound:
            form.errors.pop(target, None)  # not "required": the file came, and was too large
        form.add_error(target, f"{name}: the file is larger than {limit_mb} MB.")
