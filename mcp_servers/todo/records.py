"""`TaskRecord`: a task as the store reads it, and its JSON form, the `Task` the tools return.

The tools answer with plain JSON built straight from the columns, not with pydantic models
validated and dumped per row: that was most of a `list_tasks` call. The JSON is the very
text pydantic's `Task` gives (`tests/test_todo_records.py` holds the two equal): stored times
and dates are turned into pydantic's JSON form by pydantic itself, once per distinct value,
and each recent row into its record once (both repeat from call to call). MCPServer still
validates every result against the published output schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from mcp_servers.todo.models import Task

COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "tags",
    "created_at",
    "updated_at",
    "completed_at",
)
"""The columns of the `tasks` table, in the order `TaskRecord.from_row` reads them."""

_DATETIME = TypeAdapter(datetime)
_DATE = TypeAdapter(date)


@lru_cache(maxsize=4096)
def _time_json(stored: str) -> str:
    """A stored time ('2026-12-01T09:30:00.120+00:00') in pydantic's JSON form ('...00.120000Z')."""
    return _DATETIME.dump_python(_DATETIME.validate_python(stored), mode="json")


@lru_cache(maxsize=1024)
def _date(stored: str) -> date:
    return _DATE.validate_python(stored)


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One task: its fields as the tools show them (times already in their JSON form)."""

    id: int
    title: str
    description: str
    status: str
    priority: str
    due_date: date | None
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    completed_at: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> TaskRecord:
        """A row of the `tasks` table, its columns in COLUMNS order."""
        task_id, title, description, status, priority, due, tags, created, updated, completed = row
        return cls(
            id=task_id,
            title=title,
            description=description,
            status=status,
            priority=priority,
            due_date=_date(due) if due is not None else None,
            tags=tuple(json.loads(tags)),
            created_at=_time_json(created),
            updated_at=_time_json(updated),
            completed_at=_time_json(completed) if completed is not None else None,
        )

    def json(self) -> dict[str, Any]:
        """The task as JSON: what `Task(...).model_dump(mode="json")` gives."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "priority": self.priority,
            "due_date": self.due_date.isoformat() if self.due_date is not None else None,
            "tags": list(self.tags),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "completed_at": self.completed_at,
        }

    def model(self) -> Task:
        """The task as the pydantic model (for the resources' JSON text)."""
        return Task.model_validate(self.json())


@lru_cache(maxsize=512)
def record_of(row: tuple[Any, ...]) -> TaskRecord:
    """`TaskRecord.from_row`, remembered: listing the same tasks again reads the same rows."""
    return TaskRecord.from_row(row)
