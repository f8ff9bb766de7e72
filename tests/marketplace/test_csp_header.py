"""The Content-Security-Policy header (django-csp, marketplace/settings.py): strict everywhere, looser only
on the API docs page; no page carries an inline script."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_are_served_with_a_strict_policy(client):
    policy = _policy(client.get("/"))

    assert policy["default-src"] == "default-src 'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["img-src"].split()[1:4] == ["'self'", "data:", "blob:"]
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_only_the_api_docs_page_allows_inline_scripts(client):
    assert "'unsafe-inline'" in _policy(client.get("/api/v1/docs/"))["script-src"]
    assert "'unsafe-inline'" not in _policy(client.get("/accounts/login/"))["script-src"]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if "<script>" in text or "<script " in text.replace("<script src=", ""):
            offenders.append(f"{template}: inline <script>")
        for handler in (" onclick=", " onchange=", " onsubmit=", " oninput=", " onload="):
            if handler in text:
                offenders.append(f"{template}: {handler.strip()}")
    assert offenders == []
