"""A unit's private photos as an HTTP answer: one builder for the back-office page and the API.

The photo was checked by its content when it was recorded (JPEG, PNG or HEIC); it is served with that
content type, never sniffed, under a policy that lets it run nothing, and cached privately only.
"""

from __future__ import annotations

from django.http import FileResponse, Http404

from workshop.models import UnitPhoto


def unit_photo_response(photo: UnitPhoto, *, inline: bool = False) -> FileResponse:
    """The photo's bytes: a download (the back-office), or `inline` (the API, for clients that show it).
    A photo whose file is gone from storage is a 404, not a server error."""
    extension = photo.file.name.rsplit(".", 1)[-1]
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("Not found") from None
    response = FileResponse(
        handle,
        content_type=photo.content_type,
        as_attachment=not inline,
        filename=f"unit-photo-{photo.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=300"
    return response
