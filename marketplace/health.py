"""GET /healthz: database, Redis and the Celery broker reachable, as JSON (readiness). Anonymous callers
(load balancers, probes) learn only whether each is up; the error texts and timings are for platform staff
or a monitoring system that sends `X-Healthz-Token` (setting HEALTHZ_TOKEN).
GET /healthz/live: the process answers at all (liveness): touches no backing service, so an outage of
the database does not make an orchestrator restart every web process."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from marketplace.celery import app as celery_app


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache round trip failed")


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "redis": _redis, "broker": _broker}


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ok = all(r["ok"] for r in results.values())
    if not _may_see_details(request):
        results = {name: {"ok": result["ok"]} for name, result in results.items()}
    return JsonResponse({"status": "ok" if ok else "error", "checks": results}, status=200 if ok else 503)


def _may_see_details(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    if token and hmac.compare_digest(request.headers.get("X-Healthz-Token", ""), token):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)
