"""Async task persistence on SQLite: WAL, short IMMEDIATE transactions, safe for several processes.

Every write is one short transaction that takes SQLite's write lock up front (`BEGIN
IMMEDIATE`), so two server processes on one file queue for the lock (busy_timeout) instead
of failing with SQLITE_BUSY halfway or losing a write. Reads use plain deferred
transactions, which WAL serves from a snapshot without waiting for writers.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, case, event, func, inspect, literal, or_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import SQLModel, col, select
from typing_extensions import TypeIs

from mcp_servers.todo.models import Task, TaskRow

BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "todo_begin"  # an execution option our "begin" hook reads: IMMEDIATE or DEFERRED


class TaskNotFound(LookupError):
    """No task with that id."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class BadCursor(ValueError):
    """A cursor this server did not hand out."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _casefold(value: str | None) -> str | None:
    # SQLite's lower() and LIKE fold ASCII only; Python's casefold also matches "ÄPFEL" to "äpfel".
    return value.casefold() if value is not None else None


def encode_cursor(after_id: int) -> str:
    """An opaque cursor that resumes after task `after_id`."""
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The task id a cursor resumes after; BadCursor if it is not one of ours."""
    problem = f"cursor {cursor!r} is not valid: pass the next_cursor of a previous list_tasks page"
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadCursor(problem) from exc
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadCursor(problem)
    return value


def to_task(row: TaskRow) -> Task:
    """The tool-facing shape of a stored row."""
    return Task.model_validate({**row.model_dump(), "tags": json.loads(row.tags)})


def _stored(changes: dict[str, Any]) -> dict[str, Any]:
    """Tool-side values (a date, a list of tags) in their column form."""
    values = dict(changes)
    if "tags" in values:
        values["tags"] = json.dumps(values["tags"])
    if isinstance(values.get("due_date"), date):
        values["due_date"] = values["due_date"].isoformat()
    return values


class TaskStore:
    """Tasks in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.engine: AsyncEngine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        self._reader = self.engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        sync_engine = self.engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
            dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode
            cursor.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            mode = connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
            connection.exec_driver_sql(f"BEGIN {mode}")

    async def start(self) -> None:
        """Create the table if it is not there yet."""
        async with self.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all, tables=[_table()])

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()

    async def add(
        self, *, title: str, description: str, priority: str, due_date: date | None, tags: list[str]
    ) -> Task:
        """Insert a task; the database assigns its id."""
        now = _now()
        row = TaskRow(
            title=title,
            description=description,
            priority=priority,
            due_date=due_date.isoformat() if due_date else None,
            tags=json.dumps(tags),
            created_at=now,
            updated_at=now,
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(_table().insert().values(**row.model_dump(exclude={"id"})))
            row.id = result.lastrowid
        return to_task(row)

    async def get(self, task_id: int) -> Task:
        """One task; TaskNotFound if there is none."""
        async with self._reader.begin() as conn:
            return to_task(await self._row(conn, task_id))

    async def update(self, task_id: int, changes: dict[str, Any]) -> Task:
        """Apply `changes` (field → new value) to a task; updated_at moves only if something changed."""
        _before, after = await self.change(task_id, changes)
        return after

    async def change(self, task_id: int, changes: dict[str, Any]) -> tuple[Task, Task]:
        """Like `update`, returning the task before and after (equal when nothing changed)."""
        async with self.engine.begin() as conn:
            row = await self._row(conn, task_id)
            before = to_task(row)
            values = {key: value for key, value in _stored(changes).items() if getattr(row, key) != value}
            if not values:
                return before, before  # repeating a call changes nothing, not even updated_at
            if "status" in values:
                values["completed_at"] = _now() if values["status"] == "completed" else None
            values["updated_at"] = _now()
            table = _table()
            await conn.execute(table.update().where(table.c.id == task_id).values(**values))
            return before, to_task(TaskRow.model_validate({**row.model_dump(), **values}))

    async def delete(self, task_id: int) -> Task:
        """Remove a task and return what it was."""
        async with self.engine.begin() as conn:
            row = await self._row(conn, task_id)
            table = _table()
            await conn.execute(table.delete().where(table.c.id == task_id))
            return to_task(row)

    async def page(
        self, *, status: str | None, search: str | None, tag: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Task], int, str | None]:
        """One page of matching tasks in id order, the total that match, and the next cursor."""
        after = decode_cursor(cursor) if cursor else 0
        conditions: list[Any] = []
        if status:
            conditions.append(col(TaskRow.status) == status)
        if search:
            needle = literal(search.casefold())
            conditions.append(
                or_(
                    func.instr(func.casefold(col(TaskRow.title)), needle) > 0,
                    func.instr(func.casefold(col(TaskRow.description)), needle) > 0,
                )
            )
        if tag:
            tags = func.json_each(col(TaskRow.tags)).table_valued("value")
            conditions.append(select(tags.c.value).where(tags.c.value == tag).exists())
        page_query = (
            select(TaskRow)
            .where(col(TaskRow.id) > after, *conditions)
            .order_by(col(TaskRow.id))
            .limit(limit + 1)
        )
        count_query = select(func.count()).select_from(TaskRow).where(*conditions)
        async with self._reader.begin() as conn:  # one snapshot: the page and the total agree
            rows = [TaskRow.model_validate(dict(r)) for r in (await conn.execute(page_query)).mappings()]
            total = (await conn.execute(count_query)).scalar_one()
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1].id if rows else None
        next_cursor = encode_cursor(last) if more and last is not None else None
        return [to_task(r) for r in rows], total, next_cursor

    async def open_tasks(self, limit: int) -> tuple[list[Task], int]:
        """Up to `limit` pending tasks, most urgent first, and how many are pending in all.

        Most urgent: earliest due date first (undated last), then high before medium before
        low priority, then oldest first.
        """
        pending = col(TaskRow.status) == "pending"
        due = col(TaskRow.due_date)
        rank = case({"high": 0, "medium": 1, "low": 2}, value=col(TaskRow.priority), else_=3)
        query = (
            select(TaskRow).where(pending).order_by(due.is_(None), due, rank, col(TaskRow.id)).limit(limit)
        )
        count_query = select(func.count()).select_from(TaskRow).where(pending)
        async with self._reader.begin() as conn:
            rows = [TaskRow.model_validate(dict(r)) for r in (await conn.execute(query)).mappings()]
            total = (await conn.execute(count_query)).scalar_one()
        return [to_task(r) for r in rows], total

    async def _row(self, conn: AsyncConnection, task_id: int) -> TaskRow:
        found = (await conn.execute(select(TaskRow).where(col(TaskRow.id) == task_id))).mappings().first()
        if found is None:
            raise TaskNotFound(task_id)
        return TaskRow.model_validate(dict(found))


def _table() -> Table:
    """The tasks table: its mapper's, as SQLModel leaves ``__table__`` untyped."""
    table = inspect(TaskRow).local_table
    assert _is_table(table)
    return table


def _is_table(value: object) -> TypeIs[Table]:
    return isinstance(value, Table)
