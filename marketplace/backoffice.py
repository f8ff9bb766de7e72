"""What the organisation back-offices (seller, partner) share beyond services: a secret shown once.

A page that creates a secret (an API key, a webhook signing secret) answers its POST with a
redirect, so that a refresh cannot create a second one; the secret rides in the session to the
next page view, which takes it out: it is shown exactly once, then only its prefix remains.
"""

from __future__ import annotations

from django.http import HttpRequest

_SESSION_KEY = "encore_secret_once"


def secret_show_once(request: HttpRequest, *, name: str, value: str) -> None:
    """Keep `value` for the next page view that asks for `name`."""
    secrets = dict(request.session.get(_SESSION_KEY, {}))
    secrets[name] = value
    request.session[_SESSION_KEY] = secrets


def secret_take(request: HttpRequest, *, name: str) -> str | None:
    """The secret kept under `name`, removed from the session (None when there is none)."""
    secrets = dict(request.session.get(_SESSION_KEY, {}))
    value = secrets.pop(name, None)
    if value is not None:
        if secrets:
            request.session[_SESSION_KEY] = secrets
        else:
            request.session.pop(_SESSION_KEY, None)
    return value if isinstance(value, str) else None
