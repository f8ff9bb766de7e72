"""Smoke: the three surfaces render in a phone-sized Chromium window, and the language switch works."""

import pytest
from django.contrib.auth.models import Group

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.sellers import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_three_surfaces_and_the_language_switch(page, live_server, artifacts_dir):
    seller = MembershipFactory(organisation=SellerFactory(organisation__name="Renew Labs").organisation).user
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="success managers"))

    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Refurbished tech, tested by professionals"
    page.screenshot(path=str(artifacts_dir / "storefront-en.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_label("Language").select_option("de")
    assert page.get_by_role("heading", name="Unser Versprechen").is_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    page.screenshot(path=str(artifacts_dir / "storefront-de.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_label("Sprache").select_option("en")

    log_in(page, live_server, seller.email, PASSWORD)
    page.goto(f"{live_server.url}/seller/")
    assert page.get_by_role("heading", level=1).inner_text() == "Renew Labs Active"
    page.screenshot(path=str(artifacts_dir / "seller.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/console/")
    assert page.get_by_role("heading", level=1).inner_text() == "Success console"
    page.screenshot(path=str(artifacts_dir / "console.png"), full_page=True)
