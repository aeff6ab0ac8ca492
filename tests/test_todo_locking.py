"""Another process holding the database's write lock: the server's writes queue, its reads go on.

The server runs its queries on the event loop and waits for a lock on a worker thread
(mcp_servers/todo/database.py): a write that finds the lock taken waits for it, and while it
waits the same server still answers reads at once.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import anyio
from mcp import Client

from tests.support.todo import todo_stdio_params

HOLD_S = 1.5


async def test_a_write_waits_for_another_processs_lock_while_reads_still_answer(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    async with Client(todo_stdio_params(db)) as client:
        first = await client.call_tool("add_task", {"title": "Before the lock"})
        assert not first.is_error
        holder = sqlite3.connect(db, isolation_level=None)  # this test process is the other process
        holder.execute("BEGIN IMMEDIATE")
        holder.execute(
            "INSERT INTO tasks (title, description, status, priority, tags, created_at, updated_at)"
            " VALUES ('From the other process', '', 'pending', 'medium', '[]',"
            " '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')"
        )
        added: list[dict[str, object]] = []

        async def add() -> None:
            result = await client.call_tool("add_task", {"title": "While locked"})
            assert not result.is_error, result.content
            assert result.structured_content is not None
            added.append(result.structured_content["task"])

        started = time.monotonic()
        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(add)
                await anyio.sleep(0.3)
                for _ in range(5):  # the waiting write does not hold up reads
                    read_start = time.monotonic()
                    listed = await client.call_tool("list_tasks", {})
                    assert listed.structured_content is not None
                    assert [t["title"] for t in listed.structured_content["tasks"]] == ["Before the lock"]
                    assert time.monotonic() - read_start < 0.5
                assert not added  # still waiting for the lock
                await anyio.sleep(max(0.0, HOLD_S - (time.monotonic() - started)))
                holder.execute("COMMIT")
        holder.close()
        assert time.monotonic() - started >= HOLD_S
        assert [t["id"] for t in added] == [3]  # queued behind the other process's insert (id 2)
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content is not None
        titles = [t["title"] for t in listed.structured_content["tasks"]]
        assert titles == ["Before the lock", "From the other process", "While locked"]
        after = await client.call_tool("add_task", {"title": "After the lock"})  # back on the fast path
        assert after.structured_content is not None and after.structured_content["task"]["id"] == 4
