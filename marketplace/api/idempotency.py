"""`Idempotency-Key` for POST endpoints, with Stripe's semantics (API.md).

- First request with a key: runs, and its response (any status below 500) is kept 24 h.
- Same key, same body: the first response again (same status and body), marked
  with `Idempotent-Replayed: true`.
- Same key, another body (or another endpoint): 422.
- Same key while the first request still runs: 409.
- Keys are scoped per organisation (per user for session callers without one).
- A 5xx is not kept, so the client may retry with the same key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import IdempotencyKey
from marketplace.tenancy import acting_organisation

HEADER = "Idempotency-Key"
MAX_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Do this POST at most once per key and organisation for 24 h. A retry with the same body "
        "gets the first response again; the same key with another body gets 422; 409 while the "
        "first request is still running."
    ),
)


def _owner(request: Any) -> str | None:
    organisation = acting_organisation(request)
    if organisation is not None:
        return f"org:{organisation.pk}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


def _fingerprint(request: Any) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, separators=(",", ":"))
    except (TypeError, ValueError):
        body = request.body.decode("utf-8", "replace")
    material = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(material.encode()).hexdigest()


def _claim(owner: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Insert the key as in progress; (row, True) when this request owns it."""
    now = timezone.now()
    expires = now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    with transaction.atomic():
        # A key past its 24 h is forgotten: the request runs anew.
        IdempotencyKey.objects.filter(owner=owner, key=key, expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint, expires_at=expires)
        return row, True
    except IntegrityError:
        return IdempotencyKey.objects.get(owner=owner, key=key), False


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView's `post` (or a viewset action). Runs after authentication."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        owner = _owner(request)
        if owner is None:
            return handler(view, request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_LENGTH:
            raise ApplicationError(
                ErrorCode.IDEMPOTENCY_KEY_INVALID,
                f"The {HEADER} header must be 1 to {MAX_LENGTH} characters.",
                errors=[{"field": HEADER, "message": f"1 to {MAX_LENGTH} characters."}],
            )
        fingerprint = _fingerprint(request)
        row, owned = _claim(owner, key, fingerprint)
        if not owned:
            if row.fingerprint != fingerprint:
                raise ApplicationError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    f"This {HEADER} was already used with another request body or endpoint.",
                )
            if row.state == IdempotencyKey.State.IN_PROGRESS:
                raise ApplicationError(
                    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
                    f"A request with this {HEADER} is still being processed; retry later.",
                    retry_after=1,
                )
            response = Response(row.response_body, status=row.response_status)
            if row.response_content_type:
                response.content_type = row.response_content_type
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # the view's own error handling makes the response we keep
                response = view.handle_exception(exc)
        except BaseException:
            # An unhandled crash (a 500): forget the key so that a retry can run.
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            raise
        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            return response
        body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
        IdempotencyKey.objects.filter(pk=row.pk).update(
            state=IdempotencyKey.State.COMPLETED,
            response_status=response.status_code,
            response_body=body,
            response_content_type=response.content_type or "",
        )
        return response

    return wrapper
