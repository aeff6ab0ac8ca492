"""Any tool result renders as a readable widget with no template: objects, lists, charts, media, errors."""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Any

import pytest
from mcp.types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from gateway.config.render import RenderConfig
from gateway.render.renderer import Renderer
from gateway.vocabulary.actions import open_form_action, tool_call_action
from tests.render_cases.checks import actions, check, find, of_type, texts, todo_tools, tool

NO_TEMPLATES = Renderer(RenderConfig(templates_dir="no-such-dir"), Path(__file__).parent)
WEATHER = tool("get_weather", server="weather", read_only=True)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 20).decode()


def task(i: int, **extra: Any) -> dict[str, Any]:
    base = {"id": i, "title": f"Task {i}", "description": None, "status": "pending", "priority": "low"}
    base |= {
        "due_date": None,
        "tags": [],
        "created_at": "2026-01-01T10:00:00",
        "updated_at": "2026-01-01T10:00:00",
    }
    return base | {"completed_at": None} | extra


def structured(data: Any, *, text: str | None = None) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text or "{}")], structured_content=data)


def render(
    result: CallToolResult, *, on: Any = WEATHER, arguments: dict[str, Any] | None = None, siblings: Any = ()
) -> Any:
    rendered = NO_TEMPLATES.result(on, arguments or {}, result, siblings=siblings)
    return rendered, check(rendered)


def test_an_object_becomes_a_card_of_labelled_fields() -> None:
    data = {
        "city": "Oslo",
        "temperature": 4.5,
        "status": "ok",
        "wind": {"speed": 3, "dir": "N"},
        "alerts": ["fog", "ice"],
    }
    rendered, tree = render(structured(data))
    assert tree["type"] == "Card"
    captions = [n["value"] for n in of_type(tree, "Caption")]
    assert {"City", "Temperature", "Wind", "Alerts"} <= set(captions)
    assert "4.5" in texts(tree) and "Speed: 3" in texts(tree)
    assert [b["label"] for b in of_type(tree, "Badge")] == ["ok", "fog", "ice"]
    assert "city: Oslo" in rendered.copy_text and "temperature: 4.5" in rendered.copy_text


def test_an_object_under_a_single_key_is_titled_by_its_title_field() -> None:
    todo = todo_tools()
    rendered, tree = render(
        structured({"task": task(3, title="Buy milk")}), on=todo["get_task"], arguments={"id": 3}
    )
    (heading,) = of_type(tree, "Title")
    assert heading["value"] == "Buy milk"
    assert "Task" in [n["value"] for n in of_type(tree, "Caption")]
    assert rendered.copy_text.startswith("Task: Buy milk")


def test_a_list_of_objects_becomes_a_list_view_with_the_telling_fields() -> None:
    todo = todo_tools()
    data = {
        "tasks": [
            task(1, title="Buy milk", due_date="2026-12-24", tags=["home"]),
            task(2, status="completed"),
        ]
    }
    rendered, tree = render(structured(data | {"total": 2, "next_cursor": None}), on=todo["list_tasks"])
    assert tree["type"] == "ListView" and tree["status"]["text"] == "2 tasks"
    first = tree["children"][0]
    assert next(n["value"] for n in of_type(first, "Text")) == "Buy milk"
    assert [b["label"] for b in of_type(first, "Badge")] == ["pending", "low", "home"]
    assert {"#1", "Due date: 2026-12-24"} <= {n["value"] for n in of_type(first, "Caption")}
    assert rendered.copy_text == "2 tasks: Buy milk (pending, low), Task 2 (completed, low)"


def test_a_top_level_list_and_the_output_schema_wrapper_render_as_lists() -> None:
    rows = [{"name": "a", "kind": "x", "size": "big"}, {"name": "b", "kind": "y", "size": "small"}]
    rendered, tree = render(structured({"result": rows}))
    assert tree["type"] == "ListView" and rendered.copy_text.startswith("2 items: a (x), b (y)")
    rendered, tree = render(
        CallToolResult(content=[TextContent(type="text", text='[{"name": "a"}, {"name": "b"}]')])
    )
    assert tree["type"] == "ListView" and "a" in texts(tree)


def test_an_empty_list_says_so() -> None:
    rendered, tree = render(structured({"tasks": [], "total": 0}), on=todo_tools()["list_tasks"])
    assert "No tasks." in texts(tree) and rendered.copy_text == "No tasks"


def test_row_actions_call_sibling_tools_with_the_row_id() -> None:
    todo = todo_tools()
    siblings = [t for t in todo.values() if t.name != "list_tasks"]
    _, tree = render(structured({"tasks": [task(5)], "total": 1}), on=todo["list_tasks"], siblings=siblings)
    buttons = of_type(tree["children"][0], "Button")
    assert [b["label"] for b in buttons] == ["Complete", "Reopen", "Delete"]
    source = {"tool": "todo.list_tasks", "arguments": {}}
    assert buttons[0]["onClickAction"] == tool_call_action("todo.complete_task", {"id": 5}, source=source)
    assert buttons[2]["color"] == "danger"  # destructive last, and red
    assert not actions(tree, "tool.call") or all(
        a["payload"]["tool"] != "todo.get_task" for a in actions(tree)
    )


def test_a_sibling_with_more_arguments_opens_its_form_prefilled() -> None:
    todo = todo_tools()
    siblings = [todo["update_task"], todo["get_task"]]
    _, tree = render(structured({"task": task(5, title="Draft")}), on=todo["get_task"], siblings=siblings)
    (edit,) = of_type(tree, "Button")
    assert edit["label"] == "Update…"
    expected = {"id": 5, "title": "Draft", "priority": "low", "tags": []}
    assert edit["onClickAction"] == open_form_action("todo.update_task", expected)


def test_row_actions_are_capped_and_deterministic() -> None:
    id_only = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    siblings = [tool(f"do_{c}", input_schema=id_only) for c in "dcba"] + [
        tool("zap", input_schema=id_only, destructive=True)
    ]
    _, tree = render(structured([{"id": 1, "name": "x"}]), on=tool("list"), siblings=siblings)
    assert [b["label"] for b in of_type(tree, "Button")] == ["Do a", "Do b", "Zap"]


def test_numbers_over_time_become_a_chart_with_the_numbers_in_the_summary() -> None:
    points = [{"day": f"2026-01-0{i}", "visits": i * 10, "signups": i} for i in range(1, 6)]
    rendered, tree = render(structured({"points": points}))
    (chart,) = of_type(tree, "Chart")
    assert chart["xAxis"] == "day" and [s["dataKey"] for s in chart["series"]] == ["visits", "signups"]
    assert {s["type"] for s in chart["series"]} == {"line"}
    assert "2026-01-01: visits=10, signups=1" in rendered.copy_text


def test_numbers_over_categories_become_a_bar_chart() -> None:
    _, tree = render(structured([{"fruit": "apple", "count": 3}, {"fruit": "pear", "count": 5}]))
    (chart,) = of_type(tree, "Chart")
    assert chart["series"] == [{"type": "bar", "label": "Count", "dataKey": "count"}]


def test_a_list_with_several_text_fields_is_not_a_chart() -> None:
    _, tree = render(structured([task(1), task(2)]))
    assert not of_type(tree, "Chart")


def test_text_becomes_markdown() -> None:
    rendered, tree = render(CallToolResult(content=[TextContent(type="text", text="# Hi\n\n*there*")]))
    assert of_type(tree, "Markdown")[0]["value"] == "# Hi\n\n*there*"
    assert rendered.copy_text == "# Hi *there*"


def test_an_image_is_shown_from_a_data_url() -> None:
    result = CallToolResult(
        content=[
            TextContent(type="text", text="Here:"),
            ImageContent(type="image", data=PNG, mime_type="image/png"),
        ]
    )
    rendered, tree = render(result)
    (image,) = of_type(tree, "Image")
    assert image["src"] == f"data:image/png;base64,{PNG}"
    assert "Image (image/png" in rendered.copy_text


def test_an_image_with_a_strange_mime_type_is_described_not_embedded() -> None:
    result = CallToolResult(content=[ImageContent(type="image", data=PNG, mime_type='text/html"><script>')])
    _rendered, tree = render(result)
    assert not of_type(tree, "Image") and "cannot be shown" in texts(tree)


def test_audio_is_noted() -> None:
    rendered, tree = render(
        CallToolResult(content=[AudioContent(type="audio", data=PNG, mime_type="audio/wav")])
    )
    assert "audio/wav" in texts(tree) and rendered.copy_text.startswith("Audio clip (audio/wav")


def test_an_embedded_resource_shows_its_uri_type_and_a_preview() -> None:
    resource = TextResourceContents(
        uri="file:///notes/todo.txt", mime_type="text/plain", text="line\n" * 2000
    )
    rendered, tree = render(CallToolResult(content=[EmbeddedResource(type="resource", resource=resource)]))
    assert (
        "todo.txt" in texts(tree) and "file:///notes/todo.txt" in texts(tree) and "text/plain" in texts(tree)
    )
    (preview,) = of_type(tree, "Markdown")
    assert len(preview["value"]) < 2000 and preview["value"].startswith("line\\\nline")
    hidden = 10_000 - len(preview["value"].replace("\\\n", "\n"))
    assert f"…{hidden:,} more characters not shown." in texts(tree)
    (show_all,) = [b for b in of_type(tree, "Button") if b["label"] == "Show all"]
    assert show_all["onClickAction"]["payload"]["text"] == "line\n" * 2000
    assert rendered.copy_text == "Resource file:///notes/todo.txt (text/plain)"


def test_an_embedded_image_blob_is_shown() -> None:
    resource = BlobResourceContents(uri="mem://logo.png", mime_type="image/png", blob=PNG)
    _, tree = render(CallToolResult(content=[EmbeddedResource(type="resource", resource=resource)]))
    assert of_type(tree, "Image")[0]["src"].startswith("data:image/png;base64,")


def test_a_resource_link_shows_name_uri_and_type() -> None:
    link = ResourceLink(
        type="resource_link",
        name="report",
        uri="https://example.com/r.pdf",
        mime_type="application/pdf",
        size=2048,
    )
    rendered, tree = render(CallToolResult(content=[link]))
    assert {"report", "https://example.com/r.pdf", "application/pdf · 2,048 bytes"} <= set(
        texts(tree).split("\n")
    )
    assert rendered.copy_text == "Link: report <https://example.com/r.pdf>"


def test_an_error_result_becomes_an_error_card_with_the_servers_message() -> None:
    result = CallToolResult(
        content=[TextContent(type="text", text="Error executing tool get_task: Task 42 not found")],
        is_error=True,
    )
    rendered, tree = render(result, on=todo_tools()["get_task"], arguments={"id": 42})
    assert {"label": "Error", "color": "danger", "type": "Badge"} in of_type(tree, "Badge")
    assert "Task 42 not found" in texts(tree)
    assert rendered.copy_text == "Error from todo.get_task: Error executing tool get_task: Task 42 not found"


def test_an_error_without_a_message_still_explains() -> None:
    rendered, _ = render(CallToolResult(content=[], is_error=True))
    assert "without a message" in rendered.copy_text


def test_a_huge_list_is_cut_with_a_note_of_what_was_left_out() -> None:
    rows = [{"id": i, "name": f"row {i}"} for i in range(1000)]
    rendered, tree = render(structured({"rows": rows, "total": 1000}))
    items = tree["children"]
    assert len(items) == 20 + 1
    assert "…and 980 more" in texts(items[-1])
    assert rendered.copy_text.startswith("1,000 rows: row 0, row 1")
    assert len(rendered.copy_text) <= 600


def test_a_server_total_larger_than_the_page_is_reported() -> None:
    _, tree = render(structured({"tasks": [task(1)], "total": 45, "next_cursor": "abc"}))
    assert "Showing 1 of 45 tasks." in texts(tree) and "Next cursor: abc" in texts(tree)


def test_huge_text_is_cut_with_a_note() -> None:
    rendered, tree = render(CallToolResult(content=[TextContent(type="text", text="x" * 50_000)]))
    (md,) = of_type(tree, "Markdown")
    assert md["value"] == "x" * 4000 and "…46,000 more characters not shown." in texts(tree)
    (show_all,) = [b for b in of_type(tree, "Button") if b["label"] == "Show all"]
    assert show_all["onClickAction"]["payload"] == {"label": "Text", "text": "x" * 50_000}
    assert len(rendered.copy_text) <= 600


def test_the_output_schema_orders_the_fields() -> None:
    schema = {"type": "object", "properties": {"z": {"type": "integer"}, "a": {"type": "integer"}}}
    _, tree = render(structured({"a": 1, "z": 2}), on=tool("t", output_schema=schema))
    assert [n["value"] for n in of_type(tree, "Caption")] == ["Z", "A"]


def test_structured_content_and_media_render_together() -> None:
    result = CallToolResult(
        content=[
            TextContent(type="text", text='{"a": 1}'),
            ImageContent(type="image", data=PNG, mime_type="image/png"),
        ],
        structured_content={"a": 1},
    )
    _, tree = render(result)
    assert tree["type"] == "Card" and of_type(tree, "Image") and of_type(tree, "Divider")


def test_nothing_returned_says_so() -> None:
    rendered, _ = render(CallToolResult(content=[]))
    assert "returned nothing" in rendered.copy_text


def _deep(n: int) -> Any:
    value: Any = "bottom"
    for _ in range(n):
        value = {"next": value}
    return value


GARBAGE = [
    None,
    0,
    "plain string",
    [],
    {},
    [1, "two", None, {"three": 3}, [4]],
    [[1, 2], [3, 4]],
    {"a": math.nan, "b": math.inf},
    [{"x": math.nan, "label": "a"}, {"x": 1.0, "label": "b"}],
    {"list": [{}], "other": [{}]},
    {"title": 5, "status": {"nested": True}, "id": [1, 2]},
    {"id": None, "name": None},
    [{"id": {"weird": 1}, "title": ["x"]}],
    {"": "", " ": [None]},
    _deep(400),
    {"items": [{"a": 1}, "not an object"]},
    [{"day": "2026-01-01", "v": True}, {"day": "2026-01-02", "v": False}],
    {"huge": "y" * 100_000, "many": list(range(10_000))},
    [{"k": i} for i in range(5000)],
]


@pytest.mark.parametrize("data", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_garbage_shapes_never_break_rendering(data: Any) -> None:
    todo = todo_tools()
    for on in (WEATHER, todo["list_tasks"], todo["get_task"]):
        rendered, _ = render(structured(data), on=on, siblings=list(todo.values()))
        assert rendered.copy_text
    render(CallToolResult(content=[TextContent(type="text", text=str(data)[:1000])]))


def test_unexpected_content_blocks_never_break_rendering() -> None:
    result = CallToolResult.model_construct(
        content=[{"type": "video", "url": "x"}, object()], structured_content=None
    )
    rendered, tree = render(result)
    assert rendered.copy_text and tree["type"] == "Card"


def test_every_issued_action_carries_the_source_call() -> None:
    todo = todo_tools()
    _, tree = render(
        structured({"tasks": [task(1), task(2)], "total": 2}),
        on=todo["list_tasks"],
        arguments={"status": "pending"},
        siblings=list(todo.values()),
    )
    calls = actions(tree, "tool.call")
    assert calls and all(
        a["payload"]["source"] == {"tool": "todo.list_tasks", "arguments": {"status": "pending"}}
        for a in calls
    )
    assert not find(tree, lambda n: n.get("type") == "tool.call" and "input" in n["payload"])
