"""Where a webhook may go: the URL rules and the address actually connected to (SSRF safety).

In production (`WEBHOOKS_ALLOW_PRIVATE_URLS` false) an endpoint URL must be `https`, carry no
user name or password, and its host must resolve only to public addresses: not private,
loopback, link-local (cloud metadata at 169.254.169.254), shared, reserved, multicast or
unspecified, IPv4-mapped IPv6 addresses included. The check runs when the endpoint is created
or its URL changes, and again before every attempt: the sender connects to the address it has
just checked (`Destination.address`), sending the URL's host name as `Host` and as the TLS
server name (SNI, certificate check), so a DNS answer swapped after the check is never used.

With `WEBHOOKS_ALLOW_PRIVATE_URLS` true (the default under DEBUG and in tests) `http` and local
addresses are allowed, for development receivers on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

DNS_TIMEOUT_SECONDS = 5.0


class DestinationRefusedError(Exception):
    """The URL may not be used (its `message` says why, for the person who entered it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Destination:
    """A checked URL: the address to connect to, and the names to present there."""

    scheme: str
    host: str  # the URL's host name (IDNA), for SNI and the certificate check
    port: int
    target: str  # path and query, as sent on the request line
    address: str  # the checked IP address connected to

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def private_urls_allowed() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE_URLS)


def address_is_public(address: str) -> bool:
    """True for an address on the public internet; IPv4-mapped IPv6 addresses are judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_unspecified
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_private
    )


def resolve_host(host: str, port: int) -> list[str]:
    """The host's addresses (A and AAAA). A module function so that tests can stand in for DNS."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _resolve_within(host: str, port: int, timeout: float) -> list[str]:
    """`resolve_host` bounded in time: a receiver's slow DNS server cannot hold a worker."""
    result: list[list[str]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(resolve_host(host, port))
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run, name="webhook-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise DestinationRefusedError(_("The host name did not resolve in time."))
    if failure:
        raise DestinationRefusedError(_("The host name does not resolve."))
    return result[0]


def url_check(url: str) -> tuple[str, str, int, str]:
    """The URL's shape: (scheme, host, port, target). Raises `DestinationRefusedError`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise DestinationRefusedError(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if private_urls_allowed() else ("https",)
    if scheme not in allowed:
        raise DestinationRefusedError(_("The URL must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise DestinationRefusedError(_("The URL must not contain a user name or password."))
    if not parts.hostname:
        raise DestinationRefusedError(_("The URL has no host name."))
    try:
        host = parts.hostname.encode("idna").decode("ascii") if not _is_ip(parts.hostname) else parts.hostname
    except UnicodeError:
        raise DestinationRefusedError(_("The host name is not valid.")) from None
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def destination_for(url: str, *, timeout: float = DNS_TIMEOUT_SECONDS) -> Destination:
    """Check `url` and resolve its host now; the address to connect to is the first checked one.

    Every address the host resolves to must be public (unless private URLs are allowed), so that
    a name resolving to both a public and a private address is refused rather than raced.
    """
    scheme, host, port, target = url_check(url)
    addresses = [host] if _is_ip(host) else _resolve_within(host, port, timeout)
    if not addresses:
        raise DestinationRefusedError(_("The host name does not resolve."))
    if not private_urls_allowed() and not all(address_is_public(address) for address in addresses):
        raise DestinationRefusedError(
            _("The URL resolves to a private, loopback or link-local address; use a public https URL.")
        )
    return Destination(scheme=scheme, host=host, port=port, target=target, address=addresses[0])
