"""The todo server's data: the SQLModel table, and the pydantic shapes its tools return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Field as Column
from sqlmodel import SQLModel

Status = Literal["pending", "completed"]
Priority = Literal["low", "medium", "high"]


class TaskRow(SQLModel, table=True):
    """One task, as stored. `tags` is a JSON list; times are UTC ISO strings."""

    __tablename__ = "tasks"  # pyright: ignore[reportAssignmentType]
    # AUTOINCREMENT: a deleted task's id is never handed out again, so a stale id held by a
    # client (a widget button, a model's memory) can never hit a different task.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Column(default=None, primary_key=True)
    title: str
    description: str = ""
    status: str = Column(default="pending", index=True)
    priority: str = "medium"
    due_date: str | None = None
    tags: str = "[]"
    created_at: str
    updated_at: str
    completed_at: str | None = None


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
