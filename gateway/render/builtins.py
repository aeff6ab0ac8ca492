"""The built-in renderers a config rule can name: card, list, table, chart, markdown, json.

Each takes the rule's options (documented in rules.py) and raises ValueError when the result
does not have the shape the options describe; the renderer then falls back to generic.
"""

from __future__ import annotations

import re
from typing import Any

from mcp.types import CallToolResult, TextContent

from gateway.config.render import (
    CardOptions,
    ChartOptions,
    ListOptions,
    RenderRule,
    TableOptions,
    TextOptions,
)
from gateway.render.blocks import json_part, text_part
from gateway.render.charts import chart_part
from gateway.render.data import Rows, find_rows, item_schema, unwrap
from gateway.render.generic import object_part, sub_schema
from gateway.render.lists import list_part, table_part
from gateway.render.parts import Context, Part, compose
from gateway.render.widget import Rendered, humanize, scalar_text
from gateway.vocabulary.json import is_array, is_object

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.-]+)\}")
_MISSING = object()


def render_builtin(rule: RenderRule, result: CallToolResult, data: Any, ctx: Context) -> Rendered:
    """Render `result` with the rule's built-in renderer and options."""
    options = rule.parsed_options()
    schema = ctx.tool.output_schema or {}
    if isinstance(options, CardOptions) and rule.renderer == "card":
        return compose([_card(options, data, ctx, schema)])
    if isinstance(options, ListOptions):
        rows, row_schema = _rows(options.items, data, schema)
        heading = _fill(options.title, data)
        return compose(
            [list_part(rows, ctx, row_schema, fields=options.fields, heading=heading, empty=options.empty)]
        )
    if isinstance(options, TableOptions):
        rows, row_schema = _rows(options.items, data, schema)
        return compose(
            [table_part(rows, ctx, row_schema, fields=options.fields, heading=_fill(options.title, data))]
        )
    if isinstance(options, ChartOptions):
        rows, _ = _rows(options.items, data, schema)
        part = chart_part(
            rows,
            ctx,
            x=options.x,
            series=options.series,
            kind=options.type,
            heading=_fill(options.title, data),
        )
        return compose([part])
    if isinstance(options, TextOptions) and rule.renderer == "markdown":
        return compose([_markdown(options, result, data, ctx)])
    if isinstance(options, TextOptions):
        value = data if options.path is None else _at(data, options.path)
        if value is _MISSING:
            raise ValueError(f"the result has no {options.path!r}")
        return compose([json_part(value, ctx, heading=_fill(options.title, data))])
    raise ValueError(f"unknown renderer {rule.renderer!r}")


def _card(options: CardOptions, data: Any, ctx: Context, schema: dict[str, Any]) -> Part:
    if options.path is None:
        obj, wrapper = unwrap(data)
        obj_schema = sub_schema(schema, schema, next(iter(data))) if wrapper else schema
    else:
        obj, wrapper = _at(data, options.path), None
        obj_schema = {}
    if not is_object(obj):
        raise ValueError("the result is not an object: the card renderer needs one (set `path`)")
    return object_part(
        obj,
        ctx,
        heading=humanize(wrapper) if wrapper else None,
        fields=options.fields,
        heading_text=_fill(options.title, obj),
        schema=obj_schema,
        root=schema,
    )


def _rows(path: str | None, data: Any, schema: dict[str, Any]) -> tuple[Rows, dict[str, Any]]:
    if path is None:
        value, _ = unwrap(data)
        unwrapped = value is not data and is_object(data)
        value_schema = sub_schema(schema, schema, next(iter(data))) if unwrapped else schema
        rows = find_rows(value)
        if rows is None:
            raise ValueError("the result holds no list of objects: set `items`")
        return rows, item_schema(value_schema, schema, rows)
    value = _at(data, path)
    if not is_array(value) or not all(is_object(i) for i in value):
        raise ValueError(f"{path!r} is not a list of objects")
    extras = {k: v for k, v in data.items() if k != path} if is_object(data) else {}
    rows = Rows(items=value, key=path.rsplit(".", 1)[-1], extras=extras if "." not in path else {})
    return rows, item_schema(schema, schema, rows) if "." not in path else {}


def _markdown(options: TextOptions, result: CallToolResult, data: Any, ctx: Context) -> Part:
    if options.path is not None:
        value = _at(data, options.path)
        if not isinstance(value, str):
            raise ValueError(f"{options.path!r} is not a string")
    else:
        value = "\n\n".join(b.text for b in result.content if isinstance(b, TextContent))
    part = text_part(value, ctx, shape="markdown")  # the rule says it is Markdown
    heading = _fill(options.title, data)
    if heading:
        part.nodes.insert(0, {"type": "Text", "value": heading, "weight": "semibold"})
    return part


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path (`a.b`, `items.0`), or _MISSING."""
    node = data
    for part in path.split("."):
        if is_object(node) and part in node:
            node = node[part]
        elif is_array(node) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _fill(template: str | None, data: Any) -> str | None:
    """`"{total} tasks"` with the result's values; unknown placeholders stay as written."""
    if template is None:
        return None

    def value(match: re.Match[str]) -> str:
        found = _at(data, match.group(1))
        return match.group(0) if found is _MISSING else scalar_text(found)

    return _PLACEHOLDER.sub(value, template)
