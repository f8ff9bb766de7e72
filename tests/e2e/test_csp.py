"""Content-Security-Policy in Chromium: each surface's main pages load with no violation reported in the
console (no inline script, no eval, no inline style element, nothing from another origin)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from marketplace.models import OrganisationKind
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.catalog import make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _visit_all(page, live_server, paths: list[str], violations: list[str]) -> None:
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status < 400, (path, response.status)
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        page.wait_for_load_state("networkidle")
        if violations:
            raise AssertionError(f"{path}: {violations}")


def test_every_surface_loads_without_a_csp_violation(page, live_server, artifacts_dir):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    listing = make_listing()
    seller_owner = MembershipFactory(organisation=listing.seller).user
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="success managers"))
    partner_owner = MembershipFactory(organisation=OrganisationFactory(kind=OrganisationKind.PARTNER)).user
    shopper = UserFactory()

    _visit_all(
        page,
        live_server,
        ["/", f"/p/{listing.variant.product.slug}/", "/search/?q=phone", "/cart/", "/accounts/login/",
         "/accounts/signup/", "/accounts/password/reset/", "/api/v1/docs/"],
        violations,
    )  # fmt: skip
    # The market switch submits through static/js/autosubmit.js (no inline handler).
    if page.locator("#market-select").count():
        page.goto(f"{live_server.url}/")
        with page.expect_navigation():
            page.locator("#market-select").select_option(index=1)
    assert not violations, violations

    log_in(page, live_server, shopper.email, PASSWORD)
    _visit_all(page, live_server, ["/account/", "/account/orders/", "/accounts/2fa/"], violations)
    page.screenshot(path=str(artifacts_dir / "csp-account.png"), full_page=True)
    page.context.clear_cookies()

    log_in(page, live_server, seller_owner.email, PASSWORD)  # with the authenticator code
    _visit_all(page, live_server, ["/seller/", "/seller/listings/", "/seller/orders/"], violations)
    page.screenshot(path=str(artifacts_dir / "csp-seller.png"), full_page=True)
    page.context.clear_cookies()

    log_in(page, live_server, manager.email, PASSWORD)
    _visit_all(page, live_server, ["/console/"], violations)
    page.context.clear_cookies()

    log_in(page, live_server, partner_owner.email, PASSWORD)
    _visit_all(page, live_server, ["/partner/"], violations)
    assert not violations, violations
