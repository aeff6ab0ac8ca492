"""Schema-driven rendering: any tool result as a widget, with no template written for it.

structuredContent (or JSON text) first, read with the tool's outputSchema: a list of objects
becomes a list (or a chart, for numbers over categories or time), an object a card of
labelled fields. Then the content blocks: text as Markdown, images inline, audio described,
resources previewed. Lists are cut to render.max_items rows and text to
render.max_text_chars, each with a note of what was left out.

The content blocks arrive already cut to those the person is shown, highest priority first
(`Renderer.result` applies `blocks.person_view`); a result whose content was all for the
assistant shows as "returned nothing to show".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mcp.types import CallToolResult, TextContent

from gateway.render.blocks import block_part, text_nodes, text_part
from gateway.render.charts import chart_part
from gateway.render.data import (
    STATUS_KEYS,
    TITLE_KEYS,
    Rows,
    chart_shape,
    compact,
    find_rows,
    is_scalar,
    item_schema,
    key_order,
    result_data,
    summarize_object,
    tag_like,
    unwrap,
)
from gateway.render.lists import list_part, scalar_list_part, table_nodes, table_summary
from gateway.render.parts import Context, Part, compose, summary_of
from gateway.render.rowactions import action_buttons, row_actions
from gateway.render.schema import non_null, object_properties
from gateway.render.text import json_in_text, records_in_text
from gateway.render.trees import is_tree, tree_part
from gateway.render.widget import (
    Node,
    Rendered,
    badge,
    badge_color,
    box,
    button,
    caption,
    card,
    clip,
    clip_with_note,
    col,
    finish,
    humanize,
    more_note,
    note,
    row,
    scalar_text,
    spacer,
    text,
    title,
)
from gateway.vocabulary.actions import MAX_SHOWN_VALUE, show_value_action
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.tools import ToolInfo

_FIELD_CHARS = 1000
"""Characters of a text field shown in a card before it is cut (with a note and Show all)."""
CONTENT_KEYS = ("content", "text", "result", "output", "message", "value", "data", "body", "markdown")
"""Names of a lone text field that say nothing about it: its text is shown without a label."""


def render_result(result: CallToolResult, ctx: Context) -> Rendered:
    """The generic widget for a result (errors included)."""
    if result.is_error:
        return error_result(result, ctx)
    return compose(result_parts(result, ctx))


def summarize_result(result: CallToolResult, ctx: Context) -> str:
    """The generic rendering's copy_text alone, without building (and validating) its widget."""
    if result.is_error:
        return error_result(result, ctx).copy_text
    return summary_of(result_parts(result, ctx))


def result_parts(result: CallToolResult, ctx: Context) -> list[Part]:
    """The sections the generic rendering of a successful result is made of."""
    data = result_data(result)
    parts: list[Part] = []
    if data is not None:
        schema = ctx.tool.output_schema or {}
        parts.append(data_part(data, ctx, schema, schema))
        blocks = [b for b in result.content if not isinstance(b, TextContent)]
    else:
        blocks = list(result.content)
    for block in blocks[: ctx.max_items]:
        parts.append(
            text_value_part(block.text, ctx) if isinstance(block, TextContent) else block_part(block, ctx)
        )
    if len(blocks) > ctx.max_items:
        parts.append(Part([note(more_note(len(blocks) - ctx.max_items, "more content blocks"))], ""))
    if not parts:
        parts.append(
            Part(
                [caption(f"{ctx.tool.label} returned nothing to show.")],
                f"{ctx.tool.qualified} returned nothing to show",
            )
        )
    return parts


def error_result(result: CallToolResult, ctx: Context) -> Rendered:
    """An isError result: the server's message on an error card."""
    message = "\n".join(b.text for b in result.content if isinstance(b, TextContent)).strip()
    if not message and result.structured_content is not None:
        message = compact(result.structured_content, 500)
    message = message or "The tool reported an error without a message."
    return error_card(
        f"{ctx.tool.label} failed",
        message,
        ctx.tool,
        max_chars=ctx.max_text_chars,
        summary=f"Error from {ctx.tool.qualified}",
    )


def error_card(
    heading: str, message: str, tool: ToolInfo | None, *, max_chars: int = 4000, summary: str | None = None
) -> Rendered:
    """A card with a red "Error" badge, a heading and the message (summary: "heading: message")."""
    children: list[Node] = [row(badge("Error", "danger"), title(clip(heading, 200)), gap=2, align="center")]
    if "\n" in message.strip():  # a trace or a listing keeps its lines
        children += text_nodes(message.strip(), max_chars, label="Error")
    else:
        children.append(text(clip_with_note(message, max_chars)))
    if tool is not None:
        children.append(caption(tool.qualified, color="tertiary"))
    return finish(card(*children), f"{summary or heading}: {clip(message, 400)}")


def sub_schema(schema: dict[str, Any], root: dict[str, Any], key: str | None) -> dict[str, Any]:
    """The schema of property `key` of an object schema (empty when unknown)."""
    if key is None:
        return schema
    prop, _ = non_null(object_properties(schema, root).get(key, {}), root)
    return prop


def data_part(data: Any, ctx: Context, schema: dict[str, Any], root: dict[str, Any]) -> Part:
    """The part for a JSON value: list, chart, object card, or text."""
    value, wrapper = unwrap(data)
    if value is not data and is_object(data):
        schema = sub_schema(schema, root, next(iter(data)))
    if is_tree(value):
        return tree_part(value, ctx)
    rows = find_rows(value)
    if rows is not None:
        if chart_shape(rows.items) is not None:
            return chart_part(rows, ctx)
        return list_part(rows, ctx, item_schema(schema, root, rows))
    if is_object(value) and len(value) == 1 and isinstance(only := next(iter(value.values())), str):
        return lone_text_part(str(next(iter(value))), only, ctx)
    if is_object(value):
        return object_part(
            value, ctx, heading=humanize(wrapper) if wrapper else None, schema=schema, root=root
        )
    if is_array(value):
        return scalar_list_part(value, ctx)
    if isinstance(value, str):
        return text_value_part(value, ctx)
    return Part([text(scalar_text(value))], scalar_text(value))


def lone_text_part(key: str, value: str, ctx: Context) -> Part:
    """An object of one text field (`{"content": "..."}`): the text itself, not a one-field card."""
    label = humanize(key)
    part = text_value_part(value, ctx, label=label)
    if key.lower() not in CONTENT_KEYS:
        part.nodes.insert(0, caption(label, weight="semibold"))
    return part


def text_value_part(value: str, ctx: Context, *, label: str = "Text") -> Part:
    """Text, or the JSON it holds rendered as data (with its raw text a click away)."""
    parsed = json_in_text(value)
    if parsed is None:
        return _records_part(value, ctx) or text_part(value, ctx, label=label)
    part = data_part(parsed, ctx, {}, {})
    raw = raw_json_nodes(value, label, ctx)
    part.nodes.extend(raw)
    if part.list_items is not None and raw:
        part.list_items.append({"type": "ListViewItem", "children": raw})
    return part


def _records_part(value: str, ctx: Context) -> Part | None:
    """Text of "Key: value" lines as the object or rows it is (`text.records_in_text`)."""
    found = records_in_text(value)
    if found is None:
        return None
    heading, data = found
    part = data_part(data, ctx, {}, {})
    if heading and part.list_items is not None:
        part.status = heading
    elif heading:
        part.nodes.insert(0, text(heading, weight="semibold"))
    return part


def raw_json_nodes(value: str, label: str, ctx: Context) -> list[Node]:
    """A "Raw JSON" button that shows the text a JSON rendering was parsed from."""
    if len(value) > MAX_SHOWN_VALUE or not ctx.offers.take(len(value)):
        return []
    action = show_value_action(f"{label} (raw JSON)", value)
    return [row(spacer(), button("Raw JSON", action, size="sm", variant="ghost"), align="center")]


# -- objects ----------------------------------------------------------------------------------


def object_part(
    obj: dict[str, Any],
    ctx: Context,
    *,
    heading: str | None = None,
    fields: Sequence[str] | None = None,
    heading_text: str | None = None,
    schema: dict[str, Any] | None = None,
    root: dict[str, Any] | None = None,
) -> Part:
    """An object as a titled card of labelled fields (with row actions when it has an id)."""
    title_key = next((k for k in TITLE_KEYS if isinstance(obj.get(k), str) and obj[k]), None)
    status_keys = [
        k for k in STATUS_KEYS if is_scalar(obj.get(k)) and obj.get(k) is not None and len(str(obj[k])) <= 30
    ]
    shown_title = heading_text or (obj[title_key] if title_key else None) or heading or ctx.tool.label
    header: list[Node] = [title(clip(str(shown_title), 200)), spacer()]
    header += [badge(scalar_text(obj[k]), badge_color(obj[k])) for k in status_keys[:3]]
    nodes: list[Node] = []
    if heading and title_key and not heading_text:
        nodes.append(caption(heading, color="tertiary"))
    nodes.append(row(*header, gap=2, align="center"))

    if fields:
        keys = list(fields)
    else:
        props = object_properties(schema, root if root is not None else schema) if schema else {}
        skip = {title_key, *status_keys[:3]}
        keys = [k for k in key_order([obj], {"properties": props}) if k in obj and k not in skip]
    tables = [k for k in keys if _object_list(obj.get(k))]
    fields_shown = [k for k in keys if k not in tables]
    for key in fields_shown[: ctx.max_items]:
        nodes.append(field_row(key, obj.get(key), ctx))
    if len(fields_shown) > ctx.max_items:
        nodes.append(note(more_note(len(fields_shown) - ctx.max_items, "more fields")))
    for key in tables:  # a list of objects gets the card's full width, as a table
        items = obj[key]
        nodes.append(
            row(text(humanize(key), weight="semibold"), caption(f"{len(items):,}"), gap=2, align="center")
        )
        row_schema = item_schema(
            schema or {}, root if root is not None else schema or {}, Rows(items, key, {})
        )
        nodes += table_nodes(items, ctx, row_schema, label=humanize(key))

    id_key = next((k for k in obj if k.lower() == "id"), None)
    if id_key is not None and is_scalar(obj[id_key]) and obj[id_key] is not None:
        actions = row_actions(id_key, ctx.siblings, ctx.tool)
        if actions:
            nodes.append(row(*action_buttons(actions, obj, obj[id_key], ctx.source), gap=2, wrap="wrap"))
    if not tables:
        return Part(nodes, summarize_object(obj, heading))
    plain = {k: v for k, v in obj.items() if k not in tables}
    copies = [summarize_object(plain, heading)] if plain or heading else []
    copies += [table_summary(obj[k], k, ctx) for k in tables]
    return Part(nodes, "; ".join(copies))


def field_row(key: str, value: Any, ctx: Context) -> Node:
    """ "Label   value" on one row."""
    return row(
        box(caption(humanize(key)), width=140), box(value_node(key, value, ctx), flex=1), gap=3, align="start"
    )


def value_node(key: str, value: Any, ctx: Context) -> Node:
    """One field's value: text, a badge, badges for tags, a table, or a compact nested rendering."""
    if value is None:
        return text("—", color="tertiary")
    if isinstance(value, str):
        return _text_value(key, value, ctx)
    if is_scalar(value):
        return text(scalar_text(value))
    if tag_like(value):
        return row(*(badge(str(v), "info") for v in value), gap=1, wrap="wrap")
    if is_array(value) and not value:
        return text("(none)", color="tertiary")
    if is_array(value) and all(is_scalar(v) for v in value):
        return _text_value(key, "\n".join(scalar_text(v) for v in value), ctx)
    if _object_list(value):
        return col(*table_nodes(value, ctx, {}, label=humanize(key)), gap=1)
    if is_array(value):
        lines: list[Node] = [caption(compact(v, 160)) for v in value[:5]]
        if len(value) > 5:
            lines.append(note(more_note(len(value) - 5)))
        return col(*lines, gap=1)
    if is_object(value) and 0 < len(value) <= 6 and all(is_scalar(v) for v in value.values()):
        return col(*(caption(f"{humanize(k)}: {clip(scalar_text(v), 120)}") for k, v in value.items()), gap=0)
    return caption(compact(value, 300))


def _text_value(key: str, value: str, ctx: Context) -> Node:
    """A text field: a status as a badge, a short line as Text, JSON as data, longer or
    multi-line text with its lines kept, cut with a note and Show all."""
    if key in STATUS_KEYS and len(value) <= 30:
        return badge(value, badge_color(value))
    parsed = json_in_text(value)
    if parsed is not None:
        return col(value_node(key, parsed, ctx), *raw_json_nodes(value, humanize(key), ctx), gap=1)
    limit = min(_FIELD_CHARS, ctx.max_text_chars)
    if "\n" not in value.strip() and len(value) <= limit:
        return text(value)
    return col(*text_nodes(value, limit, label=humanize(key), budget=ctx.offers), gap=1)


def _object_list(value: Any) -> bool:
    """A non-empty list of objects (shown as a table)."""
    return is_array(value) and bool(value) and all(is_object(v) for v in value)
