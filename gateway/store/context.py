"""The per-request context every ChatKit store call is scoped to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is asking: the auth layer builds it, the store reads only ``user_id``."""

    user_id: str
    """The authenticated user; every thread, item and attachment belongs to exactly one."""
