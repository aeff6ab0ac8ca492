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

from gateway.render.blocks import block_part, text_part
from gateway.render.charts import chart_part
from gateway.render.data import (
    STATUS_KEYS,
    TITLE_KEYS,
    Layout,
    Rows,
    chart_shape,
    compact,
    find_rows,
    is_scalar,
    item_schema,
    key_order,
    layout,
    result_data,
    short_strings,
    summarize_object,
    summarize_rows,
    unwrap,
)
from gateway.render.parts import Context, Part, compose, summary_of
from gateway.render.rowactions import RowAction, action_buttons, row_actions
from gateway.render.schema import non_null, object_properties
from gateway.render.widget import (
    Node,
    Rendered,
    badge,
    badge_color,
    box,
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
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.tools import ToolInfo

_FIELD_CHARS = 500


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
        parts.append(block_part(block, ctx))
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
    children: list[Node] = [
        row(badge("Error", "danger"), title(clip(heading, 200)), gap=2, align="center"),
        text(clip_with_note(message, max_chars)),
    ]
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
    rows = find_rows(value)
    if rows is not None:
        if chart_shape(rows.items) is not None:
            return chart_part(rows, ctx)
        return list_part(rows, ctx, item_schema(schema, root, rows))
    if is_object(value):
        return object_part(
            value, ctx, heading=humanize(wrapper) if wrapper else None, schema=schema, root=root
        )
    if is_array(value):
        return scalar_list_part(value, ctx)
    if isinstance(value, str):
        return text_part(value, ctx)
    return Part([text(scalar_text(value))], scalar_text(value))


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
    for key in keys[: ctx.max_items]:
        nodes.append(field_row(key, obj.get(key), ctx))
    if len(keys) > ctx.max_items:
        nodes.append(note(more_note(len(keys) - ctx.max_items, "more fields")))

    id_key = next((k for k in obj if k.lower() == "id"), None)
    if id_key is not None and is_scalar(obj[id_key]) and obj[id_key] is not None:
        actions = row_actions(id_key, ctx.siblings, ctx.tool)
        if actions:
            nodes.append(row(*action_buttons(actions, obj, obj[id_key], ctx.source), gap=2, wrap="wrap"))
    return Part(nodes, summarize_object(obj, heading))


def field_row(key: str, value: Any, ctx: Context) -> Node:
    """ "Label   value" on one row."""
    return row(
        box(caption(humanize(key)), width=140), box(value_node(key, value, ctx), flex=1), gap=3, align="start"
    )


def value_node(key: str, value: Any, ctx: Context) -> Node:
    """One field's value: text, a badge, badges for tags, or a compact nested rendering."""
    if value is None:
        return text("—", color="tertiary")
    if isinstance(value, str) and key in STATUS_KEYS and len(value) <= 30:
        return badge(value, badge_color(value))
    if is_scalar(value):
        return text(clip(scalar_text(value), min(_FIELD_CHARS, ctx.max_text_chars)))
    if is_array(value) and short_strings(value):
        return row(*(badge(str(v), "info") for v in value), gap=1, wrap="wrap")
    if is_array(value) and all(is_scalar(v) for v in value):
        return text(clip(", ".join(scalar_text(v) for v in value), _FIELD_CHARS) if value else "(none)")
    if is_array(value):
        lines: list[Node] = [caption(compact(v, 160)) for v in value[:5]]
        if len(value) > 5:
            lines.append(note(more_note(len(value) - 5)))
        return col(*lines, gap=1) if lines else text("(none)")
    if is_object(value) and 0 < len(value) <= 6 and all(is_scalar(v) for v in value.values()):
        return col(*(caption(f"{humanize(k)}: {clip(scalar_text(v), 120)}") for k, v in value.items()), gap=0)
    return caption(compact(value, 300))


# -- lists ------------------------------------------------------------------------------------


def list_part(
    rows: Rows,
    ctx: Context,
    schema: dict[str, Any],
    *,
    fields: Sequence[str] | None = None,
    heading: str | None = None,
    empty: str | None = None,
) -> Part:
    """A list of objects: one item per row with its headline, badges, captions and actions."""
    lay = layout(rows.items, schema, fields=fields)
    actions = row_actions(lay.id_key, ctx.siblings, ctx.tool)
    shown = rows.items[: ctx.max_items]
    count = rows.total if rows.total is not None else len(rows.items)
    status = heading or f"{count:,} {rows.noun}"
    items: list[Node] = [
        {"type": "ListViewItem", "children": item_nodes(i, lay, actions, ctx), "gap": 3, "align": "center"}
        for i in shown
    ]
    notes = _list_notes(rows, len(shown), empty)
    items += [{"type": "ListViewItem", "children": [n]} for n in notes]
    card_nodes: list[Node] = [text(status, weight="semibold")]
    for node in items:
        card_nodes.append(row(*node["children"], gap=3, align="center"))
    return Part(card_nodes, summarize_rows(rows, lay, len(shown)), list_items=items, status=status)


def _list_notes(rows: Rows, shown: int, empty: str | None) -> list[Node]:
    notes: list[Node] = []
    if not rows.items:
        notes.append(text(empty or f"No {rows.noun}.", color="secondary"))
    left_out = len(rows.items) - shown
    if left_out > 0:
        notes.append(note(more_note(left_out)))
    if rows.total is not None and rows.total > len(rows.items):
        notes.append(note(f"Showing {len(rows.items):,} of {rows.total:,} {rows.noun}."))
    others = {
        k: v
        for k, v in rows.extras.items()
        if v is not None and k not in ("total", "total_count", "totalCount", "count")
    }
    if others:
        notes.append(
            note(" · ".join(f"{humanize(k)}: {clip(scalar_text(v), 80)}" for k, v in others.items()))
        )
    return notes


def item_nodes(item: dict[str, Any], lay: Layout, actions: Sequence[RowAction], ctx: Context) -> list[Node]:
    """The children of one list row: the text column, then the action buttons."""
    head_value = item.get(lay.primary) if lay.primary else None
    head = clip(scalar_text(head_value), 200) if head_value is not None else clip(compact(item, 120), 200)
    line: list[Node] = [text(head, weight="medium")]
    for key in lay.badges:
        value = item.get(key)
        if is_array(value) and short_strings(value):
            line += [badge(str(v), "info") for v in value]
        elif value is not None and is_scalar(value):
            line.append(badge(scalar_text(value), badge_color(value)))
    captions: list[Node] = []
    for key in lay.captions:
        value = item.get(key)
        if value is None or not is_scalar(value):
            continue
        if key == lay.id_key:
            captions.append(caption(f"#{clip(scalar_text(value), 40)}"))
        else:
            captions.append(caption(f"{humanize(key)}: {clip(scalar_text(value), 80)}"))
    column: list[Node] = [row(*line, gap=2, align="center", wrap="wrap")]
    if captions:
        column.append(row(*captions, gap=3, wrap="wrap"))
    nodes: list[Node] = [col(*column, gap=1, flex=1)]
    id_value = item.get(lay.id_key) if lay.id_key else None
    if actions and id_value is not None and is_scalar(id_value):
        nodes.append(row(*action_buttons(actions, item, id_value, ctx.source), gap=1))
    return nodes


def table_part(
    rows: Rows,
    ctx: Context,
    schema: dict[str, Any],
    *,
    fields: Sequence[str] | None = None,
    heading: str | None = None,
) -> Part:
    """A list of objects as table-like rows: a header row of column names, one row per item."""
    lay = layout(rows.items, schema, fields=fields)
    columns = list(fields) if fields else [k for k in (lay.primary, *lay.badges, *lay.captions) if k][:5]
    actions = row_actions(lay.id_key, ctx.siblings, ctx.tool)
    count = rows.total if rows.total is not None else len(rows.items)
    nodes: list[Node] = [text(heading or f"{count:,} {rows.noun}", weight="semibold")]
    nodes.append(row(*(box(caption(humanize(c), weight="semibold"), flex=1) for c in columns), gap=2))
    shown = rows.items[: ctx.max_items]
    for item in shown:
        cells = [box(_cell(c, item.get(c)), flex=1) for c in columns]
        id_value = item.get(lay.id_key) if lay.id_key else None
        if actions and id_value is not None and is_scalar(id_value):
            cells.append(row(*action_buttons(actions, item, id_value, ctx.source), gap=1))
        nodes.append(row(*cells, gap=2, align="center"))
    nodes += _list_notes(rows, len(shown), None)
    return Part(nodes, summarize_rows(rows, lay, len(shown)))


def _cell(key: str, value: Any) -> Node:
    if isinstance(value, str) and key in STATUS_KEYS and len(value) <= 30:
        return badge(value, badge_color(value))
    if is_scalar(value):
        return text(clip(scalar_text(value), 120), size="sm")
    return caption(compact(value, 120))


def scalar_list_part(values: list[Any], ctx: Context) -> Part:
    """A list of plain values (or of mixed shapes) as a bullet list."""
    if not values:
        return Part([caption("(empty list)", color="tertiary")], "Empty list")
    shown = values[: ctx.max_items]
    lines = "\n".join(f"- {compact(v, 300)}" for v in shown)
    nodes: list[Node] = [{"type": "Markdown", "value": clip_with_note(lines, ctx.max_text_chars)}]
    if len(values) > len(shown):
        nodes.append(note(more_note(len(values) - len(shown))))
    return Part(nodes, f"{len(values)} items: " + ", ".join(compact(v, 60) for v in shown[:10]))
