"""Catalog benchmark: seed the bench shape, serve with gunicorn on 127.0.0.1, load pages with wrk.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/catalog.py [--duration 15] [--connections 16] [--no-seed]
        [--workers 3] [--threads 1]

Prints req/s, p50 and p99 per URL (wrk --latency) and the queries per page (cold cache, in-process).
Targets (2 cores, 16 connections): category list and search >= 150 req/s, p99 <= 150 ms; product page
>= 120 req/s, p99 <= 150 ms; API list >= 300 req/s, p99 <= 100 ms; page 50 of the cursor as fast as page 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# The bench serves with DEBUG off, like production, so it needs a key of its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8765


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def cursor_page(base: str, path: str, pages: int) -> str:
    """Follow `next` links `pages - 1` times: the URL of page `pages`."""
    import json

    url = base + path
    for _ in range(pages - 1):
        with urllib.request.urlopen(url) as response:  # noqa: S310 - local server
            url = json.loads(response.read())["next"] or url
    return url.removeprefix(base)


def wrk(url: str, *, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": int(errors.group(1)) if errors else 0}


def query_counts(paths: list[str]) -> dict[str, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for path in paths:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(path, HTTP_HOST="127.0.0.1")
        counts[path] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-seed", action="store_true")
    # 2 cores shared by gunicorn, PostgreSQL, Redis and wrk: a warm page is a few ms of Python (Redis
    # fragments), so a few single-threaded workers beat many threads fighting over each worker's GIL.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not args.no_seed:
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", "--scale", "bench", "--quiet-logins")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        # One client hammering from 127.0.0.1 is the load generator, not an abuser: the anonymous API
        # budget (600/min per IP) would turn the run into 429s. A per-second window keeps the throttle's
        # bookkeeping (one timestamp per request in the window) as small as in production.
        "API_ANON_THROTTLE_RATE": os.environ.get("API_ANON_THROTTLE_RATE", "100000/s"),
    }
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "marketplace.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "-k",
            "gthread" if args.threads > 1 else "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/healthz")  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        paths = {
            "category list": "/c/smartphones/?market=fr",
            "search": "/search/?q=iphnoe+13+128&market=fr",
            "product page": "/p/bench-0042/?market=fr",
            "API list page 1": "/api/v1/products/?market=fr",
        }
        paths["API list page 50"] = cursor_page(base, "/api/v1/products/?market=fr&page_size=25", 50)
        for path in paths.values():
            urllib.request.urlopen(base + path)  # noqa: S310 - warm-up
        print(f"{'page':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
        for name, path in paths.items():
            result = wrk(base + path, duration=args.duration, connections=args.connections)
            print(f"{name:<18} {result['rps']:>8.0f} {result['p50']:>8.1f} {result['p99']:>8.1f} {result['non2xx']:>8}")
    finally:
        server.terminate()
        server.wait(10)
    print("queries per page (cold cache):")
    for path, count in query_counts(list(paths.values())).items():
        print(f"  {count:>3}  {path}")


if __name__ == "__main__":
    main()
