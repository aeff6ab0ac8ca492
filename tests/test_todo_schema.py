"""Database files made by the earlier SQLModel todo server open in this one, tasks and ids intact.

`HEAD_SCHEMA` is what that server's `SQLModel.metadata.create_all` left in sqlite_master
(read from a file it made); a file this server creates must hold the very same, so either
version can open the other's files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mcp import Client

from tests.support.todo import todo_stdio_params

HEAD_SCHEMA = [
    (
        "table",
        "tasks",
        "CREATE TABLE tasks (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n\ttitle VARCHAR NOT NULL, "
        "\n\tdescription VARCHAR NOT NULL, \n\tstatus VARCHAR NOT NULL, \n\tpriority VARCHAR NOT NULL, "
        "\n\tdue_date VARCHAR, \n\ttags VARCHAR NOT NULL, \n\tcreated_at VARCHAR NOT NULL, "
        "\n\tupdated_at VARCHAR NOT NULL, \n\tcompleted_at VARCHAR\n)",
    ),
    ("table", "sqlite_sequence", "CREATE TABLE sqlite_sequence(name,seq)"),
    ("index", "ix_tasks_status", "CREATE INDEX ix_tasks_status ON tasks (status)"),
]


T1, T2, T3 = "2026-11-30T19:05:43.481+00:00", "2026-11-30T19:05:43.515+00:00", "2026-11-30T19:06:00.000+00:00"
T4 = "2026-11-30T19:07:00.001+00:00"


def schema_of(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    conn.close()
    return rows


def make_head_database(db: Path) -> None:
    """A file as the SQLModel server left it: WAL, three tasks written, the newest one deleted."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for _kind, name, sql in HEAD_SCHEMA:
        if name != "sqlite_sequence":  # SQLite makes it with the first AUTOINCREMENT table
            conn.execute(sql)
    conn.executemany(
        "INSERT INTO tasks (title, description, status, priority, due_date, tags, created_at, updated_at,"
        " completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("Water plants", "", "pending", "medium", None, "[]", T1, T1, None),
            ("Pay rent", "by transfer", "completed", "high", "2026-12-01", '["home", "money"]', T2, T3, T3),
            ("Gone", "", "pending", "low", None, "[]", T4, T4, None),
        ],
    )
    conn.execute("DELETE FROM tasks WHERE id = 3")
    conn.close()


async def test_a_file_made_by_the_sqlmodel_server_keeps_its_tasks_and_ids(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    make_head_database(db)
    async with Client(todo_stdio_params(db)) as client:
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content == {
            "tasks": [
                {
                    "id": 1,
                    "title": "Water plants",
                    "description": "",
                    "status": "pending",
                    "priority": "medium",
                    "due_date": None,
                    "tags": [],
                    "created_at": "2026-11-30T19:05:43.481000Z",
                    "updated_at": "2026-11-30T19:05:43.481000Z",
                    "completed_at": None,
                },
                {
                    "id": 2,
                    "title": "Pay rent",
                    "description": "by transfer",
                    "status": "completed",
                    "priority": "high",
                    "due_date": "2026-12-01",
                    "tags": ["home", "money"],
                    "created_at": "2026-11-30T19:05:43.515000Z",
                    "updated_at": "2026-11-30T19:06:00Z",
                    "completed_at": "2026-11-30T19:06:00Z",
                },
            ],
            "total": 2,
            "next_cursor": None,
        }
        added = await client.call_tool("add_task", {"title": "New"})
        assert added.structured_content is not None
        assert added.structured_content["task"]["id"] == 4  # 3 was handed out before: never again
        reopened = await client.call_tool("reopen_task", {"id": 2})
        assert reopened.structured_content is not None
        assert reopened.structured_content["task"]["completed_at"] is None
    assert schema_of(db) == HEAD_SCHEMA
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT id, title FROM tasks ORDER BY id").fetchall() == [
            (1, "Water plants"),
            (2, "Pay rent"),
            (4, "New"),
        ]
    conn.close()


async def test_a_new_file_gets_the_sqlmodel_servers_schema(tmp_path: Path) -> None:
    db = tmp_path / "new" / "todo.db"
    async with Client(todo_stdio_params(db)) as client:
        assert not (await client.call_tool("add_task", {"title": "First"})).is_error
    assert schema_of(db) == HEAD_SCHEMA
