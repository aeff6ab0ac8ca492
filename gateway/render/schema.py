"""Reading JSON schemas as servers write them: `$ref`s, nullable `anyOf`s, enums and formats.

`form_fields()` turns an inputSchema into `FormField`s, the one description of a tool's
arguments that both the form builder and `coerce_form_values` work from, so what a form
shows and how its submit is read back can never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.render.widget import humanize
from gateway.vocabulary.json import is_array, is_object, string_keys

FieldKind = Literal[
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "enum",
    "date",
    "multi_enum",
    "list",
    "object",
    "group",
    "json",
]

_MAX_DEPTH = 3
"""Objects nested deeper than this are edited as JSON."""
_LONG_TEXT_NAMES = {
    "description",
    "body",
    "content",
    "text",
    "notes",
    "note",
    "message",
    "details",
    "comment",
}
_LONG_TEXT_FORMATS = {"textarea", "multiline", "markdown"}


def resolve(schema: Any, root: dict[str, Any], _seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`schema` with local `$ref`s and single-item `allOf`s followed (annotations kept)."""
    if not is_object(schema):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in _seen:
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if is_object(target) else None
        merged = {**resolve(target, root, _seen | {ref}), **{k: v for k, v in schema.items() if k != "$ref"}}
        return merged
    all_of = schema.get("allOf")
    if is_array(all_of) and len(all_of) == 1:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return {**resolve(all_of[0], root, _seen), **rest}
    return schema


def non_null(schema: Any, root: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(`schema` without its null alternative, whether null was allowed)."""
    schema = resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if is_array(options):
            resolved = [resolve(o, root) for o in options]
            rest = [o for o in resolved if o.get("type") != "null"]
            if len(rest) == 1 and len(rest) < len(resolved):
                outer = {k: v for k, v in schema.items() if k != key}
                return {**rest[0], **outer}, True
    kind = schema.get("type")
    if is_array(kind) and "null" in kind:
        others = [k for k in kind if k != "null"]
        if len(others) == 1:
            return {**schema, "type": others[0]}, True
    return schema, False


def object_properties(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The `properties` of an object schema (empty when there are none)."""
    props = resolve(schema, root).get("properties")
    return props if is_object(props) else {}


def option_value(value: Any) -> str:
    """How an enum member travels in a Select (options are strings): strings as is, others as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def option_key(options: tuple[Any, ...], index: int) -> str:
    """The name segment of one checkbox of a multi-choice: the value when it is name-safe, else its index."""
    if all(isinstance(o, str) and o and o.replace("_", "").replace("-", "").isalnum() for o in options):
        return str(options[index])
    return str(index)


@dataclass(frozen=True)
class FormField:
    """One argument as a form field."""

    path: str
    """Dotted path of the argument (`address.city`)."""
    key: str
    """The property name in its parent object."""
    kind: FieldKind
    label: str
    required: bool
    description: str = ""
    default: Any = None
    has_default: bool = False
    options: tuple[Any, ...] = ()
    """Enum members (`enum`, `multi_enum`)."""
    item_type: str = "string"
    """Type of the members of a `list` (string, integer, number)."""
    schema: dict[str, Any] = field(default_factory=dict[str, Any], compare=False, repr=False)
    children: tuple[FormField, ...] = ()
    """The fields of an `object`; of a `group` (an array of objects), the fields of one entry,
    their paths under `<path>.*.` (`render.form_entries.entry_fields` numbers them)."""
    example: str = ""
    """For a `json` field: a skeleton of the value the schema asks for (`[{"name": ""}]`), or ""."""
    entry_label: str = ""
    """For a `group`: what one entry is called (the item schema's `title`), or ""."""


def form_fields(
    schema: Any, root: dict[str, Any] | None = None, *, prefix: str = "", depth: int = 0
) -> list[FormField]:
    """The fields of an object schema, in the schema's order (nested objects keep `children`)."""
    if not is_object(schema):
        return []
    root = schema if root is None else root
    resolved = resolve(schema, root)
    listed = resolved.get("required")
    required: list[Any] = listed if is_array(listed) else []
    fields: list[FormField] = []
    properties = object_properties(resolved, root)
    for key in string_keys(properties):
        fields.append(
            _field(key, properties[key], root, prefix=prefix, depth=depth, required=key in required)
        )
    return fields


def _field(
    key: str, prop: Any, root: dict[str, Any], *, prefix: str, depth: int, required: bool
) -> FormField:
    schema, _nullable = non_null(prop if is_object(prop) else {}, root)
    path = f"{prefix}{key}"
    label = schema.get("title") if isinstance(schema.get("title"), str) else humanize(key)
    common: dict[str, Any] = {
        "path": path,
        "key": key,
        "label": label,
        "required": required,
        "description": schema.get("description") if isinstance(schema.get("description"), str) else "",
        "default": schema.get("default"),
        "has_default": "default" in schema,
        "schema": schema,
    }
    kind, extra = _kind(key, schema, root, depth)
    if kind == "object":
        extra["children"] = tuple(form_fields(schema, root, prefix=f"{path}.", depth=depth + 1))
    elif kind == "group":
        items, _ = non_null(schema.get("items"), root)
        extra["children"] = tuple(form_fields(items, root, prefix=f"{path}.*.", depth=depth + 1))
        item_title = resolve(items, root).get("title")
        extra["entry_label"] = item_title if isinstance(item_title, str) else ""
    elif kind == "json":
        extra["example"] = example_json(schema, root)
    return FormField(kind=kind, **common, **extra)


def _kind(
    key: str, schema: dict[str, Any], root: dict[str, Any], depth: int
) -> tuple[FieldKind, dict[str, Any]]:
    if is_array(schema.get("enum")) and schema["enum"]:
        return "enum", {"options": tuple(schema["enum"])}
    if "const" in schema:
        return "enum", {"options": (schema["const"],)}
    kind = schema.get("type")
    if kind == "boolean":
        return "boolean", {}
    if kind in ("integer", "number"):
        return kind, {}
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "date", {}
        max_length = schema.get("maxLength")
        long = (
            fmt in _LONG_TEXT_FORMATS
            or key.lower() in _LONG_TEXT_NAMES
            or (isinstance(max_length, int) and max_length > 200)
        )
        return ("text" if long else "string"), {}
    if kind == "array":
        items, _ = non_null(schema.get("items") if is_object(schema.get("items")) else {}, root)
        if is_array(items.get("enum")) and items["enum"]:
            return "multi_enum", {"options": tuple(items["enum"])}
        if items.get("type") in ("string", "integer", "number") and "format" not in items:
            return "list", {"item_type": items["type"]}
        if items.get("type") in ("object", None) and depth < _MAX_DEPTH and object_properties(items, root):
            return "group", {}  # an array of objects: a repeatable group of the item's fields
        return "json", {}
    if kind == "object" and depth < _MAX_DEPTH and object_properties(schema, root):
        return "object", {}
    if kind is None and not any(k in schema for k in ("anyOf", "oneOf", "allOf", "properties", "items")):
        return "string", {}  # an untyped property: free text is the least surprising
    return "json", {}


_EXAMPLE_CHARS = 200


def example_json(schema: dict[str, Any], root: dict[str, Any]) -> str:
    """A skeleton of what `schema` asks for, as compact JSON, when it is an object or an array
    (`[{"name": "", "count": 0}]`); "" for anything else (a scalar needs no skeleton)."""
    budget = [_SKELETON_NODES]
    value = _skeleton(schema, root, 0, budget)
    if not isinstance(value, (dict, list)) or budget[0] < 0:
        return ""  # a scalar needs none; a schema this wide or self-referencing gets none
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _EXAMPLE_CHARS else ""


_SKELETON_NODES = 200
"""Schemas a skeleton visits before giving up: breadth times depth of a self-referencing
schema would otherwise grow without bound."""


def _skeleton(schema: Any, root: dict[str, Any], depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if depth > _MAX_DEPTH + 2 or budget[0] < 0:
        return None
    schema, _ = non_null(schema, root)
    if is_array(schema.get("enum")) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if is_array(options) and options:
            return _skeleton(options[0], root, depth + 1, budget)
    kind = schema.get("type")
    if kind == "object" or (kind is None and "properties" in schema):
        properties = object_properties(schema, root)
        return {k: _skeleton(properties[k], root, depth + 1, budget) for k in string_keys(properties)}
    if kind == "array" or (kind is None and "items" in schema):
        items = schema.get("items")
        return [_skeleton(items, root, depth + 1, budget)] if is_object(items) and items else []
    return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(str(kind))


def walk(fields: list[FormField] | tuple[FormField, ...]) -> list[FormField]:
    """Every field, an object's nested ones included, depth first (not a group's entry fields:
    each entry has its own, numbered by `render.form_entries.entry_fields`)."""
    out: list[FormField] = []
    for f in fields:
        out.append(f)
        if f.kind == "object":
            out.extend(walk(f.children))
    return out
