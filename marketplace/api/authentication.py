"""API authentication: `Authorization: Bearer <api key>`, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from marketplace.models import ApiKey
from marketplace.services import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Resolves the API key (and so the organisation) once per request.

    No Authorization header: not this scheme (anonymous, or the session). A header
    with a missing, unknown or revoked key: 401.
    """

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[AnonymousUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not raw_key.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        api_key = api_key_authenticate(raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, with CSRF enforced (DRF's behaviour)."""


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.api.authentication.SessionAuthentication"
    name = "Session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "Browser session (with CSRF)."}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An Encore API key: `enc_<prefix>_<secret>`."}
