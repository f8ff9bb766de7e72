import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


def test_user_model_is_custom_and_logs_in_by_email():
    assert settings.AUTH_USER_MODEL == "marketplace.User"


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_caches_use_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


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
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
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


def test_production_without_stripe_keys_is_warned_about_the_test_payment_provider():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",) and not k.startswith("STRIPE")
        },
        "DJANGO_SECURE": "true",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
        "DJANGO_ALLOWED_HOSTS": "encore.example",
        "ENCORE_TESTING": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "orders.W001" in result.stdout + result.stderr


def test_liveness_answers_even_when_every_backing_service_fails(client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("down")

    monkeypatch.setattr("marketplace.health.CHECKS", {"database": broken, "redis": broken, "broker": broken})

    assert client.get("/healthz").status_code == 503
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


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
