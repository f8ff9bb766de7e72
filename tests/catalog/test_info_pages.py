"""The pages a shop has: help, terms, privacy, legal notice, contact, and the transparency pages; the footer
links to them all, and their numbers are the ones the code applies."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/help/",
    "/help/warranty/",
    "/help/returns/",
    "/help/grading/",
    "/help/shipping/",
    "/help/trade-in/",
    "/legal/terms/",
    "/legal/privacy/",
    "/legal/notice/",
    "/contact/",
    "/how-offers-are-ranked/",
    "/how-reviews-work/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_and_the_footer_links_them_all(url):
    response = Client().get(url)

    assert response.status_code == 200
    html = response.content.decode()
    for other in PAGES:
        assert f'href="{other}"' in html, (url, other)


def test_an_unknown_help_or_legal_page_is_a_plain_404():
    assert Client().get("/help/nothing-here/").status_code == 404
    assert Client().get("/legal/nothing-here/").status_code == 404


def test_the_ranking_page_states_the_buy_box_rule_with_the_codes_numbers():
    html = Client().get("/how-offers-are-ranked/").content.decode()

    assert "at most 5 % up or down" in html
    assert "middle of the scale (50 out of 100)" in html
    assert "10 ratings of 4 stars" in html


def test_the_grading_page_reads_the_grade_table(settings):
    html = Client().get("/help/grading/").content.decode()

    for name, floor in (("Premium", 90), ("Excellent", 85), ("Good", 80), ("Fair", 80)):
        assert f'<th scope="row">{name}</th>' in html
        assert f"{floor} %" in html


def test_the_legal_notice_names_the_operator_from_the_settings(settings):
    settings.OPERATOR_NAME = "Refurb Commons SAS"
    settings.OPERATOR_REGISTRATION = "RCS Paris 123 456 789"

    html = Client().get("/legal/notice/").content.decode()

    assert "Refurb Commons SAS" in html
    assert "RCS Paris 123 456 789" in html


def test_the_warranty_help_shows_the_markets_own_legal_guarantee():
    assert "Consumer Rights Act 2015" in Client().get("/help/warranty/?market=gb").content.decode()
    assert "EU legal guarantee of conformity" in Client().get("/help/warranty/?market=fr").content.decode()
