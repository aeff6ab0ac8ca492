"""Request → RequestContext: one call, three outcomes (a user, the local user, refused).

- `auth.tokens` maps bearer tokens to user ids (`Authorization: Bearer <token>`).
- `auth.trusted_header` names a header a proxy in front of the gateway sets to the user id.
- No `auth` section: every request is the single local user (`make run` on a laptop).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from gateway.config import AuthConfig
from gateway.store.context import RequestContext

LOCAL_USER = "local"


class Unauthenticated(Exception):
    """The request carries no valid credentials; `str(exc)` says what was missing."""


class Authenticator:
    """Turns request headers into the RequestContext every store call is scoped to."""

    def __init__(self, config: AuthConfig | None) -> None:
        self._config = config
        # Compare tokens as bytes in constant time; the mapping itself is small.
        self._tokens = [(t.encode(), user) for t, user in (config.tokens or {}).items()] if config else []

    @property
    def enabled(self) -> bool:
        """True when requests must carry credentials."""
        return self._config is not None

    def authenticate(self, headers: Mapping[str, str]) -> RequestContext:
        """The caller's context, or `Unauthenticated` when auth is configured and not satisfied."""
        if self._config is None:
            return RequestContext(user_id=LOCAL_USER)
        header = self._config.trusted_header
        if header:
            user = (headers.get(header) or "").strip()
            if user:
                return RequestContext(user_id=user)
        authorization = headers.get("authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            given = token.strip().encode()
            for known, user in self._tokens:
                if hmac.compare_digest(known, given):
                    return RequestContext(user_id=user)
            raise Unauthenticated("the bearer token is not valid")
        expected = "an Authorization: Bearer token"
        if header:
            expected += f" or the {header} header"
        raise Unauthenticated(f"this gateway requires {expected}")
