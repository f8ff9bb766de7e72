"""axe-core (axe-playwright-python: axe inside the wheel, no Node) on every page type of the four surfaces:
the storefront, the seller back-office, the success console and the partner back-office. No critical and
no serious violation on any of them; each page is also photographed at 1280 px (and the storefront's at
390 px) into test-artifacts/ to be looked at."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from marketplace.models import OrganisationKind
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.orders import paid
from tests.factories.sellers import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BLOCKING = {"critical", "serious"}


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _check(page, url: str, name: str, artifacts_dir, *, phone: bool = False) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(url)
    assert response is not None, url
    assert response.status < 400, (url, response.status)
    page.screenshot(path=str(artifacts_dir / f"a11y-{name}-1280.png"), full_page=True)
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(artifacts_dir / f"a11y-{name}-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            problems.append(f"{name} {url}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets}")
    return problems


def test_every_page_type_of_the_four_surfaces_has_no_critical_or_serious_violation(
    browser, live_server, artifacts_dir, settings
):
    settings.MFA_REQUIRED_FOR_BACKOFFICE = False  # the owners below stand for ones who enrolled
    seller = SellerFactory()
    organisation = seller.organisation
    owner = MembershipFactory(organisation=organisation, role="owner").user
    listing = make_listing(seller=organisation, variant=VariantFactory(colour="Midnight"), stock=5)
    shopper = UserFactory()
    order = paid((listing, 1), buyer=shopper)
    partner = OrganisationFactory(kind=OrganisationKind.PARTNER, name="Telco One")
    partner_owner = MembershipFactory(organisation=partner, role="owner").user
    manager = UserFactory(is_staff=True, is_superuser=True)
    base = live_server.url
    product = listing.variant.product.slug

    surfaces = {
        shopper: [
            ("/?market=fr", "home", True),
            ("/c/smartphones/?market=fr", "category", True),
            ("/search/?q=iphone&market=fr", "search", True),
            (f"/p/{product}/?market=fr", "product", True),
            ("/cart/", "cart", True),
            ("/checkout/", "checkout", True),
            (f"/account/orders/{order.number}/", "order", True),
            ("/account/", "account", False),
        ],
        owner: [
            ("/seller/", "seller-dashboard", False),
            ("/seller/listings/", "seller-listings", False),
            ("/seller/orders/", "seller-orders", False),
            ("/seller/claims/", "seller-claims", False),
            ("/seller/workshop/", "seller-workshop", False),
            ("/seller/performance/", "seller-performance", False),
        ],
        manager: [("/console/", "console", False), ("/console/sellers/", "console-sellers", False)],
        partner_owner: [("/partner/", "partner", False), ("/partner/orders/", "partner-orders", False)],
    }
    problems: list[str] = []
    for user, pages in surfaces.items():
        context = browser.new_context(locale="en-GB")
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": _session_cookie(user), "url": base},
                {"name": "encore_market", "value": "fr", "url": base},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        if user is shopper:
            page.goto(f"{base}/p/{product}/?market=fr")
            with page.expect_navigation():
                page.get_by_role("button", name="Add to cart").first.click()
        for path, name, phone in pages:
            problems.extend(_check(page, base + path, name, artifacts_dir, phone=phone))
        context.close()
    assert problems == [], "\n".join(problems)
