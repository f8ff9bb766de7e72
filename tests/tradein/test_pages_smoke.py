"""Every trade-in page answers (the storefront, the account, the console, the seller back-office)."""

from __future__ import annotations

import pytest

from tests.factories.tradein import FAIR, accepted, inspected, priced_variant, wiped

pytestmark = pytest.mark.django_db


def test_the_sell_pages_and_a_quote_render(client):
    variant = priced_variant()

    assert client.get("/sell/").status_code == 200
    assert client.get(f"/sell/?q={variant.product.name}").status_code == 200
    assert client.get(f"/sell/{variant.product.slug}/").status_code == 200


def test_account_and_console_pages_render(client, shopper, operator, manager, finance):
    tradein = wiped(inspected(owner=shopper))
    countered = inspected(owner=shopper, actual=FAIR, n=2)
    accepted(owner=shopper)

    client.force_login(shopper)
    for url in (
        "/account/trade-ins/",
        f"/account/trade-ins/{tradein.reference}/",
        f"/account/trade-ins/{countered.reference}/",
        f"/account/trade-ins/{tradein.reference}/label.pdf",
        f"/account/trade-ins/{tradein.reference}/certificate.pdf",
        f"/verify/{tradein.certificate.number}/",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(operator)
    for url in ("/console/trade-ins/", "/console/trade-ins/intake/", f"/console/trade-ins/{tradein.reference}/"):
        assert client.get(url).status_code == 200, url
    client.force_login(finance)
    assert client.get("/console/trade-ins/payouts/").status_code == 200
    client.force_login(manager)
    for url in ("/console/trade-ins/grid/", "/console/trade-ins/grid.csv", "/console/trade-ins/lots/"):
        assert client.get(url).status_code == 200, url
