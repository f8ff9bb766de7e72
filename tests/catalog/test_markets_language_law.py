"""Each market in its own language and law: choosing a market switches to its language; the legal
guarantee shown is the market's own."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

from marketplace.models import LegalGuarantee, Market

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("market", "language"),
    [("fr", "fr"), ("de", "de"), ("es", "es"), ("it", "it"), ("be", "fr"), ("gb", "en"), ("us", "en"), ("jp", "ja")],
)
def test_choosing_a_market_switches_to_its_language(market, language):
    client = Client()
    client.cookies["django_language"] = "de"  # a shopper reading German before

    response = client.post("/market/", {"market": market, "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == language
    assert response.cookies["encore_market"].value == market
    page = client.get("/").content.decode()
    assert f'<html lang="{language}"' in page


def test_the_shopper_may_still_choose_another_language_after_the_market():
    client = Client()
    client.post("/market/", {"market": "jp", "next": "/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert '<html lang="en"' in client.get("/").content.decode()
    assert client.cookies["encore_market"].value == "jp"


def test_every_market_knows_its_legal_guarantee_and_whether_prices_include_tax():
    guarantees = dict(Market.objects.values_list("code", "legal_guarantee"))
    assert guarantees == {
        "fr": LegalGuarantee.EU_CONFORMITY,
        "de": LegalGuarantee.EU_CONFORMITY,
        "es": LegalGuarantee.EU_CONFORMITY,
        "it": LegalGuarantee.EU_CONFORMITY,
        "be": LegalGuarantee.EU_CONFORMITY,
        "gb": LegalGuarantee.UK_CONSUMER_RIGHTS,
        "us": LegalGuarantee.NONE,
        "jp": LegalGuarantee.NONE,
    }
    assert set(Market.objects.filter(prices_include_tax=False).values_list("code", flat=True)) == {"us"}


@pytest.mark.parametrize(
    ("market", "says", "never"),
    [
        ("fr", "EU legal guarantee of conformity", "Consumer Rights Act"),
        ("gb", "Consumer Rights Act 2015", "EU legal guarantee"),
        ("us", "No legal guarantee of conformity applies", "Consumer Rights Act"),
        ("jp", "No legal guarantee of conformity applies", "EU legal guarantee"),
    ],
)
def test_the_legal_guarantee_shown_is_the_markets_own(market, says, never):
    html = render_to_string("warranty/partials/legal_guarantee.html", {"market": Market.objects.get(code=market)})

    assert says in html
    assert never not in html
