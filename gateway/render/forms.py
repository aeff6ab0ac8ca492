"""A tool's inputSchema as a ChatKit form, and the form's submit read back into arguments.

Field kinds (see `schema.form_fields`): strings → Input (Textarea for long text), enums →
Select, booleans → Checkbox, integers/numbers → Input(inputType="number"), `format: date` →
DatePicker, arrays of enums → a group of Checkboxes (chatkit's Select has no `multiple`),
arrays of strings/numbers → Input of comma-separated values, nested objects → their fields
under dotted names, arrays of objects → a repeatable group of the item's fields with "Add
entry" and "Remove" (`form_entries`), anything else (oneOf, arrays of arrays, free-form
objects) → a Textarea that takes JSON, with a skeleton of the value as its placeholder. Under
each field, its constraints in words (`form_hints`).

Every field is named `form_field_name(path)` (`input.<path>`), so the web component submits
`payload["input"] = {...}`, nested by the dots. Prefilled identifying arguments (a required
`id`/`*_id` property given in `values`) are fixed in the submit action instead of being
editable: an Edit form updates the item it was opened for, whatever the browser sends.

"Add entry" and "Remove" are `tool.entries` actions inside the form: the browser sends the
form's values along, and the gateway answers with the form re-shown in place (`edit_form_values`).
A form with such buttons leaves `required` and `pattern` off its controls (the gateway checks
both on submit), so that no browser refuses a click on "Add entry" while a field is empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.render.coerce import DATE, RawText, coerce_fields, nest, shown_values
from gateway.render.form_entries import (
    edit_entries,
    entry_fields,
    max_entries,
    min_entries,
    shown_entries,
    shown_paths,
)
from gateway.render.form_hints import constraint_hint, format_placeholder, input_type
from gateway.render.schema import FormField, form_fields, option_key, option_value, walk
from gateway.render.widget import (
    Node,
    Rendered,
    box,
    button,
    caption,
    card,
    clip,
    col,
    finish,
    row,
    scalar_text,
    spacer,
    text,
    title,
)
from gateway.vocabulary.actions import entries_action, form_field_name, tool_call_action
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.tools import ToolInfo

_DESCRIPTION_CHARS = 300
_EXAMPLE_HINT_CHARS = 120

EntryAction = Callable[[str, "int | None"], dict[str, Any]]
"""The action of an "Add entry" (index None) or "Remove" button for the group at a path."""


@dataclass(frozen=True)
class _Look:
    """How a form's fields are drawn."""

    placed: dict[str, list[str]]
    """Problems under the field path they belong to."""
    entry_action: EntryAction | None = None
    """Adds "Add entry"/"Remove" buttons to groups; None shows a fixed number of entries."""
    browser_checks: bool = True
    """Put `required`/`pattern`/typed inputs on controls (off when buttons sit in the form)."""


# -- the form widget --------------------------------------------------------------------------


def build_form(
    tool: ToolInfo,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    fixed: dict[str, Any] | None = None,
) -> Rendered:
    """The form that calls `tool`: one field per argument, prefilled and annotated. `fixed`:
    the arguments it holds fixed (shown, not editable); None: the identifying ones `values`
    brings (the id of the row a button was on)."""
    values = values or {}
    problems = problems or {}
    fields = form_fields(tool.input_schema)
    if fixed is None:
        fixed = _fixed_arguments(fields, values, problems)
    placed, general = _place_problems(problems, shown_paths(fields, values))
    grouped = any(f.kind == "group" for f in walk(fields))

    def entry_action(path: str, remove: int | None) -> dict[str, Any]:
        return entries_action(tool.qualified, fixed, path, remove=remove)

    look = _Look(placed, entry_action if grouped else None, browser_checks=not grouped)

    children: list[Node] = [title(tool.label)]
    if tool.description:
        children.append(caption(clip(tool.description, _DESCRIPTION_CHARS)))
    if general:
        children.append(col(*(text(msg, color="danger", size="sm") for msg in general), gap=1))

    labels = {f.key: f.label for f in fields}
    body: list[Node] = [_fixed_row(labels.get(key, key), value) for key, value in fixed.items()]
    for f in fields:
        if f.path not in fixed:
            body.extend(_field_nodes(f, values, look))
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
    placed, general = _place_problems(problems, shown_paths(fields, values))
    nodes: list[Node] = [text(msg, color="danger", size="sm") for msg in general]
    for f in fields:
        nodes.extend(_field_nodes(f, values, _Look(placed)))
    return nodes


def edit_form_values(
    schema: dict[str, Any], submitted: dict[str, Any], path: str, remove: int | None
) -> dict[str, Any]:
    """The values to show a form again with after "Add entry" (`remove` None) or "Remove"
    (entry `remove`) in the group at `path`: all the person entered, one entry more or less."""
    fields = form_fields(schema)
    return edit_entries(fields, shown_values(fields, nest(submitted)), path, remove)


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


def _field_nodes(f: FormField, values: dict[str, Any], look: _Look) -> list[Node]:
    if f.kind == "object":
        given = values.get(f.key)
        nested: dict[str, Any] = given if is_object(given) else {}
        if not nested and is_object(f.default):
            nested = f.default
        inner: list[Node] = []
        for child in f.children:
            inner.extend(_field_nodes(child, nested, look))
        return [col(*_heading(f, look), col(*inner, gap=3, padding={"left": 3}), gap=2)]
    if f.kind == "group":
        return [_group(f, values.get(f.key), look)]

    name = form_field_name(f.path)
    initial = _initial(f, values)
    nodes: list[Node] = []
    if f.kind != "boolean":
        nodes.append({"type": "Label", "value": f.label + (" *" if f.required else ""), "fieldName": name})
    nodes.append(_control(f, name, initial, look.browser_checks))
    if f.description:
        nodes.append(caption(clip(f.description, _DESCRIPTION_CHARS)))
    hint = constraint_hint(f)
    if f.kind == "json" and f.example:
        hint = " · ".join(h for h in (hint, "as JSON, like " + clip(f.example, _EXAMPLE_HINT_CHARS)) if h)
    if hint:
        nodes.append(caption(hint, color="secondary"))
    nodes += [caption(m, color="danger") for m in look.placed.get(f.path, [])]
    return [col(*nodes, gap=1)]


def _heading(f: FormField, look: _Look) -> list[Node]:
    """The label of an object or a group, its description, constraints and problems."""
    head = [text(f.label + (" *" if f.required else ""), weight="semibold", size="sm")]
    if f.description:
        head.append(caption(clip(f.description, _DESCRIPTION_CHARS)))
    hint = constraint_hint(f)
    if hint:
        head.append(caption(hint, color="secondary"))
    head += [caption(m, color="danger") for m in look.placed.get(f.path, [])]
    return head


def _group(f: FormField, value: Any, look: _Look) -> Node:
    """A repeatable group: one bordered block of the item's fields per entry, each with "Remove"
    (while there are more than the fewest allowed), then "Add entry" (while there is room)."""
    entries = shown_entries(f, value)
    noun = f.entry_label or "Entry"
    removable = look.entry_action is not None and len(entries) > min_entries(f)
    blocks: list[Node] = []
    for index, entry in enumerate(entries):
        top: list[Node] = [text(f"{noun} {index + 1}", weight="semibold", size="sm"), spacer()]
        if removable and look.entry_action is not None:
            remove = look.entry_action(f.path, index)
            top.append(button("Remove", remove, size="sm", variant="outline", color="danger"))
        inner: list[Node] = [row(*top, align="center")]
        inner += [caption(m, color="danger") for m in look.placed.get(f"{f.path}.{index}", [])]
        for child in entry_fields(f, index):
            inner.extend(_field_nodes(child, entry, look))
        blocks.append(col(*inner, gap=3, padding=3, border=1, radius="md"))
    most = max_entries(f)
    if look.entry_action is not None and (most is None or len(entries) < most):
        add = look.entry_action(f.path, None)
        blocks.append(row(button("Add entry", add, size="sm", variant="outline", iconStart="plus")))
    return col(*_heading(f, look), *blocks, gap=2)


def _control(f: FormField, name: str, initial: Any, checks: bool = True) -> Node:
    required = {"required": True} if f.required and checks else {}
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
        if (
            initial is not None
            and not isinstance(initial, RawText)
            and option_value(initial) in {o["value"] for o in options}
        ):
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
        elif isinstance(initial, RawText):
            node["defaultValue"] = initial.text
        return node
    if f.kind == "list":
        node = {"type": "Input", "name": name, "placeholder": "Comma-separated values, e.g. a, b", **required}
        if is_array(initial):
            node["defaultValue"] = ", ".join(scalar_text(v) for v in initial)
        elif isinstance(initial, RawText):
            node["defaultValue"] = initial.text
        return node
    if f.kind == "json":
        node = {
            "type": "Textarea",
            "name": name,
            "placeholder": f.example or "JSON",
            "rows": 4,
            "autoResize": True,
            **required,
        }
        if isinstance(initial, RawText):
            node["defaultValue"] = initial.text
        elif initial is not None:
            node["defaultValue"] = json.dumps(initial, indent=2, ensure_ascii=False)
        return node
    tag = "Textarea" if f.kind == "text" else "Input"
    node = {"type": tag, "name": name, **required}
    if tag == "Textarea":
        node |= {"rows": 3, "autoResize": True}
    pattern = f.schema.get("pattern")
    if isinstance(pattern, str) and checks:
        node["pattern"] = pattern
    kind = input_type(f) if tag == "Input" and checks else None
    if kind is not None:
        node["inputType"] = kind
    example = format_placeholder(f)
    if example is not None:
        node["placeholder"] = example
    if isinstance(initial, RawText):
        node["defaultValue"] = initial.text
    elif initial is not None and not isinstance(initial, (dict, list)):
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
