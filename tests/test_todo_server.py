"""The todo MCP server's tools under a real MCP client, over stdio and over streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.types import CallToolResult, Tool

from tests.support.todo import TODO_TOOLS, running_todo_http, todo_stdio_params

TASK_FIELDS = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "tags",
    "created_at",
    "updated_at",
    "completed_at",
}


@dataclass
class Todo:
    """A connected client plus the tools it listed, with checked calls."""

    client: Client
    tools: dict[str, Tool]

    async def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """A successful call: structuredContent valid against the output schema, one line of text."""
        result = await self.client.call_tool(name, arguments)
        assert not result.is_error, result.content
        schema = self.tools[name].output_schema
        assert schema is not None and result.structured_content is not None
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        validator.validate(result.structured_content)
        (block,) = result.content
        assert block.type == "text" and block.text and "\n" not in block.text
        return result

    async def ok(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The structured content of a successful call."""
        structured = (await self.call(name, arguments)).structured_content
        assert structured is not None
        return structured

    async def error(self, name: str, arguments: dict[str, Any]) -> str:
        """The one-line message of a call that must fail as an error result."""
        result = await self.client.call_tool(name, arguments)
        assert result.is_error, result
        (block,) = result.content
        assert block.type == "text" and "\n" not in block.text
        return block.text


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return request.param


@asynccontextmanager
async def connect(transport: str, db: Path) -> AsyncIterator[Todo]:
    """The todo server on `db` over `transport`, behind mcp.Client (which negotiates 2026-07-28)."""
    if transport == "stdio":
        async with Client(todo_stdio_params(db)) as client:
            yield Todo(client, {t.name: t for t in (await client.list_tools()).tools})
    else:
        with running_todo_http(db) as url:
            async with Client(url) as client:
                yield Todo(client, {t.name: t for t in (await client.list_tools()).tools})


def titles(page: dict[str, Any]) -> list[str]:
    return [t["title"] for t in page["tasks"]]


async def test_every_tool_has_a_title_a_description_and_precise_schemas(
    transport: str, tmp_path: Path
) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        assert set(todo.tools) == set(TODO_TOOLS)
        for tool in todo.tools.values():
            assert tool.title and tool.description and len(tool.description) > 20
            assert tool.input_schema["type"] == "object"
            assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        schema = {name: tool.input_schema for name, tool in todo.tools.items()}
        assert schema["add_task"]["required"] == ["title"]
        title = schema["add_task"]["properties"]["title"]
        assert title["type"] == "string" and title["minLength"] == 1
        assert schema["add_task"]["properties"]["priority"]["enum"] == ["low", "medium", "high"]
        for tool in ("add_task", "update_task"):
            (due, _null) = schema[tool]["properties"]["due_date"]["anyOf"]
            assert due["format"] == "date"
        for tool in ("get_task", "update_task", "complete_task", "reopen_task", "delete_task"):
            assert (
                schema[tool]["required"] == ["id"] and schema[tool]["properties"]["id"]["type"] == "integer"
            )
        listing = schema["list_tasks"]
        assert "required" not in listing
        assert listing["properties"]["status"]["anyOf"][0]["enum"] == ["pending", "completed"]
        assert listing["properties"]["limit"].items() >= {"default": 20, "minimum": 1, "maximum": 100}.items()
        task = todo.tools["get_task"].output_schema["$defs"]["Task"]  # type: ignore[index]
        assert set(task["required"]) == set(task["properties"]) == TASK_FIELDS


async def test_annotations_tell_the_truth(transport: str, tmp_path: Path) -> None:
    expected = {  # (readOnly, destructive, idempotent)
        "add_task": (False, False, False),
        "list_tasks": (True, False, True),
        "get_task": (True, False, True),
        "update_task": (False, False, True),
        "complete_task": (False, False, True),
        "reopen_task": (False, False, True),
        "delete_task": (False, True, False),
    }
    async with connect(transport, tmp_path / "todo.db") as todo:
        for name, tool in todo.tools.items():
            hints = tool.annotations
            assert hints is not None
            assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == expected[name], (
                name
            )
            assert hints.open_world_hint is False, name


async def test_a_task_goes_through_its_whole_life(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        arguments = {
            "title": "Buy milk",
            "description": "2 litres",
            "priority": "high",
            "due_date": "2026-12-24",
            "tags": ["home", "errands"],
        }
        result = await todo.call("add_task", arguments)
        assert result.structured_content is not None
        added = result.structured_content["task"]
        assert set(added) == TASK_FIELDS
        assert result.content[0].text.startswith(f"Added task {added['id']}: Buy milk")  # type: ignore[union-attr]
        assert added["status"] == "pending" and added["priority"] == "high"
        assert added["due_date"] == "2026-12-24" and added["tags"] == ["home", "errands"]
        assert added["created_at"] == added["updated_at"] and added["completed_at"] is None

        assert (await todo.ok("get_task", {"id": added["id"]}))["task"] == added

        change = {"id": added["id"], "title": "Buy oat milk", "tags": ["home"], "description": ""}
        updated = (await todo.ok("update_task", change))["task"]
        assert (
            updated["title"] == "Buy oat milk"
            and updated["tags"] == ["home"]
            and updated["description"] == ""
        )
        assert updated["due_date"] == "2026-12-24" and updated["updated_at"] > added["updated_at"]
        undated = (await todo.ok("update_task", {"id": added["id"], "clear_due_date": True}))["task"]
        assert undated["due_date"] is None

        completed = (await todo.ok("complete_task", {"id": added["id"]}))["task"]
        assert completed["status"] == "completed" and completed["completed_at"]
        reopened = (await todo.ok("reopen_task", {"id": added["id"]}))["task"]
        assert reopened["status"] == "pending" and reopened["completed_at"] is None

        deleted = await todo.ok("delete_task", {"id": added["id"]})
        assert deleted == {"deleted": True, "id": added["id"], "title": "Buy oat milk"}
        assert "not found" in await todo.error("get_task", {"id": added["id"]})


async def test_repeating_complete_reopen_or_update_changes_nothing(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        task_id = (await todo.ok("add_task", {"title": "Twice"}))["task"]["id"]
        for tool, arguments in [
            ("complete_task", {"id": task_id}),
            ("reopen_task", {"id": task_id}),
            ("update_task", {"id": task_id, "priority": "low", "tags": ["a"]}),
        ]:
            first = (await todo.ok(tool, arguments))["task"]
            again = (await todo.ok(tool, arguments))["task"]
            assert again == first, tool


async def test_an_unknown_id_is_an_error_result_naming_the_id(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        for tool in ("get_task", "complete_task", "reopen_task", "delete_task"):
            message = await todo.error(tool, {"id": 4242})
            assert "Task 4242 not found" in message, tool
        assert "Task 4242 not found" in await todo.error("update_task", {"id": 4242, "title": "x"})


BAD_ARGUMENTS = [
    ("add_task", {}, "title is required"),
    ("add_task", {"title": ""}, "title:"),
    ("add_task", {"title": "   "}, "title:"),
    (
        "add_task",
        {"title": "x", "priority": "urgent"},
        "priority: Input should be 'low', 'medium' or 'high', got \"urgent\"",
    ),
    ("add_task", {"title": "x", "due_date": "next tuesday"}, "due_date:"),
    ("add_task", {"title": "x", "tags": ["ok", ""]}, "tags.1:"),
    ("list_tasks", {"limit": 101}, "limit:"),
    ("list_tasks", {"limit": 0}, "limit:"),
    ("list_tasks", {"status": "done"}, "status:"),
    ("list_tasks", {"cursor": "not-ours"}, "cursor 'not-ours' is not valid"),
    ("get_task", {"id": "three"}, "id:"),
    ("get_task", {}, "id is required"),
    ("update_task", {"id": 1, "due_date": "2026-01-01", "clear_due_date": True}, "not both"),
    ("update_task", {"id": 1, "priority": "urgent"}, "priority:"),
]


async def test_a_bad_argument_is_a_one_line_error_result_naming_the_field(
    transport: str, tmp_path: Path
) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        await todo.ok("add_task", {"title": "One"})
        for tool, arguments, expected in BAD_ARGUMENTS:
            message = await todo.error(tool, arguments)
            assert expected in message, (tool, arguments, message)
        assert (await todo.ok("list_tasks", {}))["total"] == 1  # nothing was written by the failures


async def test_update_with_nothing_to_change_says_what_it_expected(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        task = (await todo.ok("add_task", {"title": "Same"}))["task"]
        message = await todo.error("update_task", {"id": task["id"]})
        assert f"nothing to change for task {task['id']}" in message and "title" in message


async def test_list_filters_by_status_text_and_tag(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        ids = {}
        for title, description, tags in [
            ("Buy milk", "", ["home"]),
            ("Call Mum", "about the MILKMAN", ["family"]),
            ("Milk the cow", "", ["farm", "home"]),
            ("File taxes 100%", "", []),
            ("Äpfel kaufen", "", ["home_2"]),
        ]:
            arguments = {"title": title, "description": description, "tags": tags}
            ids[title] = (await todo.ok("add_task", arguments))["task"]["id"]
        await todo.ok("complete_task", {"id": ids["Call Mum"]})

        assert titles(await todo.ok("list_tasks", {"search": "MILK"})) == [
            "Buy milk",
            "Call Mum",
            "Milk the cow",
        ]
        assert titles(await todo.ok("list_tasks", {"search": "äpfel"})) == ["Äpfel kaufen"]
        assert titles(await todo.ok("list_tasks", {"search": "%"})) == ["File taxes 100%"]
        assert titles(await todo.ok("list_tasks", {"tag": "home"})) == ["Buy milk", "Milk the cow"]
        assert titles(await todo.ok("list_tasks", {"tag": "home_"})) == []
        assert titles(await todo.ok("list_tasks", {"status": "completed"})) == ["Call Mum"]
        both = await todo.ok("list_tasks", {"status": "pending", "search": "milk"})
        assert titles(both) == ["Buy milk", "Milk the cow"] and both["total"] == 2
        assert titles(await todo.ok("list_tasks", {"status": "pending", "tag": "farm"})) == ["Milk the cow"]
        everything = await todo.ok("list_tasks", {})
        assert everything["total"] == 5 and everything["next_cursor"] is None
        assert [t["id"] for t in everything["tasks"]] == sorted(ids.values())


async def test_pages_walk_every_matching_task_exactly_once(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        for i in range(23):
            await todo.ok("add_task", {"title": f"Task {i}", "tags": ["even"] if i % 2 == 0 else []})
        for filters, limit, count in [({}, 5, 23), ({"tag": "even"}, 3, 12)]:
            seen: list[int] = []
            cursor = None
            while True:
                page = await todo.ok(
                    "list_tasks", filters | {"limit": limit} | ({"cursor": cursor} if cursor else {})
                )
                assert 0 < len(page["tasks"]) <= limit and page["total"] == count
                seen += [t["id"] for t in page["tasks"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert len(seen) == len(set(seen)) == count and seen == sorted(seen)


async def test_a_deleted_id_is_never_handed_out_again(transport: str, tmp_path: Path) -> None:
    async with connect(transport, tmp_path / "todo.db") as todo:
        last = (await todo.ok("add_task", {"title": "Last"}))["task"]["id"]
        await todo.ok("delete_task", {"id": last})
        assert (await todo.ok("add_task", {"title": "Next"}))["task"]["id"] > last
