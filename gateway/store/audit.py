"""The audit log: one row per MCP call the gateway made, kept in the store's database.

The caller records each call (already redacted); this module only stores and reads entries.
Stamps are naive UTC; an aware ``datetime`` given to any method is converted to that.

Usage::

    await store.audit.record(AuditEntry(at=utcnow(), user_id="alice", ...))
    recent = await store.audit.entries(since=utcnow() - timedelta(hours=1), user="alice")
    await store.audit.prune(utcnow() - timedelta(days=90))
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import RowMapping, delete, insert, select

from gateway.store.codec import naive
from gateway.store.connections import Connections
from gateway.store.engine import AnyEngine
from gateway.store.models import AUDIT
from gateway.store.outage import Outage

_INSERT = insert(AUDIT)

OUTCOMES = ("ok", "error", "failed", "timeout", "interrupted")
"""``AuditEntry.outcome`` values: a result, an ``isError`` result, no result, timed out, cancelled."""

VIAS = ("command", "form", "button", "confirm", "refresh", "model")
"""``AuditEntry.via`` values: what in the chat made the call."""


def utcnow() -> datetime:
    """Now, as the naive UTC stamp the audit log keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One MCP call: who made it, through what, with which (redacted) arguments, and how it ended."""

    at: datetime
    """When the call started, naive UTC."""
    user_id: str
    thread_id: str | None
    server: str
    tool: str
    arguments: dict[str, Any]
    """The call's arguments as JSON values, already redacted by the caller."""
    outcome: str
    """One of ``OUTCOMES``."""
    detail: str | None
    """The error text (already redacted) unless the outcome is ``ok``."""
    duration_ms: float
    via: str
    """One of ``VIAS``."""
    confirmed_by: str | None
    """The user who confirmed the call, for calls that needed a confirmation."""
    id: int | None = None
    """The row's id once stored (``entries()`` fills it in); ``None`` for a new entry."""


class AuditLog:
    """Records MCP calls in the ``gateway_audit`` table and reads the latest back, oldest first."""

    def __init__(self, engine: AnyEngine, *, outage: Outage | None = None) -> None:
        """Use ``engine``'s database (its tables made by ``create_tables``); report outages to ``outage``."""
        self._connections = Connections(engine, outage or Outage())

    async def record(self, entry: AuditEntry) -> None:
        """Store one entry (its ``id`` is ignored: the database assigns one)."""
        row = {
            "at": naive(entry.at),
            "user_id": entry.user_id,
            "thread_id": entry.thread_id,
            "server": entry.server,
            "tool": entry.tool,
            # Readable non-ASCII text in the table; the column is TEXT on both databases.
            "arguments": json.dumps(entry.arguments, ensure_ascii=False),
            "outcome": entry.outcome,
            "detail": entry.detail,
            "duration_ms": entry.duration_ms,
            "via": entry.via,
            "confirmed_by": entry.confirmed_by,
        }
        await self._connections.write(lambda conn: conn.execute(_INSERT, row))

    async def entries(
        self, *, since: datetime | None = None, user: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Entries at or after ``since``, of ``user`` only if given: the newest ``limit`` of them, oldest first."""
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be a positive number of entries, got {limit}")
        query = select(AUDIT)
        if since is not None:
            query = query.where(AUDIT.c.at >= naive(since))
        if user is not None:
            query = query.where(AUDIT.c.user_id == user)
        # Newest first, so a limit keeps the latest entries; id breaks ties, so entries stamped
        # in the same microsecond keep the order they were recorded in.
        query = query.order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()).limit(limit)
        rows = await self._connections.read(lambda conn: conn.execute(query).mappings().all())
        return [_entry(row) for row in reversed(rows)]

    async def prune(self, before: datetime) -> int:
        """Delete the entries stamped before ``before``; return how many were deleted."""
        statement = delete(AUDIT).where(AUDIT.c.at < naive(before))
        return await self._connections.write(lambda conn: conn.execute(statement).rowcount)


def _entry(row: RowMapping) -> AuditEntry:
    values = dict(row)
    return AuditEntry(**{**values, "arguments": json.loads(values["arguments"])})
