"""Lists of values as widget parts: rows of objects as a list or a table, plain values as bullets.

ChatKit has no table component: a table here is a header Row of column names over one Row per
item, every cell a Box of the same flex, so the columns line up. A value inside a row or cell
that is itself a list keeps its items apart: short strings as badges, longer ones as a small
sub-list, objects counted. Whatever is cut (rows, columns, sub-list items) is said in a note.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gateway.render.data import (
    STATUS_KEYS,
    TITLE_KEYS,
    Layout,
    Rows,
    compact,
    is_scalar,
    key_order,
    layout,
    short_strings,
    summarize_rows,
    tag_like,
)
from gateway.render.parts import Context, OfferBudget, Part
from gateway.render.rowactions import RowAction, action_buttons, row_actions
from gateway.render.text import escape
from gateway.render.widget import (
    Node,
    badge,
    badge_color,
    box,
    button,
    caption,
    clip,
    clip_with_note,
    col,
    humanize,
    more_note,
    note,
    row,
    scalar_text,
    text,
)
from gateway.vocabulary.actions import MAX_SHOWN_ITEMS, MAX_SHOWN_VALUE, show_value_action
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.words import counted

MAX_COLUMNS = 6
"""Columns of a table; the rest are named in a note."""
SUB_ITEMS = 3
"""Items of a list inside a row or cell shown before "…and N more"."""


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
    status = heading or counted(count, rows.noun)
    nested = [] if fields else _nested_keys(rows.items, lay)
    items: list[Node] = [
        {
            "type": "ListViewItem",
            "children": item_nodes(i, lay, actions, ctx, nested=nested),
            "gap": 3,
            "align": "center",
        }
        for i in shown
    ]
    notes = list_notes(rows, len(shown), empty, budget=ctx.offers)
    items += [{"type": "ListViewItem", "children": [n]} for n in notes]
    card_nodes: list[Node] = [text(status, weight="semibold")]
    for node in items:
        card_nodes.append(row(*node["children"], gap=3, align="center"))
    return Part(card_nodes, summarize_rows(rows, lay, len(shown)), list_items=items, status=status)


def _nested_keys(items: Sequence[dict[str, Any]], lay: Layout) -> list[str]:
    """The list-valued fields a row's layout leaves out, shown under its captions."""
    shown = {lay.primary, lay.id_key, *lay.badges, *lay.captions}
    keys = key_order(items, {})
    return [k for k in keys if k not in shown and any(is_array(i.get(k)) and i.get(k) for i in items[:50])][
        :2
    ]


def more_rows(items: Sequence[Any], shown: int, label: str, budget: OfferBudget) -> Node:
    """ "…and 12 more" under a cut list, with a button that shows every item (up to
    MAX_SHOWN_ITEMS of them, whose JSON is at most MAX_SHOWN_VALUE characters)."""
    said = note(more_note(len(items) - shown))
    if len(items) > MAX_SHOWN_ITEMS:
        return said
    dumped = json.dumps(list(items), ensure_ascii=False, default=str)
    if len(dumped) > MAX_SHOWN_VALUE or not budget.take(len(dumped)):
        return said
    action = show_value_action(label, dumped, as_data=True)
    return row(
        said, button(f"Show all {len(items):,}", action, size="sm", variant="ghost"), gap=2, align="center"
    )


def list_notes(
    rows: Rows, shown: int, empty: str | None, *, more: bool = True, budget: OfferBudget | None = None
) -> list[Node]:
    """What a cut list leaves out (`more`: say so here), its total, and the paging details."""
    notes: list[Node] = []
    if not rows.items:
        notes.append(text(empty or f"No {rows.noun}.", color="secondary"))
    if more and len(rows.items) > shown:
        notes.append(more_rows(rows.items, shown, humanize(rows.noun), budget or OfferBudget()))
    if rows.total is not None and rows.total > len(rows.items):
        notes.append(note(f"Showing {len(rows.items):,} of {counted(rows.total, rows.noun)}."))
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


def item_nodes(
    item: dict[str, Any],
    lay: Layout,
    actions: Sequence[RowAction],
    ctx: Context,
    *,
    nested: Sequence[str] = (),
) -> list[Node]:
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
    for key in nested:
        value = item.get(key)
        if is_array(value) and value:
            column.append(row(caption(humanize(key) + ":"), box(nested_list(value), flex=1), gap=2))
    nodes: list[Node] = [col(*column, gap=1, flex=1)]
    id_value = item.get(lay.id_key) if lay.id_key else None
    if actions and id_value is not None and is_scalar(id_value):
        nodes.append(row(*action_buttons(actions, item, id_value, ctx.source), gap=1))
    return nodes


def nested_list(values: list[Any]) -> Node:
    """A list inside a row or a cell: badges for a few short strings, else a small sub-list."""
    if tag_like(values):
        return row(*(badge(v, "info") for v in values), gap=1, wrap="wrap")
    if all(is_object(v) for v in values):
        return caption(
            f"{counted(len(values), 'items')}: "
            + compact(values[0], 100)
            + (", …" if len(values) > 1 else "")
        )
    lines: list[Node] = [caption("• " + compact(v, 160)) for v in values[:SUB_ITEMS]]
    if len(values) > SUB_ITEMS:
        lines.append(note(more_note(len(values) - SUB_ITEMS)))
    return col(*lines, gap=0)


def table_columns(items: Sequence[dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Every column of a table of `items`: title-like first, then in the schema's or data's order."""
    keys = key_order(items, schema)
    first = [k for k in TITLE_KEYS if k in keys][:1]
    return first + [k for k in keys if k not in first]


def table_summary(items: Sequence[dict[str, Any]], key: str, ctx: Context) -> str:
    """ "2 entities: Alice, Bob" for a table of `items` found under `key`."""
    rows = Rows(items=list(items), key=key, extras={})
    return summarize_rows(rows, layout(items, {}), min(len(items), ctx.max_items))


def _constant(items: Sequence[dict[str, Any]], key: str) -> bool:
    """A column with the same short value in every one of several rows (`"type": "entity"`)."""
    if len(items) < 2 or key not in items[0] or not is_scalar(items[0][key]):
        return False
    first = items[0][key]
    return len(scalar_text(first)) <= 40 and all(key in i and i[key] == first for i in items[1:])


def table_nodes(
    items: Sequence[dict[str, Any]],
    ctx: Context,
    schema: dict[str, Any],
    *,
    columns: Sequence[str] | None = None,
    actions: Sequence[RowAction] = (),
    id_key: str | None = None,
    label: str = "Rows",
) -> list[Node]:
    """A header row and one row per item (up to ctx.max_items), with notes of what is left out."""
    every = list(columns) if columns else table_columns(items, schema)
    same = [] if columns else [c for c in every if _constant(items, c)]
    if len(same) < len(every):  # a column only when some vary: one row of "entity" says nothing
        every = [c for c in every if c not in same]
    else:
        same = []
    shown_columns = every[:MAX_COLUMNS]
    nodes: list[Node] = [
        row(*(box(caption(humanize(c), weight="semibold"), flex=1) for c in shown_columns), gap=2)
    ]
    shown = items[: ctx.max_items]
    for item in shown:
        cells = [box(cell_node(c, item.get(c)), flex=1) for c in shown_columns]
        id_value = item.get(id_key) if id_key else None
        if actions and id_value is not None and is_scalar(id_value):
            cells.append(row(*action_buttons(actions, item, id_value, ctx.source), gap=1))
        nodes.append(row(*cells, gap=2, align="start"))
    if len(items) > len(shown):
        nodes.append(more_rows(items, len(shown), label, ctx.offers))
    if same:
        nodes.append(
            note(" · ".join(f"{humanize(c)}: {scalar_text(items[0][c])} in every row" for c in same))
        )
    if len(every) > len(shown_columns):
        left = [humanize(c) for c in every[len(shown_columns) :]]
        nodes.append(note(f"{counted(len(left), 'more columns')} not shown: {', '.join(left)}"))
    return nodes


def table_part(
    rows: Rows,
    ctx: Context,
    schema: dict[str, Any],
    *,
    fields: Sequence[str] | None = None,
    heading: str | None = None,
) -> Part:
    """A list of objects as a table: a header row of column names, one row per item."""
    lay = layout(rows.items, schema, fields=fields)
    actions = row_actions(lay.id_key, ctx.siblings, ctx.tool)
    count = rows.total if rows.total is not None else len(rows.items)
    nodes: list[Node] = [text(heading or counted(count, rows.noun), weight="semibold")]
    if rows.items:
        nodes += table_nodes(
            rows.items,
            ctx,
            schema,
            columns=fields,
            actions=actions,
            id_key=lay.id_key,
            label=humanize(rows.noun),
        )
    shown = min(len(rows.items), ctx.max_items)
    nodes += list_notes(rows, shown, None, more=False)  # table_nodes said what it left out
    return Part(nodes, summarize_rows(rows, lay, shown))


def cell_node(key: str, value: Any) -> Node:
    """One table cell: a badge for a status, text, a nested list, or a compact object."""
    if isinstance(value, str) and key in STATUS_KEYS and len(value) <= 30:
        return badge(value, badge_color(value))
    if value is None:
        return text("—", size="sm", color="tertiary")
    if is_scalar(value):
        return text(clip(scalar_text(value), 200), size="sm")
    if is_array(value):
        return nested_list(value) if value else caption("(none)", color="tertiary")
    return caption(compact(value, 160))


def scalar_list_part(values: list[Any], ctx: Context) -> Part:
    """A list of plain values (or of mixed shapes) as a bullet list."""
    if not values:
        return Part([caption("(empty list)", color="tertiary")], "Empty list")
    shown = values[: ctx.max_items]
    lines = "\n".join(f"- {escape(compact(v, 300))}" for v in shown)
    nodes: list[Node] = [{"type": "Markdown", "value": clip_with_note(lines, ctx.max_text_chars)}]
    if len(values) > len(shown):
        nodes.append(more_rows(values, len(shown), "Items", ctx.offers))
    return Part(nodes, f"{counted(len(values), 'items')}: " + ", ".join(compact(v, 60) for v in shown[:10]))
