"""RFC 9457 problem details: one exception handler for the whole API.

`{"type", "title", "status", "detail", "errors": [{"field", "message"}]}` served as
`application/problem+json`. Maps `ApplicationError`, DRF's errors and Django's 404 /
PermissionDenied; `api_not_found` / `api_server_error` keep HTML out of /api/ for
unknown URLs and crashes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from marketplace.errors import ApplicationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Problem `type` for DRF's own exceptions, keyed by their default code.
_DRF_TYPES = {
    "not_authenticated": "not-authenticated",
    "authentication_failed": "not-authenticated",
    "permission_denied": "permission-denied",
    "not_found": "not-found",
    "method_not_allowed": "method-not-allowed",
    "not_acceptable": "not-acceptable",
    "unsupported_media_type": "unsupported-media-type",
    "throttled": "throttled",
    "parse_error": "malformed-request",
    "invalid": "validation-error",
}
_TITLES = {
    400: "The request is not valid.",
    401: "Authentication is required.",
    403: "You may not do this.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    415: "Unsupported media type.",
    422: "Unprocessable request.",
    429: "Too many requests.",
    500: "Server error.",
}


def problem_type(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/problems/{code}"


def problem_body(
    *, status_code: int, code: str, detail: str, title: str | None = None, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "type": problem_type(code),
        "title": title or _TITLES.get(status_code, "Error."),
        "status": status_code,
        "detail": detail,
        "errors": errors or [],
    }


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error structure -> [{"field": "lines[0].quantity", "message": ...}]."""
    if isinstance(detail, dict):
        items: list[dict[str, str]] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            items.extend(_flatten(value, name))
        return items
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix, "message": str(item)} for item in detail]
        items = []
        for index, item in enumerate(detail):
            items.extend(_flatten(item, f"{prefix}[{index}]"))
        return items
    return [{"field": prefix, "message": str(detail)}]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        body = problem_body(
            status_code=exc.status, code=exc.code.value, title=exc.title, detail=exc.message, errors=exc.errors
        )
        body.update(exc.extra)
        return Response(body, status=exc.status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        code = "validation-error"
    else:
        errors = []
        detail = str(exc.detail)
        code = _DRF_TYPES.get(exc.default_code, exc.default_code.replace("_", "-"))
    response.data = problem_body(status_code=response.status_code, code=code, detail=detail, errors=errors)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_json_response(status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem_body(status_code=status_code, code=code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def api_not_found(request: HttpRequest) -> JsonResponse:
    return problem_json_response(status.HTTP_404_NOT_FOUND, "not-found", f"No endpoint at {request.path}.")


def api_server_error(request: HttpRequest) -> JsonResponse:
    return problem_json_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "server-error", "An unexpected error occurred; it has been logged."
    )
