"""The pydantic shapes the todo server's tools and resources return: their output schemas.

The table itself is in store.py; records.py turns its rows into these shapes' JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["pending", "completed"]
Priority = Literal["low", "medium", "high"]


class Task(BaseModel):
    """A task as the tools return it. Every field is always present (null where it has no value)."""

    id: int = Field(description="The task's id, assigned by the server.")
    title: str
    description: str = Field(description="Longer notes; empty when there are none.")
    status: Status
    priority: Priority
    due_date: date | None = Field(description="Due date (YYYY-MM-DD), or null.")
    tags: list[str]
    created_at: datetime = Field(description="When the task was added (UTC).")
    updated_at: datetime = Field(description="When the task last changed (UTC).")
    completed_at: datetime | None = Field(
        description="When the task was completed (UTC), or null while pending."
    )


class TaskResult(BaseModel):
    """The task a tool created, read or changed."""

    task: Task


class TaskPage(BaseModel):
    """One page of tasks matching the filters, in id order."""

    tasks: list[Task]
    total: int = Field(description="How many tasks match the filters, across all pages.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Deleted(BaseModel):
    """What delete_task removed."""

    deleted: bool
    id: int
    title: str


class OpenTasks(BaseModel):
    """The `todo://tasks` resource: pending tasks, most urgent first."""

    tasks: list[Task]
    total: int = Field(description="How many tasks are pending in all.")
    truncated: bool = Field(description="True when `tasks` holds only the most urgent part of them.")
