"""Mixed-load benchmark: shoppers browse while sellers change prices and stock and buyers check out.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/mixed.py [--duration 60] [--connections 16]
        [--writes 20] [--checkouts 2] [--no-seed] [--workers 3] [--cold-rounds 15]

Seeds the bench shape (`seed_demo --scale bench`, unless --no-seed), serves the app with gunicorn
(sync workers) on 127.0.0.1 and runs, at once, for --duration seconds:

- shoppers: --connections threads, half of them with a logged-in session (their pages are built from
  the cached fragments), half without (whole cached pages), each loading category pages (with and
  without a filter), searches, product pages and the products API; products are picked with a Zipf
  skew (a few are popular, most are not), like real traffic;
- sellers: PATCHes of their listings' price or stock through the seller API at --writes per second,
  spread over 20 bench sellers' listings in every market;
- buyers: --checkouts threads running the storefront cycle (3 adds to the cart, checkout, test
  payment) and one thread placing partner API orders (3 sellers, paid by invoice).

Every response carries what it cost (a WSGI wrapper, bench-only: `application` below): the worker's
CPU time for the request (a sync worker serves one request at a time) and the CPU time its PostgreSQL
backend spent meanwhile (`/proc/<pid>/schedstat`, nanoseconds; client, server and database run on
this machine). A page counts as a cache hit when it ran no query on the listings or the offer summary.
Prints per page type: requests, req/s, p50/p99 (ms, client side), CPU ms per request (app, PostgreSQL),
the cache hit rate and the queries per request; then the same per storefront checkout cycle and per partner API order.

Then, with no load (`--cold-rounds` times per page, the cache emptied before each, in-process): the CPU
of an uncached category page, search, product page and API list.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# The bench serves with DEBUG off, like production, so it needs a key of its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8767
BASE = f"http://127.0.0.1:{PORT}"
HOT_TABLES = ("catalog_listing", "catalog_offersummary")
WRITERS = 4


# --- server side: the cost of each request, in its response headers ---------------------------------
def _backend_ns(pid: int | None) -> int:
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except OSError:
        return 0  # another machine's database: no figure


def _backend_pid() -> int | None:
    from django.db import connection

    raw = connection.connection
    return raw.info.backend_pid if raw is not None and not raw.closed else None


def _wrap(app: Any) -> Any:
    from django.db import connection

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        hot = [0, 0]  # queries on the listings or the offer summary, all queries

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if any(table in sql for table in HOT_TABLES):
                hot[0] += 1
            hot[1] += 1
            return execute(sql, params, many, context)

        pid = _backend_pid()
        db_before = _backend_ns(pid)
        cpu_before = time.process_time_ns()
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers, exc_info]
            return lambda data: None

        with connection.execute_wrapper(count):
            result = app(environ, capture)
            body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        app_ns = time.process_time_ns() - cpu_before
        after_pid = _backend_pid()
        db_ns = _backend_ns(after_pid) - (db_before if after_pid == pid else 0)
        status, headers, exc_info = captured
        headers = [*headers, ("X-Bench-Cost", f"{app_ns / 1e6:.3f},{max(db_ns, 0) / 1e6:.3f},{hot[0]},{hot[1]}")]
        start_response(status, headers, exc_info)
        return [body]

    return application


def __getattr__(name: str) -> Any:  # gunicorn mixed:application (the module imported with --pythonpath bench)
    if name == "application":
        from django.core.wsgi import get_wsgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
        globals()["application"] = _wrap(get_wsgi_application())
        return globals()["application"]
    raise AttributeError(name)


# --- client side ------------------------------------------------------------------------------------
class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[str, list[tuple[float, float, float, int, int, int]]] = defaultdict(list)

    def add(self, kind: str, response: Any, elapsed_ms: float) -> None:
        app, db, hot, queries = (response.headers.get("X-Bench-Cost") or "0,0,0,0").split(",")
        with self.lock:
            self.rows[kind].append((elapsed_ms, float(app), float(db), int(hot), response.status_code, int(queries)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def zipf_picker(items: list[Any], rng: random.Random) -> Any:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)

    def pick() -> Any:
        import bisect

        return items[bisect.bisect_left(cumulative, rng.random() * total)]

    return pick


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fixtures(sessions: int) -> dict[str, Any]:
    """What the load needs from the bench data: URLs, users with sessions, seller keys and listings."""
    from django.conf import settings

    from catalog.models import Category, Listing, Product
    from marketplace.actors import Actor
    from marketplace.models import Organisation, User
    from marketplace.services import api_key_create

    categories = list(
        Category.objects.filter(parent=None, products__variants__listings__market_id="fr")
        .distinct()
        .values_list("slug", flat=True)
    )
    products = list(
        Product.objects.filter(variants__listings__market_id="fr", variants__listings__status="active")
        .distinct()
        .order_by("slug")
        .values_list("slug", "series", "brand__slug")
    )
    random.Random(7).shuffle(products)  # popularity unrelated to the slug
    users = []
    for n in range(sessions):
        user, _ = User.objects.get_or_create(email=f"bench-mixed-{n:03d}@encore.test", defaults={"full_name": "Mixed"})
        users.append(user)
    sellers = list(Organisation.objects.filter(kind="seller", slug__startswith="bench-").order_by("pk")[:20])
    keys: dict[int, str] = {}
    for seller in sellers:
        _, raw = api_key_create(
            organisation=seller, name="mixed bench", scopes=["listings:write"], actor=Actor.system("bench")
        )
        keys[seller.pk] = raw
    listings = list(
        Listing.objects.filter(seller__in=sellers, status="active").values_list(
            "pk", "seller_id", "price_amount", "currency"
        )
    )
    return {
        "categories": categories,
        "products": products,
        "cookies": [load_checkout_module().session_cookie(user) for user in users],
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "keys": keys,
        "listings": listings,
    }


def shopper(n: int, data: dict[str, Any], stats: Stats, deadline: float, with_session: bool) -> None:
    import requests

    rng = random.Random(n)
    pick_product = zipf_picker(data["products"], rng)
    session = requests.Session()
    session.cookies.set("encore_market", "fr")
    if with_session:
        session.cookies.set(data["session_cookie_name"], data["cookies"][n])
    kinds = ["category"] * 3 + ["search"] * 2 + ["product"] * 4 + ["api list"] * 1
    while time.perf_counter() < deadline:
        kind = rng.choice(kinds)
        slug, series, brand = pick_product()
        if kind == "category":
            category = rng.choice(data["categories"])
            path = f"/c/{category}/" + (f"?brand={brand}" if rng.random() < 0.3 else "")
        elif kind == "search":
            path = f"/search/?q={series.replace(' ', '+')}"
        elif kind == "product":
            path = f"/p/{slug}/"
        else:
            path = "/api/v1/products/?market=fr" + (f"&brand={brand}" if rng.random() < 0.3 else "")
        started = time.perf_counter()
        response = session.get(BASE + path)
        stats.add(
            f"{kind} ({'session' if with_session else 'no session'})", response, (time.perf_counter() - started) * 1000
        )


def seller_writes(data: dict[str, Any], stats: Stats, deadline: float, rate: float, seed: int) -> None:
    """PATCH a listing's price (+-3%) or stock (1-20) at `rate` per second, paced (not as fast as possible)."""
    import requests

    rng = random.Random(seed)
    session = requests.Session()
    interval = 1 / rate if rate else math.inf
    next_at = time.perf_counter()
    while time.perf_counter() < deadline and rate:
        pk, seller_id, price, currency = rng.choice(data["listings"])
        body: dict[str, Any]
        if rng.random() < 0.5:
            body = {"price": {"amount": max(1000, int(price * rng.uniform(0.97, 1.03))), "currency": currency}}
        else:
            body = {"stock": rng.randint(1, 20)}
        started = time.perf_counter()
        response = session.patch(
            f"{BASE}/api/v1/seller/listings/{pk}/",
            json=body,
            headers={"Authorization": f"Bearer {data['keys'][seller_id]}"},
        )
        stats.add("seller write (API)", response, (time.perf_counter() - started) * 1000)
        next_at += interval
        time.sleep(max(0.0, next_at - time.perf_counter()))


def load_checkout_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_checkout", ROOT / "bench" / "checkout.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BASE = BASE
    return module


def buyers(n: int, offers: list[int], cookie: tuple[str, str], stats: Stats, deadline: float) -> None:
    """The storefront cycle, as bench/checkout.py runs it: 3 adds to the cart, checkout, pay."""
    import re

    import requests

    session = requests.Session()
    session.cookies.set("encore_market", "fr")
    session.cookies.set(*cookie)
    session.get(f"{BASE}/cart/")
    form = {
        "full_name": "Bench Buyer",
        "email": "buyer@bench.test",
        "phone": "",
        "address_line": "1 rue du Bench",
        "postal_code": "75001",
        "city": "Paris",
    }

    def post(path: str, body: dict[str, Any]) -> Any:
        token = session.cookies.get("csrftoken", "")
        response = session.post(BASE + path, data=body, headers={"X-CSRFToken": token}, allow_redirects=False)
        # A browser shows the flash message on the page the redirect lands on, which clears it; the bench
        # does not load that page, so it drops the message itself (else the cookie grows to its 2 KB cap
        # and every later request decodes and re-signs it: ~10 ms per cycle of nothing a shopper does).
        session.cookies.pop("messages", None)
        return response

    while time.perf_counter() < deadline:
        started = time.perf_counter()
        costs = []
        for listing in offers:
            costs.append(post("/cart/add/", {"listing": listing, "quantity": 1}))
        response = post("/checkout/", form)
        costs.append(response)
        match = re.search(r"/checkout/([A-Z0-9]+)/pay/", response.headers.get("Location", ""))
        if not match:
            stats.add("checkout cycle FAILED", response, 0)
            continue
        costs.append(post(f"/checkout/{match.group(1)}/test-payment/", {"outcome": "pay"}))
        elapsed = (time.perf_counter() - started) * 1000
        parts = [(r.headers.get("X-Bench-Cost") or "0,0,0,0").split(",") for r in costs]
        app = sum(float(part[0]) for part in parts)
        db = sum(float(part[1]) for part in parts)
        queries = sum(int(part[3]) for part in parts)

        class Cycle:
            status_code = 200 if all(r.status_code < 400 for r in costs) else 500
            headers = {"X-Bench-Cost": f"{app},{db},0,{queries}"}

        stats.add("checkout cycle (3 adds, checkout, pay)", Cycle, elapsed)


def partner_orders(key: str, offers: list[int], stats: Stats, deadline: float) -> None:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    body = {
        "market": "fr",
        "lines": [{"listing": listing, "quantity": 1} for listing in offers],
        "customer": {
            "full_name": "Bench Customer",
            "email": "customer@bench.test",
            "address_line": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
            "country": "fr",
        },
    }
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = session.post(f"{BASE}/api/v1/orders/", json=body)
        stats.add("partner API order", response, (time.perf_counter() - started) * 1000)


def report(stats: Stats, elapsed: float) -> None:
    print(
        f"{'page type':<40} {'n':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'app ms':>7} {'pg ms':>6} {'hit %':>6} {'queries':>7} {'errors':>6}"
    )
    for kind in sorted(stats.rows):
        rows = stats.rows[kind]
        latencies = [row[0] for row in rows]
        hits = sum(1 for row in rows if row[3] == 0)
        errors = sum(1 for row in rows if row[4] >= 400)
        print(
            f"{kind:<40} {len(rows):>6} {len(rows) / elapsed:>7.1f} {statistics.median(latencies):>7.1f} "
            f"{percentile(latencies, 0.99):>7.1f} {statistics.fmean(r[1] for r in rows):>7.2f} "
            f"{statistics.fmean(r[2] for r in rows):>6.2f} {100 * hits / len(rows):>6.1f} "
            f"{statistics.fmean(r[5] for r in rows):>7.1f} {errors:>6}"
        )
    shoppers = [row for kind, rows in stats.rows.items() if "session" in kind for row in rows]
    if shoppers:
        latencies = [row[0] for row in shoppers]
        print(
            f"all shopper pages: {len(shoppers) / elapsed:.1f} req/s, p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms, "
            f"cache hit rate {100 * sum(r[3] == 0 for r in shoppers) / len(shoppers):.1f}%"
        )


def cold_costs(rounds: int, data: dict[str, Any]) -> None:
    """With no load, in-process: CPU of each page type when its cached copy is gone, two ways.

    - page missed: one of the page's offers changed (`listings_changed`, what a seller's PATCH does), so
      the page and its fragments are rebuilt while the reference data (markets, grades, the category
      tree, keyed on the global catalog version) stays cached: a page miss under load.
    - all emptied: `cache.clear()` before the request, so the reference data is rebuilt too (a cold
      cache after a deploy or a Redis restart).
    """
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from catalog.models import Listing
    from catalog.versioning import listings_changed

    slug, series, _brand = data["products"][0]
    category = data["categories"][0]
    paths = {
        "category": (f"/c/{category}/?market=fr", {"variant__product__category__slug": category}),
        "search": (f"/search/?q={series.replace(' ', '+')}&market=fr", {"variant__product__slug": slug}),
        "product": (f"/p/{slug}/?market=fr", {"variant__product__slug": slug}),
        "api list": ("/api/v1/products/?market=fr", {"variant__product__slug": slug}),
    }
    client = Client()

    def measure(path: str, empty: Any) -> tuple[float, float]:
        apps, dbs = [], []
        for _ in range(rounds):
            empty()
            client.get(path, HTTP_HOST="127.0.0.1")  # connection, vocabulary, templates: warm the process
            empty()
            connection.ensure_connection()
            pid = connection.connection.info.backend_pid
            db_before, cpu_before = _backend_ns(pid), time.process_time_ns()
            response = client.get(path, HTTP_HOST="127.0.0.1")
            apps.append((time.process_time_ns() - cpu_before) / 1e6)
            dbs.append((_backend_ns(pid) - db_before) / 1e6)
            assert response.status_code == 200, (path, response.status_code)
        return statistics.median(apps), statistics.median(dbs)

    print(f"uncached, no load ({rounds} rounds each, median; app + PostgreSQL CPU ms):")
    print(f"  {'page':<10} {'page missed':>22} {'all emptied':>22}  path")
    for name, (path, offer) in paths.items():
        listing = Listing.objects.filter(market_id="fr", **offer).values_list("pk", flat=True).first()
        assert listing is not None, (name, offer)
        missed = measure(path, lambda listing=listing: listings_changed([listing]))
        emptied = measure(path, cache.clear)
        cells = [f"{app:.1f} + {db:.1f} = {app + db:.1f}" for app, db in (missed, emptied)]
        print(f"  {name:<10} {cells[0]:>22} {cells[1]:>22}  {path}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--writes", type=float, default=20)
    parser.add_argument("--checkouts", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--cold-rounds", type=int, default=15)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        os.environ.pop(name, None)  # the test payment provider: no network
    if not args.no_seed:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
        subprocess.run([PYTHON, "manage.py", "seed_demo", "--scale", "bench", "--quiet-logins"], cwd=ROOT, check=True)
    setup_django()
    from catalog.models import Listing
    from marketplace.actors import Actor
    from marketplace.models import Organisation
    from marketplace.services import api_key_create

    sessions = args.connections // 2
    data = fixtures(sessions + args.checkouts)
    checkout = load_checkout_module()
    offers, _race = checkout.prepare(max(args.checkouts, 1) + 1)
    Listing.objects.filter(sku__startswith="BENCH-CHECKOUT-").update(stock=1_000_000, status="active")
    partner, _ = Organisation.objects.get_or_create(
        slug="bench-checkout-partner", defaults={"name": "Bench Partner", "kind": "partner", "country": "fr"}
    )
    _, partner_key = api_key_create(
        organisation=partner, name="mixed bench", scopes=["orders:read", "orders:write"], actor=Actor.system("bench")
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "API_ANON_THROTTLE_RATE": "100000/s",  # one client IP is the load generator, not an abuser
        "API_THROTTLE_RATE": "1000000/min",
    }
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "mixed:application",
            "--pythonpath",
            f"{ROOT / 'bench'},{ROOT}",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(args.workers),
            "-k",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    stats = Stats()
    try:
        import requests

        for _ in range(100):
            try:
                requests.get(f"{BASE}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.3)
        deadline = time.perf_counter() + args.duration
        threads = [
            threading.Thread(target=shopper, args=(n, data, stats, deadline, n < sessions))
            for n in range(args.connections)
        ]
        # Several paced writers, so that a slow write does not hold the others back.
        threads += [
            threading.Thread(target=seller_writes, args=(data, stats, deadline, args.writes / WRITERS, n))
            for n in range(WRITERS)
        ]
        cookie_name = data["session_cookie_name"]
        threads += [
            threading.Thread(
                target=buyers, args=(n, offers[n], (cookie_name, data["cookies"][sessions + n]), stats, deadline)
            )
            for n in range(args.checkouts)
        ]
        threads.append(threading.Thread(target=partner_orders, args=(partner_key, offers[-1], stats, deadline)))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(
            f"mixed load, {elapsed:.0f} s: {args.connections} shopper connections (half with a session), "
            f"{args.writes:g} seller writes/s, {args.checkouts} checkout loops + 1 partner API loop, "
            f"{args.workers} sync workers; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        report(stats, elapsed)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    cold_costs(args.cold_rounds, data)


if __name__ == "__main__":
    main()
