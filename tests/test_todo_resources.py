"""The todo server's prompt, resources and change notifications, under a real mcp.Client over stdio.

Each test runs the server as a subprocess (`python -m mcp_servers.todo --db ...`) and checks what a
user of a client would see, in the 2026-07-28 era (`Client` negotiates it by default) and, where
the two differ, in the 2025-11-25 handshake era (`mode="legacy"`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream
from mcp import Client, MCPError
from mcp.client.session import IncomingMessage
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.subscriptions import ResourcesListChanged, ResourceUpdated, ServerEvent
from mcp.types import (
    INVALID_PARAMS,
    PromptReference,
    ResourceListChangedNotification,
    ResourceTemplateReference,
    ResourceUpdatedNotification,
    TextContent,
    TextResourceContents,
)

from tests.support.todo import todo_stdio_params

WAIT = 5.0  # seconds a notification may take before the test fails
MODERN, HANDSHAKE = "auto", "legacy"
ERAS = [pytest.param(MODERN, id="2026-07-28"), pytest.param(HANDSHAKE, id="2025-11-25")]

T = TypeVar("T")


@dataclass
class Todo:
    """A client on the todo server, and every notification it received (handshake-era delivery)."""

    client: Client
    inbox: MemoryObjectReceiveStream[IncomingMessage]

    async def add(self, title: str, **fields: Any) -> dict[str, Any]:
        return await self.ok("add_task", {"title": title, **fields})

    async def ok(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(tool, arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return result.structured_content.get("task", result.structured_content)

    async def next(self, kind: type[T]) -> T:
        """The next notification of `kind` (others are skipped); fails after WAIT seconds."""
        with anyio.fail_after(WAIT):
            async for message in self.inbox:
                if isinstance(message, kind):
                    return message
        raise AssertionError("the connection closed")

    async def subscribe(self, uri: str) -> None:
        """Handshake-era `resources/subscribe` (deprecated, as the 2026-07-28 era removed it)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await self.client.subscribe_resource(uri)  # pyright: ignore[reportDeprecated]

    async def unsubscribe(self, uri: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await self.client.unsubscribe_resource(uri)  # pyright: ignore[reportDeprecated]


@asynccontextmanager
async def connect(db: Path, mode: str = MODERN) -> AsyncGenerator[Todo]:
    """The todo server on `db` over stdio, behind mcp.Client in `mode`."""
    send, receive = anyio.create_memory_object_stream[IncomingMessage](1000)

    async def collect(message: IncomingMessage) -> None:
        send.send_nowait(message)

    with send, receive:
        async with Client(todo_stdio_params(db), mode=mode, message_handler=collect) as client:
            yield Todo(client, receive)


async def next_event(events: AsyncIterator[ServerEvent]) -> ServerEvent:
    """The next event on a `subscriptions/listen` stream; fails after WAIT seconds."""
    with anyio.fail_after(WAIT):
        return await anext(events)


def prompt_text(messages: list[Any]) -> str:
    (message,) = messages
    assert message.role == "user" and isinstance(message.content, TextContent)
    return message.content.text


def task_json(contents: list[Any], uri: str) -> Any:
    (content,) = contents
    assert isinstance(content, TextResourceContents)
    assert content.uri == uri and content.mime_type == "application/json"
    return json.loads(content.text)


@pytest.mark.parametrize("mode", ERAS)
async def test_capabilities_declare_prompts_subscriptions_list_changes_and_completions(
    todo_db: Path, mode: str
) -> None:
    async with connect(todo_db, mode) as todo:
        capabilities = todo.client.server_capabilities
        assert capabilities.prompts is not None
        assert capabilities.resources is not None
        assert capabilities.resources.subscribe is True
        assert capabilities.resources.list_changed is True
        assert capabilities.completions is not None


async def test_plan_week_is_listed_with_an_optional_focus_argument(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        prompts = {p.name: p for p in (await todo.client.list_prompts()).prompts}
    plan = prompts["plan_week"]
    assert plan.title == "Plan my week" and plan.description
    (focus,) = plan.arguments or []
    assert focus.name == "focus" and not focus.required and focus.description


async def test_plan_week_names_the_open_tasks_and_not_the_completed_ones(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        await todo.add("Renew passport", priority="high", due_date="2026-12-24", tags=["admin"])
        await todo.add("Call the plumber")
        done = await todo.add("File the tax return")
        await todo.ok("complete_task", {"id": done["id"]})
        result = await todo.client.get_prompt("plan_week", {"focus": "admin"})
        plain = await todo.client.get_prompt("plan_week")
    text = prompt_text(result.messages)
    assert "Renew passport" in text and "Call the plumber" in text
    assert "File the tax return" not in text
    assert "2026-12-24" in text and "high priority" in text
    assert "admin" in text
    assert text.index("Renew passport") < text.index("Call the plumber")  # the dated one first
    assert "Focus on" not in prompt_text(plain.messages)


async def test_plan_week_says_so_when_no_task_is_open(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        done = await todo.add("Water the plants")
        await todo.ok("complete_task", {"id": done["id"]})
        result = await todo.client.get_prompt("plan_week")
    text = prompt_text(result.messages)
    assert "no open tasks" in text and "Water the plants" not in text


async def test_focus_and_task_ids_complete(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        task = await todo.add("Book flights", tags=["travel"])
        focus = await todo.client.complete(
            PromptReference(type="ref/prompt", name="plan_week"), {"name": "focus", "value": "tr"}
        )
        ids = await todo.client.complete(
            ResourceTemplateReference(type="ref/resource", uri="todo://tasks/{id}"),
            {"name": "id", "value": ""},
        )
    assert focus.completion.values == ["travel"]
    assert ids.completion.values == [str(task["id"])]


async def test_resources_list_the_open_tasks_and_the_template(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        task = await todo.add("Buy milk")
        done = await todo.add("Mow the lawn")
        await todo.ok("complete_task", {"id": done["id"]})
        resources = {r.uri: r for r in (await todo.client.list_resources()).resources}
        templates = (await todo.client.list_resource_templates()).resource_templates
    assert set(resources) == {"todo://tasks", f"todo://tasks/{task['id']}"}
    assert resources["todo://tasks"].mime_type == "application/json"
    assert resources[f"todo://tasks/{task['id']}"].title == "Buy milk"
    (template,) = templates
    assert template.uri_template == "todo://tasks/{id}" and template.mime_type == "application/json"


async def test_a_task_and_the_open_tasks_read_as_json(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        task = await todo.add("Buy milk", priority="high", due_date="2026-12-24", tags=["home"])
        done = await todo.add("Mow the lawn")
        done = await todo.ok("complete_task", {"id": done["id"]})
        one = await todo.client.read_resource(f"todo://tasks/{task['id']}")
        completed = await todo.client.read_resource(f"todo://tasks/{done['id']}")
        listing = await todo.client.read_resource("todo://tasks")
    assert task_json(one.contents, f"todo://tasks/{task['id']}") == task
    assert task_json(completed.contents, f"todo://tasks/{done['id']}") == done
    open_tasks = task_json(listing.contents, "todo://tasks")
    assert open_tasks == {"tasks": [task], "total": 1, "truncated": False}


@pytest.mark.parametrize("mode", ERAS)
async def test_reading_an_unknown_task_is_an_error_naming_it(todo_db: Path, mode: str) -> None:
    async with connect(todo_db, mode) as todo:
        with pytest.raises(MCPError) as unknown:
            await todo.client.read_resource("todo://tasks/999")
        with pytest.raises(MCPError) as malformed:
            await todo.client.read_resource("todo://tasks/milk")
    assert unknown.value.error.code == INVALID_PARAMS
    assert "Task 999 not found" in unknown.value.error.message
    assert malformed.value.error.code == INVALID_PARAMS
    assert "todo://tasks/milk" in malformed.value.error.message


async def test_a_listen_stream_hears_of_changes_to_the_tasks_it_named_only(todo_db: Path) -> None:
    async with connect(todo_db) as todo:
        watched = await todo.add("Buy milk")
        other = await todo.add("Call mum")
        uri = f"todo://tasks/{watched['id']}"
        async with todo.client.listen(resource_subscriptions=[uri]) as events:
            await todo.ok("update_task", {"id": other["id"], "title": "Call mum back"})
            await todo.ok("update_task", {"id": watched["id"], "priority": "high"})
            assert await next_event(events) == ResourceUpdated(uri=uri)  # not the other task
            await todo.ok("complete_task", {"id": watched["id"]})
            assert await next_event(events) == ResourceUpdated(uri=uri)
            await todo.ok("delete_task", {"id": watched["id"]})
            assert await next_event(events) == ResourceUpdated(uri=uri)


async def test_a_listen_stream_hears_of_list_changes(todo_db: Path) -> None:
    async with (
        connect(todo_db) as todo,
        todo.client.listen(resources_list_changed=True, resource_subscriptions=["todo://tasks"]) as events,
    ):
        await todo.add("Buy milk")
        seen = {await next_event(events), await next_event(events)}
    assert seen == {ResourceUpdated(uri="todo://tasks"), ResourcesListChanged()}


async def test_a_handshake_subscriber_gets_resources_updated_for_its_task_only(todo_db: Path) -> None:
    async with connect(todo_db, HANDSHAKE) as todo:
        watched = await todo.add("Buy milk")
        other = await todo.add("Call mum")
        uri, other_uri = f"todo://tasks/{watched['id']}", f"todo://tasks/{other['id']}"
        await todo.subscribe(uri)
        await todo.ok("update_task", {"id": other["id"], "title": "Call mum back"})
        await todo.ok("update_task", {"id": watched["id"], "priority": "high"})
        assert (await todo.next(ResourceUpdatedNotification)).params.uri == uri  # not the other task
        await todo.ok("complete_task", {"id": watched["id"]})
        assert (await todo.next(ResourceUpdatedNotification)).params.uri == uri

        await todo.subscribe(other_uri)
        await todo.unsubscribe(uri)
        await todo.ok("reopen_task", {"id": watched["id"]})
        await todo.ok("complete_task", {"id": other["id"]})
        assert (await todo.next(ResourceUpdatedNotification)).params.uri == other_uri  # unsubscribed


async def test_a_handshake_client_hears_of_list_changes(todo_db: Path) -> None:
    async with connect(todo_db, HANDSHAKE) as todo:
        task = await todo.add("Buy milk")
        await todo.next(ResourceListChangedNotification)
        await todo.ok("delete_task", {"id": task["id"]})
        await todo.next(ResourceListChangedNotification)


async def test_subscribing_to_an_unknown_task_is_refused(todo_db: Path) -> None:
    async with connect(todo_db, HANDSHAKE) as todo:
        with pytest.raises(MCPError) as refused:
            await todo.subscribe("todo://tasks/999")
    assert refused.value.error.code == INVALID_PARAMS and "999" in refused.value.error.message
