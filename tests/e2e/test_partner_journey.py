"""The partner journey in headless Chromium: the owner logs in and lands on /partner/, creates an API key
(shown once), adds a webhook endpoint (its secret shown once), sees a delivery and redelivers it."""

from __future__ import annotations

import pytest

from marketplace.models import OrganisationKind
from partners.models import WebhookDelivery
from partners.services.delivery import delivery_attempt
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory
from tests.partners.conftest import deliver_all, emit_committed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_log_in_create_a_key_add_an_endpoint_and_redeliver(page, live_server, artifacts_dir, httpserver):
    partner = OrganisationFactory(kind=OrganisationKind.PARTNER, name="Telco One")
    owner = MembershipFactory(organisation=partner, role="owner", user__full_name="Paula Partner").user
    httpserver.expect_request("/encore/webhooks").respond_with_data('{"received": true}')

    # 1. Logging in lands on the partner back-office.
    log_in(page, live_server, owner.email, PASSWORD)
    assert page.url == f"{live_server.url}/partner/"
    assert page.get_by_role("heading", level=1).inner_text() == "Telco One"
    page.screenshot(path=str(artifacts_dir / "partner-dashboard.png"), full_page=True)

    # 2. An API key, shown once.
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name", exact=True).fill("Shop checkout")
    page.get_by_label("orders:write — Place and fulfil orders").check()
    page.get_by_label("webhooks:write — Manage webhook endpoints").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create the key").click()
    key = page.get_by_test_id("new-key").inner_text()
    assert key.startswith("enc_")
    page.screenshot(path=str(artifacts_dir / "partner-api-key.png"), full_page=True)
    page.reload()
    assert page.get_by_test_id("new-key").count() == 0
    assert page.locator("td", has_text="Shop checkout").is_visible()

    # 3. A webhook endpoint, its secret shown once.
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL", exact=True).fill(httpserver.url_for("/encore/webhooks"))
    page.get_by_label("All events").check()
    page.get_by_label("Description", exact=True).fill("Order sync")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the endpoint").click()
    assert page.get_by_test_id("new-secret").inner_text().startswith("whsec_")
    page.screenshot(path=str(artifacts_dir / "partner-endpoint-created.png"), full_page=True)

    # 4. An order event is delivered (relay and attempt run here: no worker in this test).
    emit_committed("order.paid", {"order": "E4BROWSER1", "reference": "PO-42"}, partner)
    deliver_all()
    page.reload()
    row = page.locator("tr.delivery-row").first
    assert "order.paid" in row.inner_text()
    assert "Succeeded" in row.inner_text()
    assert "HTTP 200" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "partner-deliveries.png"), full_page=True)

    # 5. Redeliver it by hand; the log shows the second attempt.
    with page.expect_navigation():
        row.get_by_role("button", name="Redeliver").click()
    assert page.get_by_text("The delivery is queued again.").is_visible()
    delivery = WebhookDelivery.objects.get()
    delivery_attempt(delivery_id=delivery.pk)
    with page.expect_navigation():
        page.locator("tr.delivery-row").first.get_by_role("link", name="order.paid").click()
    attempts = page.locator("li.attempt")
    assert attempts.count() == 2
    assert "by hand" in attempts.nth(1).inner_text()
    assert '"order": "E4BROWSER1"' in page.locator("pre.payload").inner_text()  # the body as sent, in JSON
    page.screenshot(path=str(artifacts_dir / "partner-delivery-attempts.png"), full_page=True)
    assert len(httpserver.log) == 2

    # The delivery log on a wide screen.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.go_back()
    page.reload()
    page.screenshot(path=str(artifacts_dir / "partner-deliveries-desktop.png"), full_page=True)
