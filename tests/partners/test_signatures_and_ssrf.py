"""Signatures verify with the documented algorithm (the docs' own snippet, run here), during a rotation
with either secret; URLs that lead inside the network are refused at creation and at sending time."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from marketplace.errors import ApplicationError
from partners import destinations
from partners.destinations import DestinationRefusedError, address_is_public, destination_for
from partners.models import WebhookEndpoint
from partners.services.delivery import delivery_attempt
from partners.services.endpoints import webhook_endpoint_create, webhook_endpoint_rotate_secret
from partners.signatures import VERIFY_DOCUMENTATION, VERIFY_SNIPPET, webhook_signature, webhook_signature_verify
from partners.states import DeliveryStatus
from tests.partners.conftest import SYSTEM, deliver_all, emit_committed

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verifier():
    namespace: dict = {}
    exec(compile(VERIFY_SNIPPET, "snippet", "exec"), namespace)  # noqa: S102 - our own documentation's code
    return namespace["verify_encore_signature"]


def test_the_documented_snippet_verifies_what_encore_signs_and_nothing_else():
    verify = documented_verifier()
    body = b'{"id":"evt_1","type":"ping","created":"2026-11-29T10:00:00+00:00","data":{}}'
    header = webhook_signature(secrets=["whsec_abc"], body=body)

    assert verify(body, header, "whsec_abc")
    assert not verify(body, header, "whsec_other")
    assert not verify(body + b" ", header, "whsec_abc")
    assert not verify(body, "t=1,v1=deadbeef", "whsec_abc")
    old = webhook_signature(secrets=["whsec_abc"], body=body, timestamp=int(time.time()) - 600)
    assert not verify(body, old, "whsec_abc")  # a replay, too old


def test_the_docs_page_and_the_api_description_carry_the_tested_snippet():
    assert VERIFY_SNIPPET in DOCS.read_text()
    assert VERIFY_SNIPPET in VERIFY_DOCUMENTATION


@pytest.mark.django_db
def test_the_schema_documents_how_to_verify(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    description = schema["paths"]["/api/v1/webhook-endpoints/"]["post"]["description"]

    assert "Encore-Signature" in description
    assert "def verify_encore_signature" in description


@pytest.mark.django_db
def test_during_a_rotation_both_secrets_sign_for_24_hours(httpserver, partner_org, make_endpoint):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, old_secret = make_endpoint(partner_org, httpserver.url_for("/hook"))
    endpoint, new_secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=SYSTEM)
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    deliver_all()

    ((request, _),) = httpserver.log
    header, body = request.headers["Encore-Signature"], request.get_data()
    assert len(re.findall(r"v1=", header)) == 2
    assert webhook_signature_verify(header=header, body=body, secret=old_secret)
    assert webhook_signature_verify(header=header, body=body, secret=new_secret)
    assert documented_verifier()(body, header, old_secret)
    assert documented_verifier()(body, header, new_secret)
    assert endpoint.previous_secret_expires_at - timezone.now() > timedelta(hours=23, minutes=59)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    emit_committed("order.shipped", {"order": "E1"}, partner_org)
    deliver_all()
    header, body = httpserver.log[-1][0].headers["Encore-Signature"], httpserver.log[-1][0].get_data()
    assert len(re.findall(r"v1=", header)) == 1
    assert webhook_signature_verify(header=header, body=body, secret=new_secret)
    assert not webhook_signature_verify(header=header, body=body, secret=old_secret)
    assert json.loads(body)["type"] == "order.shipped"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not one to bind
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert address_is_public(address) is public


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False


@pytest.fixture
def dns(monkeypatch):
    """A stand-in DNS: host -> addresses (a name not in it does not resolve)."""
    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    monkeypatch.setattr(destinations, "resolve_host", resolve)
    return table


@pytest.mark.parametrize(
    ("url", "records", "why"),
    [
        ("http://hooks.example.com/in", {"hooks.example.com": ["93.184.215.14"]}, "https"),
        ("https://user:pw@hooks.example.com/in", {"hooks.example.com": ["93.184.215.14"]}, "user name"),
        ("https://127.0.0.1/in", {}, "private"),
        ("https://[::1]/in", {}, "private"),
        ("https://169.254.169.254/latest/meta-data/", {}, "private"),
        ("https://localhost/in", {"localhost": ["127.0.0.1"]}, "private"),
        ("https://intranet.example.com/in", {"intranet.example.com": ["10.0.0.5"]}, "private"),
        ("https://mixed.example.com/in", {"mixed.example.com": ["93.184.215.14", "192.168.0.7"]}, "private"),
        ("https://nowhere.example.com/in", {}, "does not resolve"),
        ("ftp://hooks.example.com/in", {}, "https"),
    ],
)
def test_urls_into_the_network_are_refused_in_production(production, dns, url, records, why):
    dns.update(records)

    with pytest.raises(DestinationRefusedError) as refusal:
        destination_for(url)

    assert why in refusal.value.message


def test_a_public_https_url_keeps_its_host_for_sni_and_connects_to_the_checked_address(production, dns):
    dns["hooks.example.com"] = ["93.184.215.14"]

    destination = destination_for("https://hooks.example.com:8443/in?x=1")

    assert (destination.address, destination.host, destination.port) == ("93.184.215.14", "hooks.example.com", 8443)
    assert (destination.target, destination.host_header) == ("/in?x=1", "hooks.example.com:8443")


@pytest.mark.django_db
def test_creating_an_endpoint_with_a_private_url_is_refused_with_422(production, dns, partner_org):
    dns["intranet.example.com"] = ["10.0.0.5"]

    with pytest.raises(ApplicationError) as error:
        webhook_endpoint_create(
            organisation=partner_org, url="https://intranet.example.com/in", events=["*"], actor=SYSTEM
        )

    assert error.value.status == 422
    assert error.value.errors[0]["field"] == "url"


@pytest.mark.django_db
def test_a_dns_answer_swapped_after_creation_is_refused_at_sending_time(production, dns, partner_org):
    dns["hooks.example.com"] = ["93.184.215.14"]
    endpoint, _ = webhook_endpoint_create(
        organisation=partner_org, url="https://hooks.example.com/in", events=["*"], actor=SYSTEM
    )
    dns["hooks.example.com"] = ["127.0.0.1"]  # DNS rebinding
    emit_committed("order.paid", {"order": "E1"}, partner_org)

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.RETRYING
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("refused:")
    assert "private" in attempt.error
    assert delivery_attempt(delivery_id=delivery.pk).outcome == "not-due"
    assert endpoint.pk == delivery.endpoint_id
