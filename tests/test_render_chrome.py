"""The gateway's own widgets: catalog, progress, confirmation and error cards."""

from __future__ import annotations

from pathlib import Path

from gateway.config.render import RenderConfig
from gateway.render.chrome import PROGRESS_TEXT_ID
from gateway.render.renderer import Renderer
from gateway.vocabulary.actions import cancel_action, open_form_action, tool_call_action
from gateway.vocabulary.tools import ServerStatus
from tests.render_cases.checks import actions, check, find, of_type, texts, todo_tools, tool

RENDERER = Renderer(RenderConfig(), Path(__file__).resolve().parent.parent)


def test_the_catalog_lists_servers_with_their_state_and_every_tool_with_an_open_button() -> None:
    todo = todo_tools()
    time_tool = tool(
        "get_current_time", server="time", read_only=True, description="Now, in a timezone. " * 30
    )
    servers = [
        ServerStatus(name="todo", state="up", transport="stdio", tool_count=7),
        ServerStatus(name="time", state="up", transport="stdio", tool_count=1),
        ServerStatus(name="weather", state="down", transport="streamable-http", error="connection refused"),
    ]
    rendered = RENDERER.catalog([*todo.values(), time_tool], servers)
    tree = check(rendered)
    visible = texts(tree)
    for name in todo:
        assert actions(tree, "tool.form").count(open_form_action(f"todo.{name}")) == 1
    assert open_form_action("time.get_current_time") in actions(tree, "tool.form")
    assert {"todo", "time", "weather", "Add task", "connection refused"} <= set(visible.split("\n"))
    states = {b["label"]: b["color"] for b in of_type(tree, "Badge") if b["label"] in ("up", "down")}
    assert states == {"up": "success", "down": "danger"}
    assert "read-only" in visible and "destructive" in visible
    (description,) = [n for n in of_type(tree, "Caption") if n["value"].startswith("Now, in")]
    assert len(description["value"]) <= 160
    assert rendered.copy_text.startswith("8 tools on 3 servers.")
    assert "weather (down: connection refused; 0 tools)" in rendered.copy_text


def test_a_catalog_without_servers_says_so() -> None:
    rendered = RENDERER.catalog([], [])
    assert "No MCP servers are configured." in texts(check(rendered)) and rendered.copy_text


def test_progress_with_a_total_shows_the_step_a_bar_and_a_percentage() -> None:
    rendered = RENDERER.progress(tool("import"), 3, 5, "copying rows")
    tree = check(rendered)
    (line,) = find(tree, lambda n: n.get("id") == PROGRESS_TEXT_ID)
    assert line["type"] == "Text" and line["value"] == "Step 3 of 5 — copying rows"
    assert "60%" in texts(tree)
    assert any(n.get("width") == "60%" for n in of_type(tree, "Box"))
    assert rendered.copy_text == "import: Step 3 of 5 — copying rows"


def test_progress_without_a_total_says_how_far_it_got() -> None:
    rendered = RENDERER.progress(tool("crawl"), 12.0, None, None)
    tree = check(rendered)
    (line,) = find(tree, lambda n: n.get("id") == PROGRESS_TEXT_ID)
    assert line["value"] == "Working… (12 so far)"
    assert not any(
        n.get("width", "").endswith("%") and n.get("width") != "100%" for n in of_type(tree, "Box")
    )


def test_fractional_progress_is_a_percentage() -> None:
    tree = check(RENDERER.progress(tool("x"), 0.25, 1.0, "a quarter"))
    (line,) = find(tree, lambda n: n.get("id") == PROGRESS_TEXT_ID)
    assert line["value"] == "25% done — a quarter"


def test_confirmation_lists_the_arguments_and_offers_confirm_and_cancel() -> None:
    delete = todo_tools()["delete_task"]
    source = {"tool": "todo.list_tasks", "arguments": {}, "item_id": "msg_1"}
    rendered = RENDERER.confirm(delete, {"id": 3}, source=source)
    tree = check(rendered)
    assert tree["confirm"] == {
        "label": "Delete task",
        "action": tool_call_action("todo.delete_task", {"id": 3}, source=source, action_type="tool.confirm"),
    }
    assert tree["cancel"] == {"label": "Cancel", "action": cancel_action()}
    assert "Delete task 3?" in texts(tree)
    assert rendered.copy_text == "Confirm todo.delete_task(id=3)?"


def test_confirmation_with_several_arguments_lists_each() -> None:
    tree = check(RENDERER.confirm(tool("wipe", destructive=True), {"scope": "all", "keep": ["a", "b"]}))
    visible = texts(tree)
    assert "Wipe?" in visible and "Scope" in visible and "all" in visible and "a, b" in visible
    assert "source" not in tree["confirm"]["action"]["payload"]


def test_an_error_card_names_the_tool_and_the_message() -> None:
    rendered = RENDERER.error("Add task failed", "The todo server is down.", tool=todo_tools()["add_task"])
    tree = check(rendered)
    assert {"label": "Error", "color": "danger", "type": "Badge"} in of_type(tree, "Badge")
    assert {"Add task failed", "The todo server is down.", "todo.add_task"} <= set(texts(tree).split("\n"))
    assert rendered.copy_text == "Add task failed: The todo server is down."
    assert RENDERER.error("Oops", "x" * 10_000).copy_text.endswith("…")
