"""Checks every rendering test applies: a widget is valid ChatKit, prop by prop, and its actions are ours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import chatkit.widgets as ck
from chatkit.widgets import DynamicWidgetRoot
from mcp.types import Tool, ToolAnnotations

from gateway.render.widget import Rendered
from gateway.vocabulary.actions import FORM_KEY
from gateway.vocabulary.tools import ToolInfo
from tests.support.gateway import find_nodes

CASES = Path(__file__).parent

_CLASSES: dict[str, Any] = {
    name: getattr(ck, name)
    for name in [
        "Card",
        "ListView",
        "ListViewItem",
        "Text",
        "Title",
        "Caption",
        "Markdown",
        "Badge",
        "Box",
        "Row",
        "Col",
        "Form",
        "Divider",
        "Icon",
        "Image",
        "Button",
        "Spacer",
        "Select",
        "DatePicker",
        "Checkbox",
        "Input",
        "Label",
        "RadioGroup",
        "Textarea",
        "Transition",
        "Chart",
    ]
}
_CLASSES["Basic"] = ck.BasicRoot
_ACTION_KEYS = {"type", "payload", "handler", "loadingBehavior", "streaming"}


def dump(rendered: Rendered | DynamicWidgetRoot) -> dict[str, Any]:
    """The widget as the browser receives it."""
    widget = rendered.widget if isinstance(rendered, Rendered) else rendered
    return widget.model_dump(mode="json", exclude_none=True)


def check(rendered: Rendered | DynamicWidgetRoot) -> dict[str, Any]:
    """Assert the widget is valid (every prop known to chatkit, every value allowed); return its dump."""
    if isinstance(rendered, Rendered):
        assert rendered.copy_text.strip(), "every rendering has a copy_text"
    tree = dump(rendered)
    DynamicWidgetRoot.model_validate(tree)
    assert tree["type"] in ("Card", "ListView", "Basic")
    _check_node(tree, "root")
    json.dumps(tree, allow_nan=False)  # the browser gets strict JSON
    return tree


def _check_node(node: Any, where: str) -> None:
    assert isinstance(node, dict) and isinstance(node.get("type"), str), f"{where}: not a component: {node!r}"
    cls = _CLASSES.get(node["type"])
    assert cls is not None, f"{where}: unknown component {node['type']!r}"
    unknown = set(node) - set(cls.model_fields)
    assert not unknown, f"{where}: {node['type']} has no props {sorted(unknown)}"
    shallow = {k: v for k, v in node.items() if k != "children"}
    if "children" in cls.model_fields:
        shallow["children"] = None if node["type"] == "Transition" else []
    cls.model_validate(shallow)  # raises on a value chatkit does not allow
    for key in ("onClickAction", "onSubmitAction", "onChangeAction"):
        if key in node:
            _check_action(node[key], f"{where}.{key}")
    for key in ("confirm", "cancel"):
        if key in node:
            _check_action(node[key]["action"], f"{where}.{key}")
    children = node.get("children")
    if isinstance(children, dict):
        children = [children]
    for index, child in enumerate(children or []):
        _check_node(child, f"{where}/{node['type']}[{index}]")


def _check_action(action: Any, where: str) -> None:
    assert isinstance(action, dict) and isinstance(action.get("type"), str), f"{where}: no action type"
    assert isinstance(action.get("payload"), dict), f"{where}: no payload"
    assert set(action) <= _ACTION_KEYS, f"{where}: unexpected keys {set(action) - _ACTION_KEYS}"
    assert FORM_KEY not in action["payload"], f"{where}: an issued payload must not hold {FORM_KEY!r}"
    if action["type"] in ("tool.call", "tool.form", "tool.confirm"):
        assert set(action["payload"]) <= {"tool", "arguments", "source"}
        assert isinstance(action["payload"]["tool"], str) and isinstance(action["payload"]["arguments"], dict)


find = find_nodes
"""Every dict in a widget tree for which `predicate` holds, in document order."""


def of_type(tree: Any, kind: str) -> list[dict[str, Any]]:
    """Every component of one type."""
    return find(tree, lambda n: n.get("type") == kind)


def texts(tree: Any) -> str:
    """All visible strings (value, label), joined by newlines."""
    return "\n".join(
        n[k]
        for n in find(tree, lambda n: "type" in n)
        for k in ("value", "label")
        if isinstance(n.get(k), str)
    )


def actions(tree: Any, kind: str | None = None) -> list[dict[str, Any]]:
    """Every tool action in a tree (optionally of one type)."""
    return find(
        tree,
        lambda n: (
            isinstance(n.get("type"), str)
            and n["type"].startswith("tool.")
            and "payload" in n
            and (kind is None or n["type"] == kind)
        ),
    )


def submit(action: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The action a Form submit sends, as the web component builds it.

    Field values are merged into the payload by name; a dotted name nests; a value whose key
    already exists in the payload is dropped.
    """
    payload = json.loads(json.dumps(action["payload"]))
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = payload
        for part in parents:
            existing = target.setdefault(part, {})
            if not isinstance(existing, dict):
                break
            target = existing
        else:
            if leaf not in target:
                target[leaf] = value
    return {"type": action["type"], "payload": payload}


def tool(
    name: str,
    *,
    server: str = "todo",
    input_schema: dict[str, Any] | None = None,
    output_schema: dict[str, Any] | None = None,
    read_only: bool | None = None,
    destructive: bool | None = None,
    title: str | None = None,
    description: str = "",
) -> ToolInfo:
    """A ToolInfo as the registry would build it from a listed tool."""
    annotations = None
    if read_only is not None or destructive is not None:
        annotations = ToolAnnotations(read_only_hint=read_only, destructive_hint=destructive)
    return ToolInfo(
        server=server,
        name=name,
        model_name=f"{server}__{name}",
        title=title,
        description=description,
        input_schema=input_schema or {"type": "object"},
        output_schema=output_schema,
        annotations=annotations,
    )


def load(name: str) -> Any:
    """A JSON fixture from tests/render_cases/."""
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def todo_tools() -> dict[str, ToolInfo]:
    """The todo server's tools as its tools/list answers (tests/render_cases/todo_tools.json)."""
    listed = [Tool.model_validate(t) for t in load("todo_tools.json")]
    return {t.name: ToolInfo.from_tool("todo", t) for t in listed}
