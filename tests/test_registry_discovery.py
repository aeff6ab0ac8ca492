"""The registry connects to servers of both protocol generations and discovers every tool."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import RemoteServerConfig, ToolFilter
from gateway.errors import UnknownToolError
from gateway.mcp.registry import ToolRegistry
from tests.servers.launch import everything_server, python_server, todo_server
from tests.support.todo import TODO_TOOLS, running_todo_http


async def test_todo_server_over_stdio_negotiates_2026_and_lists_its_tools_with_metadata(
    tmp_path: Path,
) -> None:
    async with ToolRegistry({"todo": todo_server(tmp_path / "todo.db")}) as registry:
        [status] = registry.servers()
        assert (status.state, status.transport, status.protocol_version) == ("up", "stdio", "2026-07-28")
        assert status.tool_count == len(TODO_TOOLS)
        tools = {t.name: t for t in registry.tools()}
        assert sorted(tools) == sorted(TODO_TOOLS)
        delete = tools["delete_task"]
        assert delete.qualified == "todo.delete_task" and delete.model_name == "todo__delete_task"
        assert delete.destructive and not delete.read_only
        assert tools["list_tasks"].read_only
        assert tools["add_task"].title and tools["add_task"].description
        assert "title" in tools["add_task"].input_schema["properties"]
        assert tools["get_task"].output_schema is not None


async def test_todo_server_over_streamable_http_is_discovered_the_same_way(tmp_path: Path) -> None:
    with running_todo_http(tmp_path / "todo.db") as url:
        async with ToolRegistry({"todo": RemoteServerConfig(url=url)}) as registry:
            [status] = registry.servers()
            assert (status.state, status.transport, status.protocol_version) == (
                "up",
                "streamable-http",
                "2026-07-28",
            )
            assert sorted(t.name for t in registry.tools()) == sorted(TODO_TOOLS)
            result = await registry.call("todo.add_task", {"title": "over HTTP"})
            assert result.structured_content is not None
            assert result.structured_content["task"]["title"] == "over HTTP"


async def test_todo_server_over_sse_is_discovered_and_called(tmp_path: Path) -> None:
    with running_todo_http(tmp_path / "todo.db", transport="sse") as url:
        async with ToolRegistry({"todo": RemoteServerConfig(url=url, transport="sse")}) as registry:
            [status] = registry.servers()
            assert (status.state, status.transport) == ("up", "sse")
            assert len(registry.tools()) == len(TODO_TOOLS)
            result = await registry.call("todo.add_task", {"title": "over SSE"})
            assert result.structured_content is not None
            assert result.structured_content["task"]["title"] == "over SSE"


@pytest.mark.node
async def test_server_everything_speaks_the_2025_handshake_and_its_structured_tool_validates() -> None:
    async with ToolRegistry({"everything": everything_server(timeout=60)}) as registry:
        [status] = registry.servers()
        assert (status.state, status.protocol_version) == ("up", "2025-11-25")
        names = {t.name for t in registry.tools()}
        assert {"echo", "get-structured-content", "trigger-long-running-operation"} <= names
        assert all(t.annotations is not None for t in registry.tools())
        tool = registry.resolve("everything.get-structured-content")
        assert tool.output_schema is not None
        result = await registry.call(tool, {"location": "New York"})
        assert not result.is_error
        assert result.structured_content is not None and "temperature" in result.structured_content


@pytest.mark.node
async def test_progress_notifications_of_a_long_running_call_reach_the_callback() -> None:
    seen: list[tuple[float, float | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total))

    async with ToolRegistry({"everything": everything_server(timeout=60)}) as registry:
        result = await registry.call(
            "trigger-long-running-operation", {"duration": 1, "steps": 4}, progress=progress
        )
    assert not result.is_error
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


async def test_a_paginated_tools_list_is_followed_to_the_last_page() -> None:
    async with ToolRegistry({"paged": python_server("tests.servers.paged", "300", "25")}) as registry:
        names = [t.name for t in registry.tools()]
        assert len(names) == 304 and len(set(names)) == 304
        assert names[0] == "tool_000" and names[299] == "tool_299"
        assert names[300:] == ["bad_point", "no_point", "odd_point", "bom_point"]
        result = await registry.call("paged.tool_299", {})
        assert result.content[0].type == "text" and result.content[0].text == "tool_299"


async def test_allow_and_deny_globs_pick_the_tools_the_gateway_offers(tmp_path: Path) -> None:
    only_reads = ToolFilter(allow=["list_*", "get_*", "delete_*"], deny=["delete_*"])
    async with ToolRegistry({"todo": todo_server(tmp_path / "todo.db", tools=only_reads)}) as registry:
        assert sorted(t.name for t in registry.tools()) == ["get_task", "list_tasks"]
        assert registry.servers()[0].tool_count == 2
        with pytest.raises(UnknownToolError):
            registry.resolve("todo.delete_task")


async def test_names_resolve_qualified_model_and_unique_bare_forms_and_suggest_close_ones(
    tmp_path: Path,
) -> None:
    servers = {
        "a": todo_server(tmp_path / "a.db"),
        "b": todo_server(tmp_path / "b.db", tools=ToolFilter(allow=["add_task", "list_tasks"])),
    }
    async with ToolRegistry(servers) as registry:
        assert registry.resolve("a.get_task").qualified == "a.get_task"
        assert registry.resolve("b__add_task").qualified == "b.add_task"
        assert registry.get_by_model_name("a__delete_task").qualified == "a.delete_task"
        assert registry.resolve("get_task").qualified == "a.get_task"  # unique across servers
        with pytest.raises(UnknownToolError) as ambiguous:
            registry.resolve("add_task")
        assert ambiguous.value.suggestions == ["a.add_task", "b.add_task"]
        with pytest.raises(UnknownToolError) as typo:
            registry.resolve("a.get_tsk")
        assert "a.get_task" in typo.value.suggestions
        assert str(typo.value).startswith("Unknown tool: a.get_tsk.")
        with pytest.raises(UnknownToolError):
            registry.get_by_model_name("a.get_task")
