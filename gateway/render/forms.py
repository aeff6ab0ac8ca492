"""A tool's inputSchema as a ChatKit form, and the form's submit read back into arguments.

Field kinds (see `schema.form_fields`): strings → Input (Textarea for long text), enums →
Select, booleans → Checkbox, integers/numbers → Input(inputType="number"), `format: date` →
DatePicker, arrays of enums → a group of Checkboxes (chatkit's Select has no `multiple`),
arrays of strings/numbers → Input of comma-separated values, nested objects → their fields
under dotted names, anything else (oneOf, arrays of objects, free-form objects) → a Textarea
that takes JSON.

Every field is named `form_field_name(path)` (`input.<path>`), so the web component submits
`payload["input"] = {...}`, nested by the dots. Prefilled identifying arguments (a required
`id`/`*_id` property given in `values`) are fixed in the submit action instead of being
editable: an Edit form updates the item it was opened for, whatever the browser sends.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.render.coerce import DATE, coerce_fields, nest
from gateway.render.schema import FormField, form_fields, option_key, option_value, walk
from gateway.render.widget import (
    Node,
    Rendered,
    box,
    caption,
    card,
    clip,
    col,
    finish,
    row,
    scalar_text,
    text,
    title,
)
from gateway.vocabulary.actions import form_field_name, tool_call_action
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.tools import ToolInfo

_DESCRIPTION_CHARS = 300


# -- the form widget --------------------------------------------------------------------------


def build_form(
    tool: ToolInfo, *, values: dict[str, Any] | None = None, problems: dict[str, str] | None = None
) -> Rendered:
    """The form that calls `tool`: one field per argument, prefilled and annotated."""
    values = values or {}
    problems = problems or {}
    fields = form_fields(tool.input_schema)
    fixed = _fixed_arguments(fields, values, problems)
    paths = [f.path for f in walk(fields)]
    placed, general = _place_problems(problems, paths)

    children: list[Node] = [title(tool.label)]
    if tool.description:
        children.append(caption(clip(tool.description, _DESCRIPTION_CHARS)))
    if general:
        children.append(col(*(text(msg, color="danger", size="sm") for msg in general), gap=1))

    labels = {f.key: f.label for f in fields}
    body: list[Node] = [_fixed_row(labels[key], value) for key, value in fixed.items()]
    for f in fields:
        if f.path not in fixed:
            body.extend(_field_nodes(f, values, placed))
    body.append(row({"type": "Button", "label": "Run", "submit": True, "style": "primary"}, justify="end"))
    action = tool_call_action(tool.qualified, fixed)
    children.append(
        {"type": "Form", "onSubmitAction": action, "direction": "col", "gap": 3, "children": body}
    )

    names = ", ".join(f.path + ("*" if f.required else "") for f in walk(fields) if f.kind != "object")
    summary = f"Form for {tool.qualified}" + (f" ({names})" if names else " (no arguments)")
    if problems:
        summary += ". Problems: " + "; ".join(f"{k or 'arguments'}: {v}" for k, v in problems.items())
    return finish(card(*children, size="md"), summary)


def schema_fields(
    schema: dict[str, Any], *, values: dict[str, Any] | None = None, problems: dict[str, str] | None = None
) -> list[Node]:
    """A form's fields for every property of `schema` (named ``input.<path>``), prefilled and
    annotated: what a server's elicitation form shows, built as a tool's form is."""
    values, problems = values or {}, problems or {}
    fields = form_fields(schema)
    placed, general = _place_problems(problems, [f.path for f in walk(fields)])
    nodes: list[Node] = [text(msg, color="danger", size="sm") for msg in general]
    for f in fields:
        nodes.extend(_field_nodes(f, values, placed))
    return nodes


def _fixed_arguments(
    fields: list[FormField], values: dict[str, Any], problems: dict[str, str]
) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for f in fields:
        identifying = f.key == "id" or f.key.endswith("_id") or f.key.endswith("Id")
        value = values.get(f.key)
        usable = isinstance(value, (int, float, str)) and not isinstance(value, bool) and value != ""
        if (
            identifying
            and usable
            and f.required
            and f.kind in ("integer", "number", "string", "enum")
            and f.key not in problems
        ):
            fixed[f.key] = value
    return fixed


def _fixed_row(label: str, value: Any) -> Node:
    return row(
        box(caption(label), width=120), text(scalar_text(value), weight="semibold"), gap=3, align="center"
    )


def _place_problems(problems: dict[str, str], paths: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems under the field they name (or its closest parent field); the rest as a summary."""
    placed: dict[str, list[str]] = {}
    general: list[str] = []
    for key, message in problems.items():
        owner = next(
            (p for p in sorted(paths, key=len, reverse=True) if key == p or key.startswith(p + ".")), None
        )
        if owner is None:
            general.append(f"{key}: {message}" if key else message)
        else:
            placed.setdefault(owner, []).append(message if key == owner else f"{key}: {message}")
    return placed, general


def _initial(f: FormField, values: dict[str, Any]) -> Any:
    """The value a field starts with: a given value wins over the schema default."""
    if f.key in values and values[f.key] is not None:
        return values[f.key]
    return f.default if f.has_default else None


def _field_nodes(f: FormField, values: dict[str, Any], placed: dict[str, list[str]]) -> list[Node]:
    if f.kind == "object":
        given = values.get(f.key)
        nested: dict[str, Any] = given if is_object(given) else {}
        if not nested and is_object(f.default):
            nested = f.default
        inner: list[Node] = []
        for child in f.children:
            inner.extend(_field_nodes(child, nested, placed))
        head = [text(f.label + (" *" if f.required else ""), weight="semibold", size="sm")]
        if f.description:
            head.append(caption(clip(f.description, _DESCRIPTION_CHARS)))
        head += [caption(m, color="danger") for m in placed.get(f.path, [])]
        return [col(*head, col(*inner, gap=3, padding={"left": 3}), gap=2)]

    name = form_field_name(f.path)
    initial = _initial(f, values)
    nodes: list[Node] = []
    if f.kind != "boolean":
        nodes.append({"type": "Label", "value": f.label + (" *" if f.required else ""), "fieldName": name})
    nodes.append(_control(f, name, initial))
    if f.description:
        nodes.append(caption(clip(f.description, _DESCRIPTION_CHARS)))
    nodes += [caption(m, color="danger") for m in placed.get(f.path, [])]
    return [col(*nodes, gap=1)]


def _control(f: FormField, name: str, initial: Any) -> Node:
    required = {"required": True} if f.required else {}
    if f.kind == "boolean":
        return {"type": "Checkbox", "name": name, "label": f.label, "defaultChecked": initial is True}
    if f.kind == "enum":
        options = [{"value": option_value(o), "label": scalar_text(o)} for o in f.options]
        node: Node = {
            "type": "Select",
            "name": name,
            "options": options,
            "placeholder": f"Choose {f.label.lower()}",
        }
        if initial is not None and option_value(initial) in {o["value"] for o in options}:
            node["defaultValue"] = option_value(initial)
        if not f.required:
            node["clearable"] = True
        return node
    if f.kind == "multi_enum":
        chosen: set[str] = {option_value(v) for v in initial} if is_array(initial) else set()
        boxes = [
            {
                "type": "Checkbox",
                "name": f"{name}.{option_key(f.options, i)}",
                "label": scalar_text(o),
                "defaultChecked": option_value(o) in chosen,
            }
            for i, o in enumerate(f.options)
        ]
        return row(*boxes, gap=3, wrap="wrap")
    if f.kind == "date":
        node = {"type": "DatePicker", "name": name, "placeholder": "YYYY-MM-DD", "clearable": not f.required}
        if isinstance(initial, str) and DATE.match(initial):
            node["defaultValue"] = initial[:10]
        return node
    if f.kind in ("integer", "number"):
        node = {"type": "Input", "name": name, "inputType": "number", **required}
        if f.kind == "integer":
            node["placeholder"] = "A whole number"
        if isinstance(initial, (int, float)) and not isinstance(initial, bool):
            node["defaultValue"] = scalar_text(initial)
        return node
    if f.kind == "list":
        node = {"type": "Input", "name": name, "placeholder": "Comma-separated values, e.g. a, b", **required}
        if is_array(initial):
            node["defaultValue"] = ", ".join(scalar_text(v) for v in initial)
        return node
    if f.kind == "json":
        node = {
            "type": "Textarea",
            "name": name,
            "placeholder": "JSON",
            "rows": 4,
            "autoResize": True,
            **required,
        }
        if initial is not None:
            node["defaultValue"] = json.dumps(initial, indent=2, ensure_ascii=False)
        return node
    tag = "Textarea" if f.kind == "text" else "Input"
    node = {"type": tag, "name": name, **required}
    if tag == "Textarea":
        node |= {"rows": 3, "autoResize": True}
    pattern = f.schema.get("pattern")
    if isinstance(pattern, str):
        node["pattern"] = pattern
    if initial is not None and not isinstance(initial, (dict, list)):
        node["defaultValue"] = initial if isinstance(initial, str) else scalar_text(initial)
    return node


def coerce_form_values(
    schema: dict[str, Any], submitted: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed arguments from submitted form values (strings mostly), and per-field problems.

    Only properties the schema declares are kept; empty optional values are dropped; dotted
    keys (`a.b`) and nested dicts both reach nested properties.
    """
    problems: dict[str, str] = {}
    arguments = coerce_fields(form_fields(schema), nest(submitted), problems)
    return arguments, problems
