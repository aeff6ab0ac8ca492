"""Config render rules: the first full match wins; built-in renderers follow their options."""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult, ImageContent, TextContent
from pydantic import ValidationError

from gateway.config.render import RenderConfig, RenderRule
from gateway.render.renderer import Renderer
from tests.render_cases.checks import check, of_type, texts, tool

TASKS = {
    "tasks": [
        {"id": 1, "title": "Buy milk", "status": "pending", "owner": "ann", "due_date": "2026-01-02"},
        {"id": 2, "title": "Walk dog", "status": "completed", "owner": "bob", "due_date": None},
    ],
    "total": 2,
}
POINTS = {"points": [{"day": "mon", "visits": 3, "signups": 1}, {"day": "tue", "visits": 5, "signups": 2}]}


def renderer(*rules: dict[str, Any], **render: Any) -> Renderer:
    config = RenderConfig.model_validate({"templates_dir": "no-such-dir", **render, "rules": list(rules)})
    return Renderer(config, Path(__file__).parent)


def ok(data: Any, *blocks: Any) -> CallToolResult:
    return CallToolResult(
        content=list(blocks) or [TextContent(type="text", text="{}")], structured_content=data
    )


def rendered_tree(
    r: Renderer, result: CallToolResult, *, server: str = "todo", name: str = "list_tasks"
) -> dict[str, Any]:
    return check(r.result(tool(name, server=server), {}, result))


def test_the_first_matching_rule_wins() -> None:
    r = renderer(
        {"match": {"tool": "list_*"}, "renderer": "json"},
        {"match": {"tool": "list_tasks"}, "renderer": "table"},
    )
    tree = rendered_tree(r, ok(TASKS))
    assert of_type(tree, "Markdown")[0]["value"].startswith("```json")


@pytest.mark.parametrize(
    ("match", "server", "name", "applies"),
    [
        ({"server": "todo"}, "todo", "x", True),
        ({"server": "to*"}, "todo", "x", True),
        ({"server": "todo"}, "todos", "x", False),
        ({"tool": "*_tasks"}, "a", "list_tasks", True),
        ({"tool": "get_?"}, "a", "get_x", True),
        ({"tool": "get_?"}, "a", "get_xy", False),
        ({"server": "t*", "tool": "list_*"}, "todo", "get_task", False),
        ({"tool": "List_tasks"}, "todo", "list_tasks", False),
    ],
)
def test_rules_match_server_and_tool_globs(
    match: dict[str, str], server: str, name: str, applies: bool
) -> None:
    r = renderer({"match": match, "renderer": "json"})
    tree = rendered_tree(r, ok(TASKS), server=server, name=name)
    assert bool(of_type(tree, "Markdown")) is applies


def test_rules_match_result_shapes() -> None:
    png = base64.b64encode(b"png").decode()
    r = renderer(
        {"match": {"result": {"has_keys": ["points"]}}, "renderer": "json", "options": {"title": "points"}},
        {"match": {"result": {"content_type": "image"}}, "renderer": "json", "options": {"title": "image"}},
        {"match": {"result": {"is_error": True}}, "renderer": "json", "options": {"title": "error"}},
    )
    assert "points" in texts(rendered_tree(r, ok(POINTS)))
    image = ok({"a": 1}, ImageContent(type="image", data=png, mime_type="image/png"))
    assert "image" in texts(rendered_tree(r, image))
    error = CallToolResult(content=[TextContent(type="text", text="boom")], is_error=True)
    assert "error" in texts(rendered_tree(r, error))
    assert not of_type(rendered_tree(r, ok({"other": 1})), "Markdown")


def test_error_results_get_the_error_card_unless_a_rule_asks_for_them() -> None:
    r = renderer({"match": {"tool": "*"}, "renderer": "json"})
    error = CallToolResult(content=[TextContent(type="text", text="Task 42 not found")], is_error=True)
    rendered = r.result(tool("get_task"), {"id": 42}, error)
    assert (
        "Error" in texts(check(rendered))
        and rendered.copy_text == "Error from todo.get_task: Task 42 not found"
    )


def test_the_list_renderer_follows_its_options() -> None:
    r = renderer(
        {
            "match": {"tool": "list_tasks"},
            "renderer": "list",
            "options": {"items": "tasks", "fields": ["title", "status", "owner"], "title": "{total} to do"},
        }
    )
    tree = rendered_tree(r, ok(TASKS))
    assert tree["type"] == "ListView" and tree["status"]["text"] == "2 to do"
    first = tree["children"][0]
    assert [n["value"] for n in of_type(first, "Caption")] == ["Owner: ann"]
    assert "2026-01-02" not in texts(tree)  # only the fields asked for


def test_the_list_renderer_says_when_the_list_is_empty() -> None:
    r = renderer({"renderer": "list", "options": {"items": "tasks", "empty": "Nothing to do!"}})
    tree = rendered_tree(r, ok({"tasks": [], "total": 0}))
    assert "Nothing to do!" in texts(tree)


def test_the_table_renderer_has_a_header_row_and_one_row_per_item() -> None:
    r = renderer({"renderer": "table", "options": {"fields": ["title", "owner", "status"], "title": "Tasks"}})
    tree = rendered_tree(r, ok(TASKS))
    assert tree["type"] == "Card"
    rows = [n for n in tree["children"] if n["type"] == "Row"]
    assert [c["value"] for c in of_type(rows[0], "Caption")] == ["Title", "Owner", "Status"]
    assert texts(rows[1]) == "Buy milk\nann\npending" and texts(rows[2]) == "Walk dog\nbob\ncompleted"


def test_the_chart_renderer_follows_its_options() -> None:
    r = renderer(
        {
            "renderer": "chart",
            "options": {"items": "points", "x": "day", "series": ["signups"], "type": "area"},
        }
    )
    tree = rendered_tree(r, ok(POINTS))
    (chart,) = of_type(tree, "Chart")
    assert (
        chart["series"] == [{"type": "area", "label": "Signups", "dataKey": "signups"}]
        and chart["xAxis"] == "day"
    )


def test_the_card_renderer_shows_the_fields_asked_for() -> None:
    r = renderer(
        {
            "renderer": "card",
            "options": {"path": "tasks.0", "fields": ["owner", "status"], "title": "Task {id}"},
        }
    )
    tree = rendered_tree(r, ok(TASKS))
    assert of_type(tree, "Title")[0]["value"] == "Task 1"
    assert [n["value"] for n in of_type(tree, "Caption")] == ["Owner", "Status"]


def test_the_markdown_renderer_shows_a_string_field_or_the_text() -> None:
    r = renderer(
        {"match": {"server": "docs"}, "renderer": "markdown", "options": {"path": "body"}},
        {"renderer": "markdown"},
    )
    tree = rendered_tree(r, ok({"body": "# Title"}), server="docs")
    assert of_type(tree, "Markdown")[0]["value"] == "# Title"
    tree = rendered_tree(r, CallToolResult(content=[TextContent(type="text", text="*hi*")]))
    assert of_type(tree, "Markdown")[0]["value"] == "*hi*"


def test_a_rule_whose_options_do_not_fit_the_result_falls_back_to_generic(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = renderer({"renderer": "list", "options": {"items": "nope"}}, max_items=5)
    with caplog.at_level(logging.WARNING, logger="gateway.render.renderer"):
        rendered = r.result(tool("list_tasks"), {}, ok(TASKS))
    assert check(rendered)["type"] == "ListView"  # the generic list
    assert any("render.rules[0]" in rec.getMessage() for rec in caplog.records)


def test_a_rule_with_neither_template_nor_renderer_forces_generic_rendering(tmp_path: Path) -> None:
    (tmp_path / "todo.list_tasks.widget").write_text('{"version": "1.0", "name": "x", "template": "{}"}')
    config = RenderConfig.model_validate(
        {"templates_dir": str(tmp_path), "rules": [{"match": {"tool": "list_tasks"}}]}
    )
    tree = check(Renderer(config, Path("/")).result(tool("list_tasks"), {}, ok(TASKS)))
    assert tree["type"] == "ListView"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"renderer": "list", "options": {"colums": ["a"]}},
            "options.colums: Extra inputs are not permitted",
        ),
        ({"renderer": "chart", "options": {"type": "pie"}}, "options.type"),
        ({"template": "x.widget", "renderer": "card"}, "either `template` or `renderer`"),
        ({"options": {"items": "x"}}, "`options` apply to a built-in `renderer`"),
        ({"renderer": "graph"}, "renderer"),
        ({"match": {"result": {"content_type": "video"}}}, "content_type"),
    ],
)
def test_invalid_rules_are_refused_when_the_config_loads(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RenderConfig.model_validate({"rules": [rule]})


def test_rule_options_name_what_the_renderer_takes() -> None:
    with pytest.raises(ValidationError, match=r"takes: title, items, fields, empty"):
        RenderRule.model_validate({"renderer": "list", "options": {"bogus": 1}})
