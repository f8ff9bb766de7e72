"""Shared fixtures: real PostgreSQL and Redis (the per-worker Redis database is flushed per test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from marketplace.models import Organisation, OrganisationKind, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, api_key_for

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(autouse=True)
def _fresh_redis(request: pytest.FixtureRequest) -> None:
    # Each xdist worker has its own Redis database (settings.REDIS_DB_OFFSET), so this
    # flush never touches another worker's throttles or queue.
    cache.clear()
    if request.node.get_closest_marker("worker") is not None:
        # A real worker would first run whatever earlier tests queued (their e-mails, their sweeps)
        # in this xdist worker's broker database: start it on empty queues.
        from marketplace.celery import app

        app.control.purge()
        # `start_worker(queues=[...])` narrows what this process's workers consume (Celery keeps the
        # selection on `app.amqp.queues`): a later worker without `queues` consumes every queue again.
        app.amqp.queues._consume_from = None


@pytest.fixture(autouse=True)
def _second_factor_enrolment(request: pytest.FixtureRequest, settings: object) -> None:
    # Staff and seller owners must enrol TOTP before the back-offices (marketplace/accounts.py): proven by
    # tests marked `second_factor` and by the browser journeys, which log in with a code. Elsewhere a
    # force_login'ed owner stands for one who enrolled.
    if request.node.get_closest_marker("second_factor") is None and request.node.get_closest_marker("browser") is None:
        settings.MFA_REQUIRED_FOR_BACKOFFICE = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _default_language_and_time_zone() -> None:
    """Each test starts in English and UTC: a test (or code under test) that activates a language or a
    time zone in this thread without deactivating it would otherwise leak it into the next test."""
    from django.utils import timezone, translation

    translation.activate("en")
    timezone.deactivate()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def seller_org(db: None) -> Organisation:
    """An active seller's organisation."""
    from tests.factories.sellers import SellerFactory

    return SellerFactory().organisation


@pytest.fixture
def other_seller_org(db: None) -> Organisation:
    from tests.factories.sellers import SellerFactory

    return SellerFactory().organisation


@pytest.fixture
def partner_org(db: None) -> Organisation:
    return OrganisationFactory(kind=OrganisationKind.PARTNER)


@pytest.fixture
def seller_owner(seller_org: Organisation) -> User:
    return MembershipFactory(organisation=seller_org, role="owner").user


@pytest.fixture
def shopper(db: None) -> User:
    return UserFactory()


@pytest.fixture
def key_client(api_client: APIClient):
    """`key_client(org, scopes)` -> an APIClient authenticating with a fresh key of `org`."""

    def make(organisation: Organisation, scopes: list[str] | None = None) -> APIClient:
        _, raw = api_key_for(organisation, scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None
    )
    if not path:
        pytest.skip("No Chromium installed: browser test skipped (install Debian's 'chromium').")
    return path
