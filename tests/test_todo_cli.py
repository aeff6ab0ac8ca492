"""`python -m mcp_servers.todo`: where it keeps its data, its transports, and both client eras."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from tests.support.todo import running_todo_http, todo_stdio_params


async def added_title(session: ClientSession | Client, title: str) -> str:
    result = await session.call_tool("add_task", {"title": title})
    assert not result.is_error and result.structured_content is not None, result.content
    return result.structured_content["task"]["title"]


async def test_a_handshake_era_client_session_works_over_stdio(tmp_path: Path) -> None:
    async with (
        stdio_client(todo_stdio_params(tmp_path / "todo.db")) as (read, write),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        assert init.protocol_version.startswith("2025") and init.server_info.name == "todo"
        assert len((await session.list_tools()).tools) == 7
        assert await added_title(session, "Old school") == "Old school"


async def test_a_handshake_era_client_session_works_over_streamable_http(tmp_path: Path) -> None:
    with running_todo_http(tmp_path / "todo.db") as url:
        async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            assert await added_title(session, "Over HTTP") == "Over HTTP"


async def test_sse_serves_one_connection_after_another_on_one_store(tmp_path: Path) -> None:
    with running_todo_http(tmp_path / "todo.db", transport="sse") as url:
        for title in ("First", "Second"):
            async with sse_client(url) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                assert await added_title(session, title) == title
        async with sse_client(url) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.call_tool("list_tasks", {})
    assert listed.structured_content is not None and listed.structured_content["total"] == 2


async def test_the_database_comes_from_todo_db_when_no_flag_is_given(tmp_path: Path) -> None:
    params = todo_stdio_params(tmp_path / "ignored.db")
    params.args = ["-m", "mcp_servers.todo"]
    params.env = {"TODO_DB": str(tmp_path / "from-env" / "todo.db")}
    async with Client(params) as client:
        await added_title(client, "Where am I")
    assert (tmp_path / "from-env" / "todo.db").exists() and not (tmp_path / "ignored.db").exists()


async def test_the_database_defaults_to_data_todo_db_under_the_working_directory(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    # cwd is tmp_path, so the package must come from the project root on PYTHONPATH.
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mcp_servers.todo"],
        cwd=str(tmp_path),
        env={"PYTHONPATH": str(root)},
    )
    async with Client(params) as client:
        await added_title(client, "Default place")
    assert (tmp_path / "data" / "todo.db").exists()
