"""The widget actions the gateway issues, and the shape they come back in.

Every action that calls a tool is built here, so the renderer, the templates and the server
agree on one shape::

    {"type": "tool.call",
     "payload": {"tool": "todo.complete_task",          # qualified server.tool
                 "arguments": {"id": 3},                 # fixed arguments, issued by us
                 "source": {"tool": "todo.list_tasks",   # the call that produced the widget
                            "arguments": {}}}}           # (lets the server re-render it)

Forms add their fields under ``input.<property>``: the web component nests dotted names, so
a submit arrives as ``payload["input"] = {"title": ..., ...}``. ``input`` is never part of
what the gateway issued; everything else in the payload must match the issued action.

Other action types: ``tool.form`` opens a tool's form (payload: tool, arguments to pre-fill),
``tool.confirm`` runs a destructive call after the person confirmed it, ``tool.entries`` adds
or removes an entry of a repeatable group in a tool's form (it calls nothing).
"""

from __future__ import annotations

from typing import Any

TOOL_CALL = "tool.call"
TOOL_FORM = "tool.form"
TOOL_CONFIRM = "tool.confirm"
FORM_KEY = "input"
"""The payload key form values arrive under (fields are named ``input.<property>``)."""


def tool_call_action(
    tool: str,
    arguments: dict[str, Any] | None = None,
    *,
    source: dict[str, Any] | None = None,
    action_type: str = TOOL_CALL,
) -> dict[str, Any]:
    """An ActionConfig dict that calls `tool` (qualified name) with fixed `arguments`."""
    payload: dict[str, Any] = {"tool": tool, "arguments": dict(arguments or {})}
    if source is not None:
        payload["source"] = source
    return {"type": action_type, "payload": payload, "handler": "server", "loadingBehavior": "container"}


def open_form_action(tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    """An ActionConfig dict that answers with `tool`'s form, pre-filled with `arguments`."""
    return tool_call_action(tool, arguments, action_type=TOOL_FORM)


TOOL_ENTRIES = "tool.entries"
"""A form's "Add entry" / "Remove" buttons: payload ``{"tool", "arguments" (the form's fixed
arguments), "entries": <dotted path of the group>, "remove": <entry index>}`` (no ``remove``:
add one). The form's values ride along; the form is shown again in place with them."""


def entries_action(
    tool: str, arguments: dict[str, Any], path: str, *, remove: int | None = None
) -> dict[str, Any]:
    """An ActionConfig dict that adds an entry to the group at `path` of `tool`'s form (or removes
    entry `remove`), keeping what the form holds."""
    action = tool_call_action(tool, arguments, action_type=TOOL_ENTRIES)
    action["payload"]["entries"] = path
    if remove is not None:
        action["payload"]["remove"] = remove
    return action


def form_field_name(path: str) -> str:
    """The `name` of a form field for the argument at dotted `path` (``title`` → ``input.title``)."""
    return f"{FORM_KEY}.{path}"


TOOL_CANCEL = "tool.cancel"
"""Dismisses a confirmation card; calls nothing, so it needs no verification."""


def cancel_action() -> dict[str, Any]:
    """An ActionConfig dict for the Cancel button of a confirmation card."""
    return {"type": TOOL_CANCEL, "payload": {}, "handler": "server", "loadingBehavior": "container"}


TASK_CANCEL = "task.cancel"
"""Cancels a running MCP task: payload ``{"server": ..., "task": <task id>}``, taken only for a
task this gateway process runs for that thread and person."""


def task_cancel_action(server: str, task_id: str) -> dict[str, Any]:
    """An ActionConfig dict for the Cancel button of a running task's card."""
    payload = {"server": server, "task": task_id}
    return {"type": TASK_CANCEL, "payload": payload, "handler": "server", "loadingBehavior": "self"}


VALUE_SHOW = "value.show"
"""Shows in full a value a widget cut: payload ``{"label": ..., "text": <the whole value>}``,
taken only as issued by the stored widget that sent it (the browser cannot choose the text)."""

MAX_SHOWN_VALUE = 100_000
"""The longest value a widget offers in full; longer ones are only said to be cut."""
MAX_SHOWN_ITEMS = 1000
"""The most items of a cut list a widget offers in full (one Show all renders them all)."""


def show_value_action(label: str, value: str, *, as_data: bool = False) -> dict[str, Any]:
    """An ActionConfig dict for the "Show all" button under a cut value; `as_data`: `value` is
    the JSON of a cut list, shown rendered rather than as text."""
    payload: dict[str, Any] = {"label": label, "text": value}
    if as_data:
        payload["as"] = "data"
    return {"type": VALUE_SHOW, "payload": payload, "handler": "server", "loadingBehavior": "self"}
