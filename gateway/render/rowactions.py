"""Buttons on a row (or an object) that call the server's other tools with the row's id.

A sibling tool qualifies when it may change something (not read-only) and its only required
argument is the row's id field. A tool that takes nothing but the id becomes a direct call
(`tool.call`); one that takes more (update_x) opens its form prefilled with the row's values
(`tool.form`). At most three, picked deterministically (two direct calls, one destructive, one form,
free slots to the rest) and shown with destructive ones last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.render.schema import object_properties
from gateway.render.widget import Node, button, humanize
from gateway.vocabulary.actions import open_form_action, tool_call_action
from gateway.vocabulary.tools import ToolInfo

MAX_ACTIONS = 3


@dataclass(frozen=True)
class RowAction:
    """One sibling tool offered on each row."""

    tool: ToolInfo
    id_param: str
    direct: bool
    label: str


def row_actions(id_key: str | None, siblings: Sequence[ToolInfo], current: ToolInfo) -> list[RowAction]:
    """The sibling tools to offer on rows whose id field is `id_key`."""
    if not id_key:
        return []
    found: list[tuple[ToolInfo, bool]] = []
    for tool in siblings:
        if tool.qualified == current.qualified or tool.read_only:
            continue
        required = tool.input_schema.get("required")
        if required != [id_key]:
            continue
        props = object_properties(tool.input_schema, tool.input_schema)
        found.append((tool, set(props) <= {id_key}))
    direct = sorted((t for t, d in found if d and not t.destructive), key=lambda t: t.name)
    destructive = sorted((t for t, d in found if d and t.destructive), key=lambda t: t.name)
    forms = sorted((t for t, d in found if not d), key=lambda t: t.name)
    # Two plain actions, one destructive, one form; free slots go to the rest in that order.
    chosen = (direct[:2] + destructive[:1] + forms[:1])[:MAX_ACTIONS]
    chosen += [t for t in direct + destructive + forms if t not in chosen][: MAX_ACTIONS - len(chosen)]
    ordered = [t for t in direct + forms + destructive if t in chosen]
    labels = _labels(ordered)
    return [
        RowAction(tool=t, id_param=id_key, direct=t not in forms, label=labels[t.qualified]) for t in ordered
    ]


def _labels(tools: list[ToolInfo]) -> dict[str, str]:
    """Short labels: the verb of `complete_task` ("Complete") unless two tools share it."""
    verbs = {t.qualified: humanize(t.name).split(" ")[0] for t in tools}
    labels: dict[str, str] = {}
    for t in tools:
        verb = verbs[t.qualified]
        unique = list(verbs.values()).count(verb) == 1
        labels[t.qualified] = verb if unique else humanize(t.label)
    return labels


def action_buttons(
    actions: Sequence[RowAction], item: dict[str, Any], id_value: Any, source: dict[str, Any]
) -> list[Node]:
    """Small buttons calling each action for this row."""
    nodes: list[Node] = []
    for a in actions:
        if a.direct:
            action = tool_call_action(a.tool.qualified, {a.id_param: id_value}, source=source)
            label = a.label
        else:
            props = object_properties(a.tool.input_schema, a.tool.input_schema)
            prefill = {k: v for k, v in item.items() if k in props and v is not None}
            action = open_form_action(a.tool.qualified, {**prefill, a.id_param: id_value})
            label = a.label + "…"
        style: dict[str, Any] = {"size": "sm", "variant": "outline"}
        if a.tool.destructive:
            style["color"] = "danger"
        nodes.append(button(label, action, **style))
    return nodes
