"""Authentication backends that read the signed-in user through `marketplace.usercache`.

They authenticate exactly as Django's `ModelBackend` and allauth's `AuthenticationBackend` do (they are
those classes); only `get_user`, run on every request with a session, reads the cached row first.

Sessions signed in before these backends existed name Django's or allauth's class in the session;
`SessionBackendMiddleware` renames it once, on that session's next request, so that nobody is signed out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.http import HttpRequest, HttpResponse

from marketplace.usercache import user_cache_get, user_cache_set


class CachedUserMixin:
    def get_user(self, user_id: Any) -> Any:
        user = user_cache_get(user_id)
        if user is None:
            user = super().get_user(user_id)  # type: ignore[misc]  # the backend's own read (None: gone or inactive)
            if user is not None:
                user_cache_set(user)
            return user
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    """Django's e-mail and password backend (the admin, `force_login`), with the cached user."""


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    """allauth's backend (the storefront's and back-offices' log-in), with the cached user."""


RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": f"{ModelBackend.__module__}.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": f"{AuthenticationBackend.__module__}.AuthenticationBackend",
}


class SessionBackendMiddleware:
    """Before `AuthenticationMiddleware`: a session that names a backend by its old path gets the new one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            renamed = RENAMED_BACKENDS.get(session.get(BACKEND_SESSION_KEY, ""))
            if renamed is not None:
                session[BACKEND_SESSION_KEY] = renamed
        return self.get_response(request)
