"""Request → RequestContext: one call, three outcomes (a user, the local user, refused).

- `auth.tokens` maps bearer tokens to user ids (`Authorization: Bearer <token>`). A token,
  when sent, decides: a wrong one is refused whatever else the request carries.
- `auth.trusted_header` names a header a proxy in front of the gateway sets to the user id.
  It is believed only from the addresses in `auth.trusted_proxies` (the TCP peer, never a
  forwarded-for header): from anyone else it would let the caller pick any user.
- No `auth` section: every request is the single local user (`make run` on a laptop).
- `auth.admins` names the users who may see what passes for everyone (the inspector's MCP
  traffic log, servers' stderr); without `auth`, the local user may.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

from gateway.config import AuthConfig
from gateway.store.context import RequestContext

LOCAL_USER = "local"


class Unauthenticated(Exception):
    """The request carries no valid credentials; `str(exc)` says what was missing."""


class Authenticator:
    """Turns request headers (and the peer's address) into the RequestContext every store call is scoped to."""

    def __init__(self, config: AuthConfig | None) -> None:
        self._config = config
        # Compare tokens as bytes in constant time; the mapping itself is small.
        self._tokens = [(t.encode(), user) for t, user in (config.tokens or {}).items()] if config else []
        self._proxies = list(config.trusted_proxies) if config else []

    def is_admin(self, context: RequestContext) -> bool:
        """True when `context`'s user may see every user's MCP traffic (`auth.admins`; everyone without auth)."""
        return self._config is None or context.user_id in self._config.admins

    @property
    def enabled(self) -> bool:
        """True when requests must carry credentials."""
        return self._config is not None

    def authenticate(self, headers: Mapping[str, str], peer: str | None) -> RequestContext:
        """The caller's context, or `Unauthenticated` when auth is configured and not satisfied."""
        config = self._config
        if config is None:
            return RequestContext(user_id=LOCAL_USER)
        authorization = headers.get("authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            given = token.strip().encode()
            for known, user in self._tokens:
                if hmac.compare_digest(known, given):
                    return RequestContext(user_id=user)
            raise Unauthenticated("the bearer token is not valid")
        header = config.trusted_header
        user = (headers.get(header) or "").strip() if header else ""
        if header and user:
            if not self._from_trusted_proxy(peer):
                raise Unauthenticated(
                    f"the {header} header is accepted only from the gateway's trusted proxies; "
                    "send an Authorization: Bearer token instead"
                )
            return RequestContext(user_id=user)
        expected = "an Authorization: Bearer token"
        if header:
            expected += f" or the {header} header (from a trusted proxy)"
        raise Unauthenticated(f"this gateway requires {expected}")

    def _from_trusted_proxy(self, peer: str | None) -> bool:
        if not peer:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
        return any(address in network for network in self._proxies)
