"""https deliveries connect to the checked address, yet present and verify the URL's host name
(SNI and the certificate): a certificate for another name is refused."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from partners import destinations, sender
from partners.states import DeliveryStatus
from tests.partners.conftest import deliver_all, emit_committed

pytestmark = pytest.mark.django_db


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S603, S607


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    """A test CA, and server certificates for hooks.example.test and for other.example.test."""
    folder = tmp_path_factory.mktemp("tls")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Encore Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder,
    )  # fmt: skip
    for name in ("hooks.example.test", "other.example.test"):
        (folder / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=folder)  # fmt: skip
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=folder)  # fmt: skip
    return folder


@pytest.fixture
def tls_receiver(certificates, monkeypatch):
    def start(certificate_name: str) -> HTTPServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificates / f"{certificate_name}.pem", certificates / f"{certificate_name}.key")
        server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
        server.start()
        servers.append(server)
        return server

    servers: list[HTTPServer] = []
    client_context = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    monkeypatch.setattr(sender, "ssl_context", lambda: client_context)
    monkeypatch.setattr(destinations, "resolve_host", lambda host, port: ["127.0.0.1"])
    yield start
    for server in servers:
        server.clear()
        if server.is_running():
            server.stop()


def test_an_https_delivery_sends_the_host_name_and_verifies_its_certificate(tls_receiver, partner_org, make_endpoint):
    server = tls_receiver("hooks.example.test")
    server.expect_request("/hook").respond_with_data("secure ok")
    make_endpoint(partner_org, f"https://hooks.example.test:{server.port}/hook")
    emit_committed("order.paid", {"order": "E-TLS"}, partner_org)

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.SUCCEEDED
    ((request, _),) = server.log
    assert request.headers["Host"] == f"hooks.example.test:{server.port}"
    assert delivery.attempts.get().response_body == "secure ok"


def test_a_certificate_for_another_name_is_refused(tls_receiver, partner_org, make_endpoint):
    server = tls_receiver("other.example.test")
    server.expect_request("/hook").respond_with_data("should not be reached")
    make_endpoint(partner_org, f"https://hooks.example.test:{server.port}/hook")
    emit_committed("order.paid", {"order": "E-TLS"}, partner_org)

    (delivery,) = deliver_all()

    assert delivery.status == DeliveryStatus.RETRYING
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "certificate" in attempt.error.lower() or "hostname" in attempt.error.lower()
    assert server.log == []
