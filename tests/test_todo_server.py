"""The todo MCP server under a real MCP client, over stdio and over streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.types import CallToolResult, Tool

from tests.support.todo import running_todo_http, todo_stdio_params

TOOLS = {"add_task", "list_tasks", "get_task", "update_task", "complete_task", "reopen_task", "delete_task"}


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return request.param


@asynccontextmanager
async def connect(transport: str, db: Path) -> AsyncIterator[Client]:
    """A client session on the todo server over `transport` (anyio scopes stay in one task)."""
    if transport == "stdio":
        async with Client(todo_stdio_params(db)) as client:
            yield client
    else:
        with running_todo_http(db) as url:
            async with Client(url) as client:
                yield client


async def tools_of(client: Client) -> dict[str, Tool]:
    return {t.name: t for t in (await client.list_tools()).tools}


async def call(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call and check the result: no error, structuredContent valid against the output schema, a text line."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    tool = (await tools_of(client))[name]
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)
    assert result.content and result.content[0].type == "text" and result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def error_text(client: Client, name: str, arguments: dict[str, Any]) -> str:
    result: CallToolResult = await client.call_tool(name, arguments)
    assert result.is_error, result
    return " ".join(c.text for c in result.content if c.type == "text")


async def test_every_tool_is_listed_with_title_description_and_schemas(
    transport: str, tmp_path: Path
) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        tools = await tools_of(todo)
        assert set(tools) == TOOLS
        for tool in tools.values():
            assert tool.title and tool.description and len(tool.description) > 20
            assert tool.input_schema["type"] == "object"
            assert tool.output_schema is not None
        add = tools["add_task"].input_schema
        assert add["required"] == ["title"]
        assert add["properties"]["title"]["minLength"] == 1
        assert add["properties"]["priority"]["enum"] == ["low", "medium", "high"]
        due = add["properties"]["due_date"]["anyOf"][0]
        assert due["format"] == "date"
        assert tools["get_task"].input_schema["required"] == ["id"]
        status = tools["list_tasks"].input_schema["properties"]["status"]["anyOf"][0]
        assert status["enum"] == ["pending", "completed"]


async def test_annotations_tell_the_truth(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        tools = await tools_of(todo)
        notes = {name: tool.annotations for name, tool in tools.items()}
        assert all(a is not None for a in notes.values())
        assert notes["list_tasks"].read_only_hint and notes["get_task"].read_only_hint  # type: ignore[union-attr]
        assert notes["delete_task"].destructive_hint  # type: ignore[union-attr]
        for name in ("complete_task", "reopen_task", "update_task"):
            assert notes[name].idempotent_hint and not notes[name].read_only_hint  # type: ignore[union-attr]
        assert not notes["add_task"].idempotent_hint and not notes["add_task"].read_only_hint  # type: ignore[union-attr]


async def test_a_task_goes_through_its_whole_life(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        added = (
            await call(
                todo,
                "add_task",
                {
                    "title": "Buy milk",
                    "description": "2 litres",
                    "priority": "high",
                    "due_date": "2026-12-24",
                    "tags": ["home", "errands"],
                },
            )
        )["task"]
        assert added["status"] == "pending" and added["priority"] == "high"
        assert added["due_date"] == "2026-12-24" and added["tags"] == ["home", "errands"]
        assert added["created_at"] == added["updated_at"] and added["completed_at"] is None

        assert (await call(todo, "get_task", {"id": added["id"]}))["task"] == added

        updated = (
            await call(todo, "update_task", {"id": added["id"], "title": "Buy oat milk", "tags": ["home"]})
        )["task"]
        assert updated["title"] == "Buy oat milk" and updated["tags"] == ["home"]
        assert updated["description"] == "2 litres" and updated["updated_at"] >= added["updated_at"]

        completed = (await call(todo, "complete_task", {"id": added["id"]}))["task"]
        assert completed["status"] == "completed" and completed["completed_at"]
        again = (await call(todo, "complete_task", {"id": added["id"]}))["task"]
        assert again["status"] == "completed"

        reopened = (await call(todo, "reopen_task", {"id": added["id"]}))["task"]
        assert reopened["status"] == "pending" and reopened["completed_at"] is None

        deleted = await call(todo, "delete_task", {"id": added["id"]})
        assert deleted == {"deleted": True, "id": added["id"], "title": "Buy oat milk"}
        assert "not found" in await error_text(todo, "get_task", {"id": added["id"]})


@pytest.mark.parametrize("tool", ["get_task", "complete_task", "reopen_task", "delete_task"])
async def test_an_unknown_id_is_an_error_result_naming_the_id(
    transport: str, tmp_path: Path, tool: str
) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        message = await error_text(todo, tool, {"id": 4242})
        assert "4242" in message and "not found" in message


async def test_update_of_an_unknown_id_names_the_id(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        assert "4242" in await error_text(todo, "update_task", {"id": 4242, "title": "x"})


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("add_task", {}, "title"),
        ("add_task", {"title": ""}, "title"),
        ("add_task", {"title": "x", "priority": "urgent"}, "priority"),
        ("add_task", {"title": "x", "due_date": "next tuesday"}, "due_date"),
        ("list_tasks", {"limit": 1000}, "limit"),
        ("list_tasks", {"status": "done"}, "status"),
        ("get_task", {"id": "three"}, "id"),
    ],
)
async def test_a_bad_argument_is_an_error_result_naming_the_field(
    transport: str, tmp_path: Path, tool: str, arguments: dict[str, Any], field: str
) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        assert field in await error_text(todo, tool, arguments)


async def test_update_with_nothing_to_change_says_so(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        task = (await call(todo, "add_task", {"title": "Same"}))["task"]
        assert "nothing to change" in await error_text(todo, "update_task", {"id": task["id"]})


async def test_a_foreign_cursor_is_an_error_result(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        assert "cursor" in await error_text(todo, "list_tasks", {"cursor": "not-ours"})


async def test_list_filters_by_status_text_and_tag(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        ids = {}
        for title, tags, priority in [
            ("Buy milk", ["home"], "low"),
            ("Call Mum", ["family"], "high"),
            ("Milk the cow", ["farm", "home"], "medium"),
            ("File taxes 100%", [], "high"),
        ]:
            ids[title] = (await call(todo, "add_task", {"title": title, "tags": tags, "priority": priority}))[
                "task"
            ]["id"]
        await call(todo, "complete_task", {"id": ids["Call Mum"]})

        def titles(page: dict[str, Any]) -> list[str]:
            return [t["title"] for t in page["tasks"]]

        assert titles(await call(todo, "list_tasks", {"search": "MILK"})) == ["Buy milk", "Milk the cow"]
        assert titles(await call(todo, "list_tasks", {"tag": "home"})) == ["Buy milk", "Milk the cow"]
        assert titles(await call(todo, "list_tasks", {"status": "completed"})) == ["Call Mum"]
        assert titles(await call(todo, "list_tasks", {"status": "pending", "tag": "farm"})) == [
            "Milk the cow"
        ]
        assert titles(await call(todo, "list_tasks", {"search": "100%"})) == ["File taxes 100%"]
        assert titles(await call(todo, "list_tasks", {"search": "%"})) == ["File taxes 100%"]
        everything = await call(todo, "list_tasks", {})
        assert everything["total"] == 4 and everything["next_cursor"] is None


async def test_pages_walk_every_task_exactly_once(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        for i in range(23):
            await call(todo, "add_task", {"title": f"Task {i}"})
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            arguments: dict[str, Any] = {"limit": 5} | ({"cursor": cursor} if cursor else {})
            page = await call(todo, "list_tasks", arguments)
            pages += 1
            assert len(page["tasks"]) <= 5 and page["total"] == 23
            seen.extend(t["id"] for t in page["tasks"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 5
        assert len(seen) == len(set(seen)) == 23 and seen == sorted(seen)
