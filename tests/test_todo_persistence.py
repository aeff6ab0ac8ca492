"""The todo server keeps what it was told: across restarts, under concurrency, across processes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from mcp import Client, ClientSession, stdio_client

from mcp_servers.todo.store import TaskStore
from tests.support.todo import running_todo_http, todo_stdio_params


async def add(client: Client, title: str) -> dict[str, Any]:
    result = await client.call_tool("add_task", {"title": title})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content["task"]


async def all_tasks(client: Client) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    cursor = None
    while True:
        result = await client.call_tool("list_tasks", {"limit": 100} | ({"cursor": cursor} if cursor else {}))
        assert result.structured_content is not None
        tasks += result.structured_content["tasks"]
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return tasks


async def test_tasks_survive_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    async with Client(todo_stdio_params(db)) as client:
        first = await add(client, "Remember me")
        await client.call_tool("complete_task", {"id": first["id"]})
    async with Client(todo_stdio_params(db)) as client:
        (task,) = await all_tasks(client)
        assert task["title"] == "Remember me" and task["status"] == "completed"
        second = await add(client, "And me")
        assert second["id"] > first["id"]


async def test_200_concurrent_adds_on_one_session_are_all_stored_with_distinct_ids(tmp_path: Path) -> None:
    async with Client(todo_stdio_params(tmp_path / "todo.db")) as client:
        added = await asyncio.gather(*(add(client, f"Task {i}") for i in range(200)))
        assert len({t["id"] for t in added}) == 200
        stored = await all_tasks(client)
    assert sorted(t["title"] for t in stored) == sorted(f"Task {i}" for i in range(200))
    assert len({t["id"] for t in stored}) == 200


async def test_two_server_processes_on_one_database_lose_no_write(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    with running_todo_http(db) as url:
        async with Client(todo_stdio_params(db)) as over_stdio, Client(url) as over_http:

            async def writer(client: Client, name: str) -> list[int]:
                ids = []
                for i in range(60):
                    ids.append((await add(client, f"{name} {i}"))["id"])
                    if i % 10 == 0:  # updates interleave with inserts from the other process
                        result = await client.call_tool("update_task", {"id": ids[-1], "priority": "high"})
                        assert not result.is_error, result.content
                return ids

            a, b = await asyncio.gather(writer(over_stdio, "stdio"), writer(over_http, "http"))
            assert not set(a) & set(b)
            stored = await all_tasks(over_stdio)
    assert len(stored) == 120 and len({t["id"] for t in stored}) == 120
    assert sum(t["priority"] == "high" for t in stored) == 12
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_a_large_list_never_comes_back_whole(tmp_path: Path) -> None:
    db = tmp_path / "todo.db"
    store = TaskStore(db)
    await store.start()
    async with store.engine.begin() as conn:  # seed 10,000 rows in one transaction
        await conn.exec_driver_sql(
            "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 10000) "
            "INSERT INTO tasks (title, description, status, priority, tags, created_at, updated_at) "
            "SELECT 'Task ' || v, '', 'pending', 'medium', '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n"
        )
    await store.close()
    async with Client(todo_stdio_params(db)) as client:
        default = await client.call_tool("list_tasks", {})
        assert default.structured_content is not None
        assert len(default.structured_content["tasks"]) == 20
        assert default.structured_content["total"] == 10000
        biggest = await client.call_tool("list_tasks", {"limit": 100})
        assert biggest.structured_content is not None
        assert len(biggest.structured_content["tasks"]) == 100
        assert biggest.structured_content["next_cursor"]


async def test_a_handshake_era_client_session_works_too(tmp_path: Path) -> None:
    async with (
        stdio_client(todo_stdio_params(tmp_path / "todo.db")) as (read, write),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        assert init.protocol_version.startswith("2025")
        result = await session.call_tool("add_task", {"title": "Old school"})
        assert not result.is_error and result.structured_content is not None
        assert result.structured_content["task"]["title"] == "Old school"


async def test_the_database_path_comes_from_todo_db_when_no_flag_is_given(tmp_path: Path) -> None:
    params = todo_stdio_params(tmp_path / "ignored.db")
    params.args = ["-m", "mcp_servers.todo"]
    params.env = {"TODO_DB": str(tmp_path / "from-env.db")}
    async with Client(params) as client:
        await add(client, "Where am I")
    assert (tmp_path / "from-env.db").exists() and not (tmp_path / "ignored.db").exists()
