import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


def test_user_model_is_custom_and_logs_in_by_email():
    assert settings.AUTH_USER_MODEL == "marketplace.User"


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_caches_use_redis_with_one_client_per_connection_pool():
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "marketplace.cache.RedisCache"
    cache.set("health-check", {"ok": 1}, 5)
    assert cache.get("health-check") == {"ok": 1}
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    assert cache._cache.get_client(write=True) is client  # type: ignore[attr-defined]  # one server: one pool
    cache.delete("health-check")


@pytest.mark.django_db
def test_healthz_reports_database_redis_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "broker": True,
    }


@pytest.mark.django_db
def test_healthz_is_503_when_a_check_fails_and_tells_the_why_only_to_staff(client, monkeypatch, settings):
    from marketplace import health
    from tests.factories import UserFactory

    def broken() -> None:
        raise ConnectionError("broker down at 10.0.3.7:6379")

    monkeypatch.setitem(health.CHECKS, "broker", broken)

    anonymous = client.get("/healthz")
    assert anonymous.status_code == 503
    assert anonymous.json() == {
        "status": "error",
        "checks": {"database": {"ok": True}, "redis": {"ok": True}, "broker": {"ok": False}},
    }
    assert "10.0.3.7" not in anonymous.content.decode()

    settings.HEALTHZ_TOKEN = "monitor-token"
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="wrong").json()["checks"]["broker"] == {"ok": False}
    monitored = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="monitor-token")
    assert monitored.json()["checks"]["broker"]["error"] == "ConnectionError: broker down at 10.0.3.7:6379"

    client.force_login(UserFactory(is_staff=True))
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "error": "ConnectionError: broker down at 10.0.3.7:6379",
        "ms": response.json()["checks"]["broker"]["ms"],
    }


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG", "WEBHOOKS_ALLOW_PRIVATE_URLS")
        },
        "DJANGO_SECURE": "true",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
        "DJANGO_ALLOWED_HOSTS": "encore.example",
        "ENCORE_TESTING": "0",
        "STRIPE_SECRET_KEY": "sk_live_placeholder",
        "STRIPE_PUBLISHABLE_KEY": "pk_live_placeholder",
        "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def _production(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PAYMENTS_ALLOW_TEST_PROVIDER") and not k.startswith("STRIPE")
        },
        "DJANGO_SECURE": "true",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
        "DJANGO_ALLOWED_HOSTS": "encore.example",
        "ENCORE_TESTING": "0",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_stripe_unless_the_test_provider_is_chosen_on_purpose():
    missing = _production()
    assert missing.returncode != 0
    assert "Stripe is not fully configured" in missing.stderr

    partial = _production(STRIPE_SECRET_KEY="sk_live_placeholder")  # one key of three: still refused
    assert partial.returncode != 0
    assert "Stripe is not fully configured" in partial.stderr

    demo = _production(PAYMENTS_ALLOW_TEST_PROVIDER="true")  # a demo site: starts, and the deploy check warns
    assert demo.returncode == 1
    assert "orders.W001" in demo.stdout + demo.stderr


@pytest.mark.django_db
def test_a_public_site_on_the_test_provider_says_so_on_every_page_and_pays_out_no_real_money(client, settings):
    from orders import gateways

    settings.PAYMENTS_TEST_MODE_NOTICE = True
    assert "payments are simulated and no one is charged" in client.get("/").content.decode()
    settings.PAYMENTS_TEST_MODE_NOTICE = False
    cache.clear()  # the home page is cached whole for visitors without a session
    assert "payments are simulated" not in client.get("/").content.decode()

    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_x", "", ""
    assert isinstance(gateways.transfer_gateway(), gateways.TestGateway)  # checkout is on the test provider
    settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "pk_live_x", "whsec_x"
    assert isinstance(gateways.transfer_gateway(), gateways.StripeGateway)


def test_outside_development_and_tests_the_app_refuses_to_start_without_a_secret_key():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")},
        "ENCORE_TESTING": "0",
        "DJANGO_SECRET_KEY": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    development = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert development.returncode == 0, development.stderr


def test_the_migrations_check_reads_the_code_without_a_secret_key():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")},
        "ENCORE_TESTING": "0",
        "DJANGO_SECRET_KEY": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
