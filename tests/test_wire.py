"""gateway.wire's fast widget JSON equals what chatkit's own serializer writes, for every kind of widget."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from chatkit.server import ChatKitServer
from chatkit.types import ThreadItemDoneEvent, ThreadItemUpdatedEvent, WidgetItem, WidgetRootUpdated
from mcp.types import CallToolResult, ImageContent, TextContent

from gateway.config.render import RenderConfig
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from gateway.store.codec import dump_item, load_item
from gateway.vocabulary.actions import tool_call_action
from gateway.vocabulary.tools import ServerStatus, ToolInfo
from gateway.wire import event_json
from tests.render_cases.checks import check, find, of_type, todo_tools

ROOT = Path(__file__).resolve().parent.parent
TOOLS = todo_tools()


def todo_tool(name: str) -> ToolInfo:
    return TOOLS[name]


TASK = {
    "id": 3, "title": "Buy milk ✓", "description": "", "status": "pending", "priority": "high",
    "due_date": "2026-12-24", "tags": ["home"], "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z", "completed_at": None,
}  # fmt: skip


def widgets() -> dict[str, Rendered]:
    renderer = Renderer(RenderConfig(templates_dir=str(ROOT / "widgets")), ROOT)
    generic = Renderer(RenderConfig(templates_dir="/nonexistent"), ROOT)
    tools = list(TOOLS.values())
    listing = {"tasks": [TASK, {**TASK, "id": 4, "status": "completed"}], "total": 2, "next_cursor": None}
    return {
        "template list": renderer.result(todo_tool("list_tasks"), {}, CallToolResult(content=[], structured_content=listing)),
        "generic list": generic.result(todo_tool("list_tasks"), {}, CallToolResult(content=[], structured_content=listing), siblings=tools),
        "template card": renderer.result(todo_tool("get_task"), {"id": 3}, CallToolResult(content=[], structured_content={"task": TASK})),
        "catalog": renderer.catalog(tools, [ServerStatus(name="todo", state="up", transport="stdio", tool_count=7)]),
        "form": renderer.form(todo_tool("update_task"), values={"id": 3, "title": "x"}, problems={"title": "too short"}),
        "confirm": renderer.confirm(todo_tool("delete_task"), {"id": 3}),
        "progress": renderer.progress(todo_tool("list_tasks"), 2, 5, "halfway"),
        "error": renderer.error("todo.get_task failed", "Task 42 not found"),
        "chart": generic.result(todo_tool("list_tasks"), {}, CallToolResult(content=[], structured_content={"points": [{"day": f"2026-01-0{i}", "visits": i} for i in range(1, 6)]})),
        "blocks": generic.result(todo_tool("list_tasks"), {}, CallToolResult(content=[TextContent(type="text", text="# Hi\n" * 50), ImageContent(type="image", data="iVBORw0KGgo=", mimeType="image/png")])),
    }  # fmt: skip


CASES = widgets()


def sdk_bytes(event: Any) -> bytes:
    return ChatKitServer._serialize(None, event)  # type: ignore[arg-type]  # the SDK's own path


def widget_item(rendered: Rendered) -> WidgetItem:
    return WidgetItem(
        id="msg_1",
        thread_id="thr_1",
        created_at=datetime(2026, 11, 23, 7, 0),
        widget=rendered.widget,
        copy_text=rendered.copy_text,
    )


def test_the_form_case_is_the_edit_form_not_the_error_card() -> None:
    # `Renderer.form` answers any failure with a valid error card: without this, the form kind
    # could silently drop out of the wire tests below.
    tree = check(CASES["form"])
    assert not find(tree, lambda n: n.get("type") == "Badge" and n.get("label") == "Error")
    fields = find(tree, lambda n: "name" in n and n.get("type") != "Form")
    assert [(n["name"], n["type"]) for n in fields] == [
        ("input.title", "Input"),
        ("input.description", "Textarea"),
        ("input.priority", "Select"),
        ("input.due_date", "DatePicker"),
        ("input.clear_due_date", "Checkbox"),
        ("input.tags", "Input"),
    ]  # no input.id: the task it edits is fixed in the submit action
    assert fields[0]["defaultValue"] == "x"
    assert "too short" in [n["value"] for n in find(tree, lambda n: n.get("color") == "danger")]
    (form,) = of_type(tree, "Form")
    assert form["onSubmitAction"] == tool_call_action("todo.update_task", {"id": 3})


@pytest.mark.parametrize("name", list(CASES))
def test_events_carrying_a_widget_serialize_as_the_sdk_does(name: str) -> None:
    rendered = CASES[name]
    item = widget_item(rendered)
    for event in (
        ThreadItemDoneEvent(item=item),
        ThreadItemUpdatedEvent(item_id="msg_1", update=WidgetRootUpdated(widget=rendered.widget)),
    ):
        fast = event_json(event)
        assert fast is not None
        assert json.loads(fast) == json.loads(sdk_bytes(event))


@pytest.mark.parametrize("name", list(CASES))
def test_a_stored_widget_item_loads_back_unchanged(name: str) -> None:
    rendered = CASES[name]
    item = widget_item(rendered)
    loaded = load_item("widget", dump_item(item))
    assert json.loads(sdk_bytes(ThreadItemDoneEvent(item=loaded))) == json.loads(
        sdk_bytes(ThreadItemDoneEvent(item=item))
    )
