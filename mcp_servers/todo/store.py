"""Async task persistence on SQLite: WAL, short IMMEDIATE transactions, safe for several processes.

Every write is one short transaction that takes SQLite's write lock up front (`BEGIN
IMMEDIATE`), so two server processes on one file queue for the lock (busy_timeout) instead
of failing with SQLITE_BUSY halfway or losing a write. Reads use plain deferred
transactions, which WAL serves from a snapshot without waiting for writers. How the
statements run (on the event loop, lock waits on a worker thread) is database.py's business.

The table is the one the earlier SQLModel version of this store created (same DDL, so files
made by either open in the other): `tests/test_todo_schema.py` holds it to that.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mcp_servers.todo.database import Database
from mcp_servers.todo.records import COLUMNS, TaskRecord, record_of

SCHEMA = (
    # AUTOINCREMENT: a deleted task's id is never handed out again, so a stale id held by a
    # client (a widget button, a model's memory) can never hit a different task.
    "CREATE TABLE IF NOT EXISTS tasks (\n"
    "\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n"
    "\ttitle VARCHAR NOT NULL, \n"
    "\tdescription VARCHAR NOT NULL, \n"
    "\tstatus VARCHAR NOT NULL, \n"
    "\tpriority VARCHAR NOT NULL, \n"
    "\tdue_date VARCHAR, \n"
    "\ttags VARCHAR NOT NULL, \n"
    "\tcreated_at VARCHAR NOT NULL, \n"
    "\tupdated_at VARCHAR NOT NULL, \n"
    "\tcompleted_at VARCHAR\n"
    ")",
    "CREATE INDEX IF NOT EXISTS ix_tasks_status ON tasks (status)",
)
"""The table and its index. SQLite stores this text minus `IF NOT EXISTS` in sqlite_master."""

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM tasks"
_CHANGEABLE = frozenset(COLUMNS) - {"id", "created_at"}
# Most urgent first: earliest due date (undated last), then high, medium, low priority, then oldest.
_URGENCY = (
    "due_date IS NULL, due_date, "
    "CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, id"
)


class TaskNotFound(LookupError):
    """No task with that id."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class BadCursor(ValueError):
    """A cursor this server did not hand out."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
        self.database = Database(path)

    async def start(self) -> None:
        """Open the file and create the table if it is not there yet."""

        def create(conn: sqlite3.Connection) -> None:
            for statement in SCHEMA:
                conn.execute(statement)

        await self.database.open(create)

    async def close(self) -> None:
        """Release every connection."""
        await self.database.close()

    async def add(
        self, *, title: str, description: str, priority: str, due_date: date | None, tags: list[str]
    ) -> TaskRecord:
        """Insert a task; the database assigns its id."""
        now = _now()
        row: dict[str, Any] = {
            "title": title,
            "description": description,
            "status": "pending",
            "priority": priority,
            "due_date": due_date.isoformat() if due_date else None,
            "tags": json.dumps(tags),
            "created_at": now,
            "updated_at": now,
            "completed_at": None,
        }

        def insert(conn: sqlite3.Connection) -> TaskRecord:
            cursor = conn.execute(
                f"INSERT INTO tasks ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
            return _record({"id": cursor.lastrowid, **row})

        return await self.database.write(insert)

    async def get(self, task_id: int) -> TaskRecord:
        """One task; TaskNotFound if there is none."""
        return await self.database.read(lambda conn: record_of(_row(conn, task_id)), snapshot=False)

    async def update(self, task_id: int, changes: dict[str, Any]) -> TaskRecord:
        """Apply `changes` (field → new value) to a task; updated_at moves only if something changed."""
        _before, after = await self.change(task_id, changes)
        return after

    async def change(self, task_id: int, changes: dict[str, Any]) -> tuple[TaskRecord, TaskRecord]:
        """Like `update`, returning the task before and after (equal when nothing changed)."""
        wanted = _stored(changes)
        if not wanted.keys() <= _CHANGEABLE:
            raise ValueError(f"not a changeable field: {sorted(wanted.keys() - _CHANGEABLE)}")

        def apply(conn: sqlite3.Connection) -> tuple[TaskRecord, TaskRecord]:
            row = dict(zip(COLUMNS, _row(conn, task_id), strict=True))
            before = _record(row)
            values = {key: value for key, value in wanted.items() if row[key] != value}
            if not values:
                return before, before  # repeating a call changes nothing, not even updated_at
            if "status" in values:
                values["completed_at"] = _now() if values["status"] == "completed" else None
            values["updated_at"] = _now()
            assignments = ", ".join(f"{key} = ?" for key in values)
            conn.execute(f"UPDATE tasks SET {assignments} WHERE id = ?", (*values.values(), task_id))
            return before, _record({**row, **values})

        return await self.database.write(apply)

    async def delete(self, task_id: int) -> TaskRecord:
        """Remove a task and return what it was."""

        def remove(conn: sqlite3.Connection) -> TaskRecord:
            task = record_of(_row(conn, task_id))
            conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            return task

        return await self.database.write(remove)

    async def page(
        self, *, status: str | None, search: str | None, tag: str | None, limit: int, cursor: str | None
    ) -> tuple[list[TaskRecord], int, str | None]:
        """One page of matching tasks in id order, the total that match, and the next cursor."""
        after = decode_cursor(cursor) if cursor else 0
        conditions: list[str] = []
        parameters: list[Any] = []
        if status:
            conditions.append("status = ?")
            parameters.append(status)
        if search:
            conditions.append("(instr(casefold(title), ?) > 0 OR instr(casefold(description), ?) > 0)")
            parameters += [search.casefold()] * 2
        if tag:
            conditions.append("EXISTS (SELECT value FROM json_each(tasks.tags) WHERE value = ?)")
            parameters.append(tag)
        where = " AND ".join(conditions)
        page_query = f"{_SELECT} WHERE {' AND '.join(['id > ?', *conditions])} ORDER BY id LIMIT ?"
        count_query = "SELECT count(*) FROM tasks" + (f" WHERE {where}" if where else "")

        def read(conn: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], int]:
            rows = conn.execute(page_query, (after, *parameters, limit + 1)).fetchall()
            (total,) = conn.execute(count_query, parameters).fetchone()
            return rows, total

        rows, total = await self.database.read(read)  # one snapshot: the page and the total agree
        more = len(rows) > limit
        tasks = [record_of(r) for r in rows[:limit]]
        next_cursor = encode_cursor(tasks[-1].id) if more and tasks else None
        return tasks, total, next_cursor

    async def open_tasks(self, limit: int) -> tuple[list[TaskRecord], int]:
        """Up to `limit` pending tasks, most urgent first, and how many are pending in all.

        Most urgent: earliest due date first (undated last), then high before medium before
        low priority, then oldest first.
        """

        def read(conn: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], int]:
            rows = conn.execute(
                f"{_SELECT} WHERE status = 'pending' ORDER BY {_URGENCY} LIMIT ?", (limit,)
            ).fetchall()
            (total,) = conn.execute("SELECT count(*) FROM tasks WHERE status = 'pending'").fetchone()
            return rows, total

        rows, total = await self.database.read(read)
        return [record_of(r) for r in rows], total


def _row(conn: sqlite3.Connection, task_id: int) -> tuple[Any, ...]:
    found = conn.execute(f"{_SELECT} WHERE id = ?", (task_id,)).fetchone()
    if found is None:
        raise TaskNotFound(task_id)
    return found


def _record(row: dict[str, Any]) -> TaskRecord:
    """The record of a row given as column → stored value."""
    return record_of(tuple(row[column] for column in COLUMNS))
