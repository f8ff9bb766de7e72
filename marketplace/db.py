"""Read replicas: catalog and dashboard reads of browsing requests go to PostgreSQL replicas.

With `DATABASE_REPLICA_URLS` set, settings add one database alias per replica (`replica_1`, ...)
and `ReplicaRouter`. A read goes to a replica only when all of these hold:

- it is made while serving a safe web request (GET, HEAD) — `ReplicaReadsMiddleware` opens that
  window; tasks, commands and unsafe requests never leave the primary;
- the model's app is one whose reads may lag a little (`REPLICA_READ_APPS`: the catalog, dashboards);
- the request's client did not write in the last `DATABASE_REPLICA_STICKY_SECONDS` (a browser keeps a
  cookie, an API key a cache entry: a seller who just changed a price sees it at once);
- no transaction is open on the primary (a read inside a write's transaction reads that write, and
  `select_for_update` needs the primary).

Writes, migrations and every other read go to the primary (`default`). Without replicas configured
the router and the middleware change nothing.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA_READ_APPS = frozenset({"catalog"})
STICKY_COOKIE = "encore_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_reads: ContextVar[bool] = ContextVar("encore_replica_reads", default=False)


def replica_aliases() -> list[str]:
    """The configured replicas' aliases (`replica_1`, ...)."""
    return [alias for alias in connections.settings if alias.startswith("replica_")]


@contextmanager
def replica_reads_allowed(allowed: bool = True) -> Iterator[None]:
    """Within the block, reads of `REPLICA_READ_APPS` may go to a replica (the middleware's window)."""
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Routes reads as the module docstring says; everything else to the primary."""

    primary = PRIMARY

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:
        if not _replica_reads.get() or model._meta.app_label not in REPLICA_READ_APPS:
            return self.primary
        if connections[self.primary].in_atomic_block:
            return self.primary
        replicas = replica_aliases()
        return random.choice(replicas) if replicas else self.primary  # noqa: S311 - load spreading, not security

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return self.primary

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == self.primary


def _api_pin_key(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        return None
    return "db:primary-until:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]


def _pinned(request: HttpRequest, now: float) -> bool:
    try:
        if float(request.COOKIES.get(STICKY_COOKIE, "0")) > now:
            return True
    except ValueError:
        pass
    key = _api_pin_key(request)
    return key is not None and cache.get(key) is not None


class ReplicaReadsMiddleware:
    """Opens the replica window for safe requests; after a write, keeps the client on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        now = time.time()
        if request.method in SAFE_METHODS:
            with replica_reads_allowed(not _pinned(request, now)):
                return self.get_response(request)
        response = self.get_response(request)
        sticky = settings.DATABASE_REPLICA_STICKY_SECONDS
        response.set_cookie(
            STICKY_COOKIE,
            f"{now + sticky:.3f}",
            max_age=sticky,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        key = _api_pin_key(request)
        if key is not None:
            cache.set(key, 1, timeout=sticky)
        return response
