"""`Idempotency-Key` for POST endpoints, with Stripe's semantics (API.md).

- First request with a key: runs, and its response (any status below 500) is kept 24 h.
- Same key, same body: the first response again, byte for byte (same status, body and the
  Location / Retry-After headers), marked with `Idempotent-Replayed: true`.
- Same key, another body (or another endpoint): 422.
- Same key while the first request still runs: 409. A first request that died without an answer
  (its process killed) does not block its key for more than `IDEMPOTENCY_IN_PROGRESS_SECONDS` (60 s):
  after that, a retry with the same body takes the key over and runs.
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
from django.db import connection
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


REPLAYED_HEADERS = ("Location", "Retry-After")


def _claim(owner: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Insert the key as in progress; (row, True) when this request owns it.

    A row still in progress after `IDEMPOTENCY_IN_PROGRESS_SECONDS` belongs to a request that died:
    the first retry with the same body takes it over (a compare-and-swap on its start time, so two
    retries at once do not both run).
    """
    now = timezone.now()
    expires = now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    # One statement: the key is inserted as in progress, or a row of it past its 24 h is taken over
    # (forgotten: the request runs anew); a live row is left alone and read below.
    table = IdempotencyKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS k (owner, key, fingerprint, state, response_status, response_text,
                                      response_headers, response_content_type, created_at, expires_at)
            VALUES (%s, %s, %s, %s, NULL, '', '{{}}'::jsonb, '', %s, %s)
            ON CONFLICT (owner, key) DO UPDATE SET
                fingerprint = EXCLUDED.fingerprint, state = EXCLUDED.state, response_status = NULL,
                response_text = '', response_headers = '{{}}'::jsonb, response_content_type = '',
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            WHERE k.expires_at < EXCLUDED.created_at
            RETURNING id
            """,  # noqa: S608 - the table name from model meta, values bound
            [owner, key, fingerprint, IdempotencyKey.State.IN_PROGRESS, now, expires],
        )
        inserted = cursor.fetchone()
    if inserted is not None:
        row = IdempotencyKey(
            pk=inserted[0], owner=owner, key=key, fingerprint=fingerprint, created_at=now, expires_at=expires
        )
        return row, True
    row = IdempotencyKey.objects.get(owner=owner, key=key)
    stale_before = now - timedelta(seconds=settings.IDEMPOTENCY_IN_PROGRESS_SECONDS)
    if (
        row.state == IdempotencyKey.State.IN_PROGRESS
        and row.fingerprint == fingerprint
        and row.created_at < stale_before
    ):
        taken = IdempotencyKey.objects.filter(
            pk=row.pk, state=IdempotencyKey.State.IN_PROGRESS, created_at=row.created_at
        ).update(created_at=now, expires_at=expires)
        if taken:
            row.created_at, row.expires_at = now, expires
            return row, True
    return row, False


def _replay(row: IdempotencyKey) -> Response:
    response = Response(json.loads(row.response_text) if row.response_text else None, status=row.response_status)
    if row.response_content_type:
        response.content_type = row.response_content_type
    for name, value in row.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


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
            return _replay(row)
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
        # The exact text the JSON renderer will write (same encoder, same compact separators), kept
        # as text: a replay renders it again through `json.loads`, which keeps the key order.
        text = "" if response.data is None else json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
        IdempotencyKey.objects.filter(pk=row.pk).update(
            state=IdempotencyKey.State.COMPLETED,
            response_status=response.status_code,
            response_text=text,
            response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
            response_content_type=response.content_type or "",
        )
        return response

    return wrapper
