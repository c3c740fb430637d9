"""Which URLs a webhook may be sent to: public HTTPS endpoints, never the server's own network.

A webhook makes this server send requests to an address a client chose, so an
unchecked URL would let a client probe or call services behind the firewall
(SSRF). The URL is checked when it is registered, and the addresses its host
name resolves to are checked again before every attempt, since DNS can change.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# a name of at least two labels whose last label (the top-level domain) starts with a letter: this rules
# out single-label intranet names and numeric hosts such as 2130706433 or 0x7f.1, which resolvers read as IPs
_HOST_NAME = re.compile(r"(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z][a-z0-9-]{0,62}(?<!-)")
# RFC 6761 and common private suffixes: never public, whatever a resolver says
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class UnsafeURL(ValueError):
    """The URL may not receive webhooks; the message says why."""


def check_endpoint_url(url: str, *, allow_localhost: bool) -> None:
    """Raise UnsafeURL unless URL is an https URL of a public host (or a local one when ALLOW_LOCALHOST)."""
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port that is not a number in range  # noqa: B018
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UnsafeURL("use an https:// URL")
    if "@" in parts.netloc:
        raise UnsafeURL("credentials in the URL are not allowed; authenticate by verifying the signature")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("the URL has no host")
    local = host in LOCAL_HOSTS
    if local and allow_localhost:
        return  # http or https on this machine, for development and tests
    if scheme != "https":
        raise UnsafeURL("use an https:// URL (plain http only for localhost, when the server allows it)")
    address = _ip_literal(host)
    if address is not None:
        if not is_public(address):
            raise UnsafeURL(f"{address} is not a public address (private, loopback, link-local or reserved)")
        return
    if local or host.endswith(_PRIVATE_SUFFIXES):
        raise UnsafeURL(f"{host} is not a public host name")
    if not host.isascii() or not _HOST_NAME.fullmatch(host):
        raise UnsafeURL(f"{host!r} is not a public, fully qualified host name (use the punycode form of non-ASCII names)")


def check_resolved(host: str, port: int, *, allow_localhost: bool, resolve: Resolver = socket.getaddrinfo) -> None:
    """Raise UnsafeURL unless every address HOST resolves to is public (or loopback when ALLOW_LOCALHOST).

    Every address counts, not just the first: a client connects to whichever answers.
    """
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(f"could not resolve {host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if is_public(address) or (allow_localhost and _unmapped(address).is_loopback):
            continue
        raise UnsafeURL(f"{host} resolves to {address}, which is not a public address; not connecting")
    if not infos:
        raise UnsafeURL(f"could not resolve {host}: no addresses")


def is_public(address: IPAddress) -> bool:
    address = _unmapped(address)
    return address.is_global and not address.is_multicast


def _unmapped(address: IPAddress) -> IPAddress:
    # ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address inside
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
