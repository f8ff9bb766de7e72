"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(chromium_path: str) -> Iterator[object]:
    # Function-scoped on purpose: Playwright's sync API runs an event loop that changes the
    # context Django's per-context database connections live in, so a session-wide browser
    # would hide the serialized test data from later transactional tests.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _totp_secret(email: str) -> str | None:
    """The TOTP secret of a person who must use two-factor (enrolled here if they have not yet), else None."""
    from allauth.mfa.models import Authenticator

    from marketplace.accounts import second_factor_required
    from marketplace.models import User
    from tests.factories import enrol_totp

    user = User.objects.get(email=email)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        from allauth.mfa.adapter import get_adapter

        return get_adapter().decrypt(authenticator.data["secret"])
    return enrol_totp(user) if second_factor_required(user) else None


def log_in(page, live_server, email: str, password: str) -> None:
    """The log-in form, then the authenticator code for staff and seller owners (two-factor)."""
    from tests.factories import totp_code

    secret = _totp_secret(email)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    # A code is accepted once: a second log-in within the same 30 s uses the next period's (tolerance 1).
    for step in (0, 1, -1):
        if secret is None or "/accounts/2fa/authenticate/" not in page.url:
            break
        page.locator("input[name=code]").fill(totp_code(secret, step=step))
        with page.expect_navigation():
            page.locator("form button[type=submit]").first.click()
