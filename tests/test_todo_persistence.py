"""The todo server keeps what it was told: across restarts, under concurrency, across processes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from mcp_servers.todo.store import TaskStore
from tests.support.todo import running_todo_http, todo_stdio_params


async def add(client: Client, title: str) -> dict[str, Any]:
    result = await client.call_tool("add_task", {"title": title})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content["task"]


async def walk(client: Client, arguments: dict[str, Any], limit: int = 100) -> list[dict[str, Any]]:
    """Every task list_tasks returns for `arguments`, page by page; no page exceeds `limit`."""
    tasks: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_arguments = arguments | {"limit": limit} | ({"cursor": cursor} if cursor else {})
        result = await client.call_tool("list_tasks", page_arguments)
        assert not result.is_error and result.structured_content is not None, result.content
        page = result.structured_content["tasks"]
        assert len(page) <= limit
        tasks += page
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return tasks


async def gather(*calls: Any) -> list[Any]:
    """Run the awaitables concurrently (anyio task group); their results in order."""
    results: list[Any] = [None] * len(calls)

    async def run(i: int, call: Any) -> None:
        results[i] = await call

    async with anyio.create_task_group() as group:
        for i, call in enumerate(calls):
            group.start_soon(run, i, call)
    return results


async def test_tasks_survive_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    async with Client(todo_stdio_params(db)) as client:
        first = await add(client, "Remember me")
        done = await client.call_tool("complete_task", {"id": first["id"]})
        assert done.structured_content is not None
        completed = done.structured_content["task"]
    async with Client(todo_stdio_params(db)) as client:
        assert await walk(client, {}) == [completed]
        assert (await add(client, "And me"))["id"] > first["id"]


async def test_200_concurrent_adds_on_one_session_are_all_stored_with_distinct_ids(tmp_path: Path) -> None:
    async with Client(todo_stdio_params(tmp_path / "todo.db")) as client:
        with anyio.fail_after(60):
            added = await gather(*(add(client, f"Task {i}") for i in range(200)))
        assert len({t["id"] for t in added}) == 200
        stored = await walk(client, {})
    assert sorted(t["title"] for t in stored) == sorted(f"Task {i}" for i in range(200))
    assert {t["id"] for t in stored} == {t["id"] for t in added}


async def test_two_server_processes_on_one_database_lose_no_write(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    with running_todo_http(db) as url:
        async with Client(todo_stdio_params(db)) as over_stdio, Client(url) as over_http:

            async def writer(client: Client, name: str) -> list[dict[str, Any]]:
                added = await gather(*(add(client, f"{name} {i}") for i in range(100)))
                # Updates from this process interleave with the other process's inserts.
                updates = [
                    client.call_tool("update_task", {"id": t["id"], "priority": "high"}) for t in added[::10]
                ]
                assert not any(r.is_error for r in await gather(*updates))
                return added

            with anyio.fail_after(60):
                a, b = await gather(writer(over_stdio, "stdio"), writer(over_http, "http"))
            assert not {t["id"] for t in a} & {t["id"] for t in b}
            stored = await walk(over_http, {})
    assert len(stored) == 200 and len({t["id"] for t in stored}) == 200
    assert {t["title"] for t in stored} == {f"{name} {i}" for name in ("stdio", "http") for i in range(100)}
    assert sum(t["priority"] == "high" for t in stored) == 20
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_a_list_of_10000_tasks_only_ever_comes_back_one_page_at_a_time(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    store = TaskStore(db)
    await store.start()  # creates the table
    await store.close()
    now = "2026-01-01T00:00:00+00:00"
    rows = [
        (f"Task {i}", "completed" if i % 3 == 0 else "pending", now if i % 3 == 0 else None, now, now)
        for i in range(10_000)
    ]
    with sqlite3.connect(db) as conn:  # one transaction: seeding takes well under a second
        conn.executemany(
            "INSERT INTO tasks (title, description, status, priority, tags, completed_at, created_at, updated_at)"
            " VALUES (?, '', ?, 'medium', '[]', ?, ?, ?)",
            rows,
        )
    conn.close()

    async with Client(todo_stdio_params(db)) as client:
        default = await client.call_tool("list_tasks", {})
        assert default.structured_content is not None
        assert len(default.structured_content["tasks"]) == 20
        assert default.structured_content["total"] == 10_000 and default.structured_content["next_cursor"]
        biggest = await client.call_tool("list_tasks", {"limit": 100})
        assert biggest.structured_content is not None and len(biggest.structured_content["tasks"]) == 100
        assert (await client.call_tool("list_tasks", {"limit": 10_000})).is_error
        completed = await walk(client, {"status": "completed"})
    assert len(completed) == len({t["id"] for t in completed}) == 3334
    assert all(t["status"] == "completed" for t in completed)
