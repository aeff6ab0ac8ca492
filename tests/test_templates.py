"""`.widget` templates: the todo templates build the expected widgets; lookup by tool name; fallback on errors.

Each case in tests/render_cases/templates/ is a `<case>.data.json` ({"template", "data"}) next
to the `<case>.json` the template must produce (as chatkit's own template tests do).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult, TextContent

from gateway.config.render import RenderConfig, RenderRule, RuleMatch
from gateway.errors import ConfigError
from gateway.render.renderer import Renderer
from gateway.render.templates import TemplateLibrary
from gateway.vocabulary.actions import open_form_action, tool_call_action
from tests.render_cases.checks import CASES, actions, check, dump, of_type, texts, todo_tools, tool

ROOT = Path(__file__).resolve().parent.parent
WIDGETS = ROOT / "widgets"
CASE_DIR = CASES / "templates"
CASE_NAMES = sorted(p.name.removesuffix(".data.json") for p in CASE_DIR.glob("*.data.json"))
LIBRARY = TemplateLibrary(WIDGETS)


def widget_file(directory: Path, name: str, template: str) -> None:
    (directory / name).write_text(json.dumps({"version": "1.0", "name": name, "template": template}))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_todo_templates_build_the_expected_widget(case: str) -> None:
    spec = json.loads((CASE_DIR / f"{case}.data.json").read_text())
    built = LIBRARY.build(LIBRARY.load(spec["template"]), spec["data"])
    tree = check(built)
    expected = json.loads((CASE_DIR / f"{case}.json").read_text())
    assert tree == expected


def test_every_template_in_widgets_loads() -> None:
    assert LIBRARY.broken == {}
    assert {f"todo.{t}.widget" for t in todo_tools()} <= set(LIBRARY.names())


def test_template_actions_have_exactly_the_shape_the_gateway_issues() -> None:
    spec = json.loads((CASE_DIR / "list_tasks_mixed.data.json").read_text())
    tree = dump(LIBRARY.build(LIBRARY.load(spec["template"]), spec["data"]))
    source = {"tool": "todo.list_tasks", "arguments": {}}
    calls = actions(tree, "tool.call")
    assert tool_call_action("todo.complete_task", {"id": 1}, source=source) in calls
    assert tool_call_action("todo.delete_task", {"id": 1}, source=source) in calls
    assert tool_call_action("todo.reopen_task", {"id": 2}, source=source) in calls
    edit = {"id": 1, "title": "Buy milk", "description": "Semi-skimmed, 2 litres", "priority": "high"}
    edit |= {"due_date": "2026-03-05", "tags": ["home", "errands"]}
    assert actions(tree, "tool.form")[0] == open_form_action("todo.update_task", edit)


def test_the_renderer_uses_the_template_named_after_the_tool() -> None:
    todo = todo_tools()
    spec = json.loads((CASE_DIR / "get_task_pending.data.json").read_text())
    result = CallToolResult(
        content=[TextContent(type="text", text="{}")], structured_content=spec["data"]["result"]
    )
    rendered = Renderer(RenderConfig(), ROOT).result(todo["get_task"], {"id": 1}, result)
    tree = check(rendered)
    assert tree == json.loads((CASE_DIR / "get_task_pending.json").read_text())
    assert rendered.copy_text.startswith("Task: Buy milk")


def test_error_results_skip_the_tool_template() -> None:
    todo = todo_tools()
    result = CallToolResult(content=[TextContent(type="text", text="Task 9 not found")], is_error=True)
    tree = check(Renderer(RenderConfig(), ROOT).result(todo["get_task"], {"id": 9}, result))
    assert "Error" in texts(tree) and "Task 9 not found" in texts(tree)


@pytest.mark.parametrize(
    "template",
    [
        '{"type": "Card", "children": [{"type": "Text", "value": {{ result.missing | tojson }}}]}',
        '{"type": "Card", "children": [',
        '{"type": "Nonsense", "children": []}',
        '{"type": "Card", "children": [{% include "absent.widget" %}]}',
    ],
    ids=["missing-variable", "bad-json", "not-a-root", "bad-include"],
)
def test_a_failing_template_falls_back_to_generic_rendering_with_a_warning(
    tmp_path: Path, template: str, caplog: pytest.LogCaptureFixture
) -> None:
    widget_file(tmp_path, "srv.report.widget", template)
    renderer = Renderer(RenderConfig(templates_dir=str(tmp_path)), Path("/"))
    result = CallToolResult(
        content=[TextContent(type="text", text="{}")], structured_content={"status": "ok", "n": 2}
    )
    with caplog.at_level(logging.WARNING, logger="gateway.render.renderer"):
        rendered = renderer.result(tool("report", server="srv"), {}, result)
    tree = check(rendered)
    assert "N" in texts(tree) and rendered.copy_text
    assert any("srv.report.widget" in r.getMessage() for r in caplog.records)


def test_a_broken_template_file_is_skipped_at_load(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "srv.a.widget").write_text("{not json")
    widget_file(tmp_path, "srv.b.widget", "{% if %}")
    with caplog.at_level(logging.WARNING):
        library = TemplateLibrary(tmp_path)
    assert set(library.broken) == {"srv.a.widget", "srv.b.widget"}
    assert library.for_tool("srv", "a") is None
    assert len(caplog.records) == 2


def test_templates_can_share_a_body_by_include(tmp_path: Path) -> None:
    widget_file(
        tmp_path,
        "shared.widget",
        '{"type": "Card", "children": [{"type": "Text", "value": {{ tool | tojson }}}]}',
    )
    widget_file(tmp_path, "srv.one.widget", '{% include "shared.widget" %}')
    (tmp_path / "part.jinja").write_text('{"type": "Text", "value": {{ server | tojson }}}')
    widget_file(tmp_path, "srv.two.widget", '{"type": "Card", "children": [{% include "part.jinja" %}]}')
    renderer = Renderer(RenderConfig(templates_dir=str(tmp_path)), Path("/"))
    result = CallToolResult(content=[], structured_content={})
    assert texts(check(renderer.result(tool("one", server="srv"), {}, result))) == "srv.one"
    assert texts(check(renderer.result(tool("two", server="srv"), {}, result))) == "srv"


def test_a_tool_name_never_reaches_outside_the_templates_directory(tmp_path: Path) -> None:
    inner = tmp_path / "widgets"
    inner.mkdir()
    widget_file(
        tmp_path, "evil.widget", '{"type": "Card", "children": [{"type": "Text", "value": "outside"}]}'
    )
    library = TemplateLibrary(inner)
    assert library.for_tool("..", "evil") is None and library.for_tool("../evil", "x") is None
    with pytest.raises(Exception, match="no template file"):
        library.load("../evil.widget")


def test_a_rule_naming_a_missing_template_stops_the_start(tmp_path: Path) -> None:
    config = RenderConfig(templates_dir=str(tmp_path), rules=[RenderRule(template="nope.widget")])
    with pytest.raises(ConfigError, match=r"render\.rules\[0\]\.template: no template file 'nope.widget'"):
        Renderer(config, Path("/"))


def test_a_rule_template_wins_over_the_tool_template(tmp_path: Path) -> None:
    widget_file(
        tmp_path, "srv.t.widget", '{"type": "Card", "children": [{"type": "Text", "value": "by name"}]}'
    )
    (tmp_path / "sub").mkdir()
    widget_file(
        tmp_path / "sub",
        "ruled.widget",
        '{"type": "Card", "children": [{"type": "Text", "value": "by rule"}]}',
    )
    rule = RenderRule(match=RuleMatch(server="s*"), template="sub/ruled.widget")
    renderer = Renderer(RenderConfig(templates_dir=str(tmp_path), rules=[rule]), Path("/"))
    result = CallToolResult(content=[], structured_content={"a": 1})
    assert texts(check(renderer.result(tool("t", server="srv"), {}, result))) == "by rule"
    assert texts(check(renderer.result(tool("t", server="other"), {}, result))) == "t\nA\n1"


def test_templates_get_the_call_the_widget_came_from(tmp_path: Path) -> None:
    body = '{"type": "Card", "children": [{"type": "Text", "value": {{ [tool, server, source.tool, arguments.q, content[0].text, is_error] | tojson | tojson }}}]}'
    widget_file(tmp_path, "srv.t.widget", body)
    renderer = Renderer(RenderConfig(templates_dir=str(tmp_path)), Path("/"))
    result = CallToolResult(content=[TextContent(type="text", text="hi")], structured_content={"x": 1})
    tree: Any = check(renderer.result(tool("t", server="srv"), {"q": "w"}, result))
    assert json.loads(of_type(tree, "Text")[0]["value"]) == ["srv.t", "srv", "srv.t", "w", "hi", False]


TRICKY = [
    "plain",
    'quotes " and \\ backslash',
    "<b>&'</b>",
    "ünïcødé ✓",
    "line\nbreak\ttab",
    "a\ud800b",
    2**70,
    1.5,
    None,
]


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_a_template_carries_any_value_unchanged(value: Any, tmp_path: Path) -> None:
    # Templates write JSON with tojson (orjson's; Jinja's own for what orjson refuses, such as
    # a lone surrogate or an integer beyond 64 bits): the widget shows the server's value as it is.
    body = '{"type": "Card", "children": [{"type": "Text", "value": {{ result.v | tojson }}}]}'
    (tmp_path / "t.widget").write_text(json.dumps({"version": "1.0", "name": "t", "template": body}))
    library = TemplateLibrary(tmp_path)
    widget = library.build(library.load("t.widget"), {"result": {"v": value}})
    assert dump(widget)["children"][0].get("value") == value
