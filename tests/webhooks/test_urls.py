"""Which URLs may receive webhooks: checked on registration, and their addresses again before each attempt."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from app.webhooks.urls import UnsafeURL, check_endpoint_url, check_resolved


def resolving_to(*addresses: str) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


class TestCheckEndpointUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "https://crm.example.com/hooks/readiness",
            "https://crm.example.com:8443/hooks?tenant=1",
            "https://8.8.8.8/hooks",
            "https://[2001:4860:4860::8888]/hooks",
            "https://xn--bcher-kva.example/hooks",
            "https://example.com./hooks",
        ],
    )
    def test_public_https_urls_pass(self, url: str) -> None:
        check_endpoint_url(url, allow_localhost=False)

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("http://crm.example.com/hooks", "use an https:// URL"),
            ("ftp://crm.example.com/hooks", "use an https:// URL"),
            ("crm.example.com/hooks", "use an https:// URL"),
            ("https://user:secret@crm.example.com/", "credentials in the URL"),
            ("https:///hooks", "no host"),
            ("https://crm.example.com:99999/", "not a valid URL"),
            ("https://10.0.0.1/", "10.0.0.1 is not a public address"),
            ("https://172.16.5.4/", "is not a public address"),
            ("https://192.168.1.1/", "is not a public address"),
            ("https://127.0.0.1/", "is not a public address"),
            ("https://169.254.169.254/", "is not a public address"),
            ("https://100.64.0.1/", "is not a public address"),
            ("https://0.0.0.0/", "is not a public address"),
            ("https://240.0.0.1/", "is not a public address"),
            ("https://239.1.2.3/", "is not a public address"),
            ("https://[::1]/", "is not a public address"),
            ("https://[::]/", "is not a public address"),
            ("https://[fe80::1]/", "is not a public address"),
            ("https://[fc00::1]/", "is not a public address"),
            ("https://[ff02::1]/", "is not a public address"),
            ("https://[::ffff:192.168.1.1]/", "is not a public address"),
            ("https://localhost/", "localhost is not a public host name"),
            ("https://api.localhost/", "is not a public host name"),
            ("https://nas.local/", "is not a public host name"),
            ("https://db.internal/", "is not a public host name"),
            ("https://intranet/", "fully qualified"),
            ("https://2130706433/", "fully qualified"),
            ("https://0x7f.0.0.1/", "fully qualified"),
            ("https://bücher.example/", "punycode"),
        ],
    )
    def test_unsafe_urls_are_refused_with_a_reason(self, url: str, reason: str) -> None:
        with pytest.raises(UnsafeURL, match=reason):
            check_endpoint_url(url, allow_localhost=False)

    @pytest.mark.parametrize(
        "url", ["http://localhost:8000/hooks", "http://127.0.0.1:9000/", "http://[::1]:9000/", "https://localhost/"]
    )
    def test_localhost_over_http_only_when_allowed(self, url: str) -> None:
        check_endpoint_url(url, allow_localhost=True)
        with pytest.raises(UnsafeURL):
            check_endpoint_url(url, allow_localhost=False)

    @pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://crm.example.com/", "https://192.168.1.1/"])
    def test_allowing_localhost_allows_nothing_else(self, url: str) -> None:
        with pytest.raises(UnsafeURL):
            check_endpoint_url(url, allow_localhost=True)


class TestCheckResolved:
    def test_public_addresses_pass(self) -> None:
        check_resolved("crm.example.com", 443, allow_localhost=False, resolve=resolving_to("93.184.216.34", "2606:2800::1"))

    @pytest.mark.parametrize("private", ["10.0.0.7", "127.0.0.1", "169.254.169.254", "fe80::1", "::ffff:10.0.0.7"])
    def test_one_private_address_among_public_ones_is_refused(self, private: str) -> None:
        with pytest.raises(UnsafeURL, match=f"resolves to .*, which is not a public address"):
            check_resolved("crm.example.com", 443, allow_localhost=False, resolve=resolving_to("93.184.216.34", private))

    def test_loopback_only_when_localhost_is_allowed(self) -> None:
        check_resolved("localhost", 80, allow_localhost=True, resolve=resolving_to("127.0.0.1", "::1"))
        with pytest.raises(UnsafeURL):
            check_resolved("localhost", 80, allow_localhost=False, resolve=resolving_to("127.0.0.1"))
        with pytest.raises(UnsafeURL):
            check_resolved("evil.example.com", 80, allow_localhost=True, resolve=resolving_to("10.0.0.1"))

    def test_a_name_that_does_not_resolve_is_refused(self) -> None:
        def fail(*_: Any, **__: Any) -> list[tuple[Any, ...]]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        with pytest.raises(UnsafeURL, match="could not resolve nowhere.example"):
            check_resolved("nowhere.example", 443, allow_localhost=False, resolve=fail)
        with pytest.raises(UnsafeURL, match="no addresses"):
            check_resolved("nowhere.example", 443, allow_localhost=False, resolve=resolving_to())
