"""Helpers for chat-flow tests: find widgets' buttons and forms, read the todo database."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

from tests.support.gateway import ROOT, ChatKitClient, Reply, find_nodes


def buttons(widget: dict[str, Any], label: str | None = None) -> list[dict[str, Any]]:
    """Buttons in a widget tree (optionally only those with this label)."""
    return find_nodes(
        widget,
        lambda n: n.get("type") == "Button" and (label is None or n.get("label") == label),
    )


def actions_for(widget: dict[str, Any], tool: str, action_type: str = "tool.call") -> list[dict[str, Any]]:
    """Every action dict in the widget that targets `tool` (qualified) with `action_type`."""
    return find_nodes(
        widget,
        lambda n: (
            n.get("type") == action_type
            and isinstance(n.get("payload"), dict)
            and n["payload"].get("tool") == tool
        ),
    )


def form_action(widget: dict[str, Any]) -> dict[str, Any]:
    """The submit action of the form in a widget (Form.onSubmitAction or Card asForm confirm)."""
    found = find_nodes(widget, lambda n: isinstance(n.get("onSubmitAction"), dict))
    if found:
        return found[0]["onSubmitAction"]
    submit = find_nodes(
        widget, lambda n: n.get("type") == "Button" and n.get("submit") and n.get("onClickAction")
    )
    if submit:
        return submit[0]["onClickAction"]
    if widget.get("asForm") and isinstance(widget.get("confirm"), dict):
        return widget["confirm"]["action"]
    raise AssertionError(f"no form submit action in {widget}")


def field_names(widget: dict[str, Any]) -> list[str]:
    """The `name` of every form field in a widget."""
    return [n["name"] for n in find_nodes(widget, lambda n: isinstance(n.get("name"), str) and "type" in n)]


def field(widget: dict[str, Any], name: str) -> dict[str, Any]:
    """The form field called `name`."""
    found = find_nodes(widget, lambda n: n.get("name") == name and "type" in n)
    assert found, f"no field {name} in {field_names(widget)}"
    return found[0]


def text_of(widget: Any) -> str:
    """All visible strings of a widget tree, joined (for 'the person can read X' checks)."""
    values = find_nodes(widget, lambda n: any(isinstance(n.get(k), str) for k in ("value", "label", "title")))
    parts = []
    for node in values:
        for key in ("value", "label", "title"):
            if isinstance(node.get(key), str):
                parts.append(node[key])
    return "\n".join(parts)


def is_error_card(widget: dict[str, Any]) -> bool:
    """Whether a widget tree is an error card: it carries the red "Error" badge."""
    return bool(find_nodes(widget, lambda n: n.get("type") == "Badge" and n.get("label") == "Error"))


def last_widget(reply: Reply) -> dict[str, Any]:
    """The last widget item finished in a stream."""
    widgets = reply.widgets()
    assert widgets, f"no widget in {[e['type'] for e in reply.events]}"
    return widgets[-1]


def todo_call(db: Path, tool: str, arguments: dict[str, Any]) -> Any:
    """Call the todo server on `db` directly (a separate process), for ground truth."""

    async def run() -> Any:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "mcp_servers.todo", "--db", str(db)], cwd=str(ROOT)
        )
        async with Client(params) as client:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            return result.structured_content

    return asyncio.run(run())


def tasks(db: Path) -> list[dict[str, Any]]:
    """Every task in the todo database on `db`."""
    return todo_call(db, "list_tasks", {"limit": 100})["tasks"]


def newest_stored_widget(
    client: ChatKitClient, has: Callable[[dict[str, Any]], bool], seconds: float = 20
) -> tuple[dict[str, Any], str]:
    """The first widget item of the newest thread for which `has(widget)` holds, once it is in
    the store (an action needs a stored sender), and its thread id; waits for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        threads = client.list_threads(order="desc", limit=1).json["data"]
        if threads:
            items = client.list_items(threads[0]["id"]).json["data"]
            found = [i for i in items if i["type"] == "widget" and has(i["widget"])]
            if found:
                return found[0], threads[0]["id"]
        time.sleep(0.1)
    raise AssertionError(f"no such widget appeared within {seconds:g} s")
