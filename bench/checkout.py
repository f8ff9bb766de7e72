"""Checkout benchmark: gunicorn on 127.0.0.1, shoppers checking out a 3-seller cart over HTTP,
then 50 buyers racing for a listing with stock 1.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/checkout.py [--duration 20] [--buyers 16]
        [--race-buyers 50] [--rounds 100] [--no-seed]

Throughput: each buyer (a logged-in session) loops: add 3 offers from 3 sellers to the cart, POST the
checkout form (stock reserved, order split in 3 seller orders, payment started), pay with the test
provider. Prints completed checkouts/s and the p50/p99 of the checkout POST and of the whole cycle.
Race: each round sets a listing's stock to 1 and releases the buyers at once on POST /checkout/;
prints orders per round and oversold units (must be 0). Targets: >= 50 checkouts/s, 0 oversold.
Runs with the test payment provider (no STRIPE_* variables in the environment).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

# The bench serves with DEBUG off, like production, so it needs a key of its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "0" * 40)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "bench-checkout-password"  # noqa: S105 - local bench users
FORM = {
    "full_name": "Bench Buyer",
    "email": "buyer@bench.test",
    "phone": "",
    "address_line": "1 rue du Bench",
    "postal_code": "75001",
    "city": "Paris",
}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(buyers: int) -> tuple[list[list[int]], int]:
    """Three bench sellers with one offer per buyer each (a buyer's cart: one offer of each seller, so
    carts do not all fight over the same three rows), a fourth seller's listing for the race, and bench
    buyers. Bench fixtures, inserted directly."""
    from catalog.models import Listing
    from marketplace.models import Organisation, User
    from orders.models import CartLine

    template = Listing.objects.filter(market_id="fr", status="active").select_related("grade").order_by("pk").first()
    if template is None:
        sys.exit("Need an active French listing: run seed_demo first.")
    offers: list[list[int]] = [[] for _ in range(buyers)]
    race_listing = 0
    for n in range(4):
        seller, _ = Organisation.objects.get_or_create(
            slug=f"bench-checkout-{n}",
            defaults={"name": f"Bench Checkout Refurb {n}", "kind": "seller", "country": "fr"},
        )
        for buyer in range(buyers if n < 3 else 1):
            listing, _ = Listing.objects.get_or_create(
                seller=seller,
                sku=f"BENCH-CHECKOUT-{n}-{buyer}",
                market_id="fr",
                defaults={
                    "variant_id": template.variant_id,
                    "grade": template.grade,
                    "price_amount": 19900 + 1000 * n,
                    "currency": "EUR",
                    "stock": 1,
                    "battery_health": 95,
                    "battery_floor": template.grade.battery_floor,
                    "warranty_months": 12,
                    "status": "active",
                },
            )
            if n < 3:
                offers[buyer].append(listing.pk)
            else:
                race_listing = listing.pk
    cart_sellers = [f"bench-checkout-{n}" for n in range(3)]
    Listing.objects.filter(sku__startswith="BENCH-CHECKOUT-", seller__slug__in=cart_sellers).update(
        stock=1_000_000, status="active"
    )
    CartLine.objects.filter(cart__user__email__startswith="bench-buyer-").delete()  # a previous run's leftovers
    for n in range(buyers):
        email = f"bench-buyer-{n:03d}@encore.test"
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email=email, password=PASSWORD, full_name=f"Bench Buyer {n}")
    return offers, race_listing


def session_cookie(user: Any) -> str:
    """A logged-in session for a bench user, made directly (what a log-in stores): log-in goes through
    django-allauth's verified-e-mail and rate-limited form, which is not what the benches measure.
    `bench/mixed.py` uses it too."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "marketplace.auth_backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return str(store.session_key)


def session_for(n: int) -> requests.Session:
    """Bench buyer `n`, logged in, with the storefront's CSRF cookie."""
    from django.conf import settings

    from marketplace.models import User

    session = requests.Session()
    session.cookies.set("encore_market", "fr")
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, session_cookie(User.objects.get(email=f"bench-buyer-{n:03d}@encore.test"))
    )
    response = session.get(f"{BASE}/cart/")  # the CSRF cookie
    assert response.status_code == 200, response.status_code
    return session


def post(session: requests.Session, path: str, data: dict[str, object]) -> requests.Response:
    response = session.post(
        BASE + path, data=data, headers={"X-CSRFToken": session.cookies["csrftoken"]}, allow_redirects=False
    )
    # A browser shows the flash message on the page the redirect lands on, which clears it; the bench does
    # not load that page, so it drops the message itself (else the cookie grows to its 2 KB cap).
    session.cookies.pop("messages", None)
    return response


def checkout(session: requests.Session) -> str | None:
    """POST the checkout form; the order number when placed, else None."""
    response = post(session, "/checkout/", FORM)
    match = re.search(r"/checkout/([A-Z0-9]+)/pay/", response.headers.get("Location", ""))
    return match.group(1) if match else None


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def throughput(offers: list[list[int]], buyers: int, duration: int) -> None:
    sessions = [session_for(n) for n in range(buyers)]
    checkout_ms: list[float] = []
    cycle_ms: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def loop(session: requests.Session, cart: list[int]) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            for listing in cart:
                post(session, "/cart/add/", {"listing": listing, "quantity": 1})
            before = time.perf_counter()
            number = checkout(session)
            after = time.perf_counter()
            if number is None:
                with lock:
                    failures[0] += 1
                continue
            post(session, f"/checkout/{number}/test-payment/", {"outcome": "pay"})
            with lock:
                checkout_ms.append((after - before) * 1000)
                cycle_ms.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=loop, args=(s, offers[n])) for n, s in enumerate(sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"3-seller cart, {buyers} concurrent buyers, {elapsed:.0f} s:")
    rate = len(checkout_ms) / elapsed
    print(f"  checkouts/s (placed and paid)   {rate:8.1f}   ({len(checkout_ms)} checkouts, {failures[0]} failed)")
    p50, p99 = statistics.median(checkout_ms), percentile(checkout_ms, 0.99)
    print(f"  checkout POST p50 / p99 (ms)     {p50:8.1f} / {p99:.1f}")
    print(
        f"  whole cycle p50 / p99 (ms)       {statistics.median(cycle_ms):8.1f} / {percentile(cycle_ms, 0.99):.1f}"
        "   (3 x add to cart, checkout, pay)"
    )


def api_throughput(offers: list[list[int]], clients: int, duration: int) -> None:
    """The same checkout through the partner API: one POST places and pays (invoice) a 3-seller order."""
    from marketplace.actors import Actor
    from marketplace.models import Organisation
    from marketplace.services import api_key_create

    partner, _ = Organisation.objects.get_or_create(
        slug="bench-checkout-partner", defaults={"name": "Bench Partner", "kind": "partner", "country": "fr"}
    )
    _, raw_key = api_key_create(
        organisation=partner, name="bench", scopes=["orders:read", "orders:write"], actor=Actor.system("bench")
    )
    bodies = [
        {
            "market": "fr",
            "lines": [{"listing": listing, "quantity": 1} for listing in cart],
            "customer": {
                "full_name": "Bench Customer",
                "email": "customer@bench.test",
                "address_line": "1 rue",
                "postal_code": "75001",
                "city": "Paris",
                "country": "fr",
            },
        }
        for cart in offers
    ]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def loop(body: dict[str, object]) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {raw_key}"
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = session.post(f"{BASE}/api/v1/orders/", json=body)
            with lock:
                if response.status_code == 201:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=loop, args=(bodies[n],)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"3-seller order through POST /api/v1/orders/, {clients} concurrent clients, {elapsed:.0f} s:")
    print(f"  checkouts/s (placed and paid)   {len(latencies) / elapsed:8.1f}   ({failures[0]} failed)")
    print(f"  POST p50 / p99 (ms)              {statistics.median(latencies):8.1f} / {percentile(latencies, 0.99):.1f}")


def race(listing_id: int, buyers: int, rounds: int) -> None:
    from catalog.models import Listing
    from orders.models import OrderLine

    sessions = [session_for(n) for n in range(buyers)]
    oversold = 0
    orders_per_round: list[int] = []
    negative = 0
    for _ in range(rounds):
        Listing.objects.filter(pk=listing_id).update(stock=1, status="active")
        before = OrderLine.objects.filter(listing_id=listing_id).count()

        def ensure(session: requests.Session) -> None:
            post(session, "/cart/add/", {"listing": listing_id, "quantity": 1})

        adders = [threading.Thread(target=ensure, args=(s,)) for s in sessions]
        for thread in adders:
            thread.start()
        for thread in adders:
            thread.join()
        barrier = threading.Barrier(buyers)
        results: list[str | None] = [None] * buyers

        def go(index: int, barrier: threading.Barrier = barrier, results: list[str | None] = results) -> None:
            barrier.wait()
            results[index] = checkout(sessions[index])

        racers = [threading.Thread(target=go, args=(i,)) for i in range(buyers)]
        for thread in racers:
            thread.start()
        for thread in racers:
            thread.join()
        placed = sum(1 for r in results if r)
        sold = OrderLine.objects.filter(listing_id=listing_id).count() - before
        stock = Listing.objects.get(pk=listing_id).stock
        negative += stock < 0
        oversold += max(0, sold - 1)
        orders_per_round.append(placed)
    print(f"race: {buyers} buyers for stock 1, {rounds} rounds:")
    print(
        f"  orders per round: min {min(orders_per_round)}, max {max(orders_per_round)}; "
        f"rounds with exactly one order: {orders_per_round.count(1)}/{rounds}"
    )
    print(f"  oversold units: {oversold}; rounds with negative stock: {negative}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--buyers", type=int, default=8)
    parser.add_argument("--race-buyers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        os.environ.pop(name, None)  # the test provider: no network
    if not args.no_seed:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
        subprocess.run([PYTHON, "manage.py", "seed_demo", "--quiet-logins"], cwd=ROOT, check=True)
    setup_django()
    offers, race_listing = prepare(max(args.buyers, args.race_buyers))
    env = {
        **os.environ,
        "API_THROTTLE_RATE": "1000000/min",  # measure checkout, not the per-key throttle
        "DJANGO_DEBUG": "false",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
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
            "4",
            "-k",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"{BASE}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        throughput(offers, args.buyers, args.duration)
        api_throughput(offers, args.buyers, args.duration)
        race(race_listing, args.race_buyers, args.rounds)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
