"""Audit entries for tests: every field filled in, any of them overridden by keyword."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.store.audit import AuditEntry, utcnow


def audit_entry(at: datetime | None = None, user_id: str = "alice", **fields: Any) -> AuditEntry:
    """An entry for a successful `todo.add_todo` form call (at now unless `at` is given)."""
    values: dict[str, Any] = {
        "at": at or utcnow(),
        "user_id": user_id,
        "thread_id": "thr_1",
        "server": "todo",
        "tool": "add_todo",
        "arguments": {"title": "milk"},
        "outcome": "ok",
        "detail": None,
        "duration_ms": 12.5,
        "via": "form",
        "confirmed_by": None,
    }
    return AuditEntry(**{**values, **fields})
