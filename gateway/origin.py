"""Which web pages may call the gateway: its own, the configured origins, and no others.

A browser lets any page POST a `text/plain` body to any site without asking first, and lets
a page whose DNS name was rebound to 127.0.0.1 talk to a local gateway as if it were its
own. So a request that says where it comes from (`Origin`) must come from the gateway's own
address or from `server.cors_origins`; and a gateway without `auth`, which trusts everyone
who reaches it as the one local user, answers only to loopback host names and to
`server.allowed_hosts` (`*` turns that check off).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from gateway.config import GatewayConfig

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class OriginPolicy:
    """Says why a request must be refused (a sentence), or nothing when it may go on."""

    def __init__(self, config: GatewayConfig) -> None:
        self._origins = {_netloc_key(origin) for origin in config.server.cors_origins}
        self._hosts = {h.lower() for h in config.server.allowed_hosts}
        self._check_host = config.auth is None and "*" not in self._hosts

    def refusal(self, headers: Mapping[str, str]) -> str | None:
        """Why this request may not be served, or None."""
        host = (headers.get("host") or "").strip().lower()
        if self._check_host and not self._local_or_allowed(host):
            return (
                f"this gateway has no auth and answers only to loopback addresses; "
                f"add {_hostname(host)!r} to server.allowed_hosts (or configure auth) to serve it"
            )
        origin = headers.get("origin")
        if origin is None:
            return None  # not from a browser page: curl, scripts, server-side front ends
        key = _netloc_key(origin)
        if key is not None and (key[1] == host or key in self._origins):
            return None
        return (
            f"requests from pages at {origin} are not accepted; "
            "add that origin to server.cors_origins to allow it"
        )

    def _local_or_allowed(self, host: str) -> bool:
        name = _hostname(host)
        if name in self._hosts or host in self._hosts:
            return True
        if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False


def _hostname(host: str) -> str:
    """`example.com:8000` → `example.com`; `[::1]:8000` → `::1`."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _netloc_key(origin: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of an origin, lowercased; None for `null` or nonsense."""
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()
