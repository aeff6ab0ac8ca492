"""Which actions a stored widget issued, and what the browser may add to them.

The browser sends back whatever it likes; an action that calls a tool runs only if it is one
the gateway issued. Issued means: found in a property the browser fires (`onClickAction`,
`onSubmitAction`, `onChangeAction`, a Card's confirm and cancel) of the stored widget the
action names as its sender, with the same type and payload less the form values. Form values
(`payload["input"]`) ride only on actions inside a form, and only for that form's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.vocabulary.actions import FORM_KEY
from gateway.vocabulary.json import is_array, is_object

ACTION_PROPS = ("onClickAction", "onSubmitAction", "onChangeAction")
"""The widget properties that hold an action the browser may fire (plus a Card's confirm/cancel)."""

ISSUED_PREFIXES = ("tool.", "prompt.", "resource.", "value.")
"""The action types the gateway issues (tools, MCP prompts and resources, a cut value in full)
start so."""

_FIELD_TYPES = frozenset({"Input", "Textarea", "Select", "DatePicker", "Checkbox", "RadioGroup"})


@dataclass(frozen=True)
class IssuedAction:
    """An action found where a widget fires it: its type, payload, and the form around it."""

    type: str
    payload: Any
    form_fields: frozenset[str] | None
    """The names of the fields the browser merges into this action's payload; None outside a form."""


def issued_actions(widget: Any) -> list[IssuedAction]:
    """Every gateway action (tool, prompt, resource) in the action properties of a widget tree (a dict dump).

    Only properties the browser fires count: an action-shaped value anywhere else (a chart's
    data row, say, copied from a tool result) was never issued.
    """
    found: list[IssuedAction] = []
    stack: list[tuple[Any, frozenset[str] | None]] = [(widget, None)]
    while stack:
        node, fields = stack.pop()
        if is_array(node):
            stack.extend((item, fields) for item in node)
            continue
        if not is_object(node):
            continue
        if node.get("type") == "Form" or node.get("asForm") is True:
            fields = _field_names(node)
        fired = [node.get(prop) for prop in ACTION_PROPS]
        if node.get("type") == "Card":
            fired += [
                part.get("action") for part in (node.get("confirm"), node.get("cancel")) if is_object(part)
            ]
        for action in fired:
            if (
                is_object(action)
                and isinstance(action.get("type"), str)
                and action["type"].startswith(ISSUED_PREFIXES)
            ):
                found.append(IssuedAction(action["type"], action.get("payload"), fields))
        stack.extend((value, fields) for key, value in node.items() if key not in ACTION_PROPS)
    return found


def find_issued(action_type: str, payload: Any, widget: Any) -> IssuedAction | None:
    """The issued action this one is, less the form values the browser adds; None if there is none."""
    if not is_object(payload):
        return None
    issued_part = {k: v for k, v in payload.items() if k != FORM_KEY}
    return next(
        (a for a in issued_actions(widget) if a.type == action_type and a.payload == issued_part), None
    )


def form_input(action: IssuedAction, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The form values a payload carries, kept to the fields of the action's form.

    None when the payload carries values but the action is not inside a form: a button or a
    Confirm never submits fields, so values on one were added by someone else.
    """
    submitted = payload.get(FORM_KEY)
    if submitted is None:
        return {}
    if action.form_fields is None or not is_object(submitted):
        return None
    allowed = {name.removeprefix(f"{FORM_KEY}.") for name in action.form_fields}
    return _keep(submitted, allowed, "")


def _keep(values: dict[str, Any], allowed: set[str], prefix: str) -> dict[str, Any]:
    """`values` with only the dotted paths in `allowed` (and the objects on the way to them)."""
    kept: dict[str, Any] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if path in allowed:
            kept[key] = value
        elif is_object(value) and any(name.startswith(f"{path}.") for name in allowed):
            inner = _keep(value, allowed, f"{path}.")
            if inner:
                kept[key] = inner
    return kept


def _field_names(form: dict[str, Any]) -> frozenset[str]:
    names: set[str] = set()
    stack: list[Any] = [form]
    while stack:
        node = stack.pop()
        if is_array(node):
            stack.extend(node)
        elif is_object(node):
            if node.get("type") in _FIELD_TYPES and isinstance(node.get("name"), str):
                names.add(node["name"])
            editable = node.get("editable")
            if node.get("type") == "Text" and is_object(editable) and isinstance(editable.get("name"), str):
                names.add(editable["name"])
            stack.extend(node.values())
    return frozenset(names)
