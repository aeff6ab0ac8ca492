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
    """A task as the tools return it."""

    id: int = Field(description="The task's id, assigned by the server.")
    title: str
    description: str = ""
    status: Status
    priority: Priority
    due_date: date | None = Field(default=None, description="Due date (YYYY-MM-DD), if any.")
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None


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
