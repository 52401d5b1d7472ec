"""The SSRF guard: webhook URLs must be https and reach the public internet only.

A URL is refused when its host is, or resolves to (any one of its A/AAAA records), a private,
loopback, link-local, multicast, reserved, shared or unspecified address: otherwise a creditor
could make our workers call the cloud metadata service (169.254.169.254), the database or an
internal admin page. The check runs when an endpoint is registered and again before every
request (DNS can change), and the request then connects to the very addresses that were
checked, so a second lookup cannot swap in a private one (DNS rebinding).

``WEBHOOKS_ALLOW_PRIVATE_HOSTS`` (development and tests only) allows private hosts and http.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(Exception):
    """The URL may not be called; the message says why, for a person to read."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the checked addresses) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # with the query string
    addresses: tuple[str, ...]


def private_hosts_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_HOSTS", False))


def address_is_public(address: IPAddress) -> bool:
    """False for every address a webhook must not reach."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 and friends are the IPv4 address in disguise.
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None and not address_is_public(mapped):
            return False
        if address.teredo is not None:
            return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return (str(literal),)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone index
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(_("The host %(host)s cannot be resolved.") % {"host": host})
    return tuple(addresses)


def check_url(url: str, *, allow_private: bool | None = None) -> Target:
    """Parse, resolve and check ``url``; raise :class:`UnsafeURL` saying why it is refused."""
    allow = private_hosts_allowed() if allow_private is None else allow_private
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(_("The URL is not valid.")) from exc
    schemes = ("https", "http") if allow else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeURL(_("The URL must start with https://."))
    host = parts.hostname
    if not host:
        raise UnsafeURL(_("The URL has no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("The URL may not contain a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not allow:
        for address in addresses:
            if not address_is_public(ipaddress.ip_address(address)):
                raise UnsafeURL(
                    _(
                        "The host %(host)s resolves to %(address)s, a private, loopback, "
                        "link-local or reserved address; webhooks only go to public addresses."
                    )
                    % {"host": host, "address": address}
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)
