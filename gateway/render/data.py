"""What a tool result holds, read for display: its data, its rows, the roles of its fields.

Nothing here builds widgets; `generic.py` does, from these readings. Every function accepts
any JSON value: servers send what they like.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mcp.types import CallToolResult, TextContent

from gateway.render.schema import non_null, object_properties, resolve
from gateway.render.text import json_in_text
from gateway.render.widget import clip, humanize, scalar_text
from gateway.vocabulary.json import is_array, is_object, string_keys
from gateway.vocabulary.words import counted

_NAMING = ("title", "name", "label", "display_name", "displayName", "summary", "subject", "headline")
TITLE_KEYS = (*_NAMING, "message")
"""Fields that name an object, in order of preference (a message names a commit, a log line)."""
STATUS_KEYS = ("status", "state", "priority", "severity", "level", "stage", "kind", "category")
_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_PAGING_KEYS = {
    *("total", "total_count", "totalCount", "count", "next_cursor", "nextCursor", "cursor", "page"),
    *("per_page", "page_size", "limit", "offset", "has_more", "hasMore"),
}
_DATE_SUFFIXES = ("_at", "_on", "date", "Date", "At", "time", "Time", "timestamp")


def result_data(result: CallToolResult) -> Any:
    """structuredContent, else the JSON object/array the text content holds, else None."""
    if result.structured_content is not None:
        return result.structured_content
    texts = [b.text for b in result.content if isinstance(b, TextContent)]
    if not texts or len(texts) != len(result.content):
        return None
    parsed = [json_in_text(t) for t in texts]
    if any(p is None for p in parsed):
        return None
    return parsed[0] if len(parsed) == 1 else parsed


def is_id_key(key: str) -> bool:
    """`id`, `uuid`, `task_id`, `taskId`: a field that identifies an item."""
    return key.lower() in ("id", "uuid", "_id") or key.endswith("_id") or key.endswith("Id")


def is_date(key: str, value: Any) -> bool:
    """A date or timestamp, by name or by value."""
    if isinstance(value, str) and _DATE_VALUE.match(value):
        return True
    return key.endswith(_DATE_SUFFIXES) and (value is None or isinstance(value, (str, int, float)))


def is_scalar(value: Any) -> bool:
    """A value that reads as one short piece of text."""
    return value is None or isinstance(value, (str, int, float, bool))


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def short_strings(value: Any) -> bool:
    """A list of a few short strings (shown as badges)."""
    return (
        is_array(value) and 0 < len(value) <= 10 and all(isinstance(v, str) and len(v) <= 30 for v in value)
    )


def tag_like(value: Any) -> bool:
    """A list of a few tags (`["home", "errands"]`): short strings of at most three words,
    shown as badges. Sentences, however short, are not tags."""
    return short_strings(value) and all(len(v) <= 24 and len(v.split()) <= 3 for v in value)


def unwrap(data: Any) -> tuple[Any, str | None]:
    """`{"task": {...}}` → (the task, "task"); `{"result": x}` → (x, None); else (data, None)."""
    if is_object(data) and len(data) == 1:
        ((key, value),) = data.items()
        if key == "result":
            return value, None
        if is_object(value):
            return value, str(key)
    return data, None


@dataclass(frozen=True)
class Rows:
    """A list of objects found in a result, with what surrounds it."""

    items: list[dict[str, Any]]
    key: str | None
    """The key holding the list (`tasks`), or None for a top-level list."""
    extras: dict[str, Any]
    """The other (scalar) keys of the object around the list: total, next_cursor…"""

    @property
    def noun(self) -> str:
        """What the rows are called: "tasks", else "items"."""
        return humanize(self.key).lower() if self.key else "items"

    @property
    def total(self) -> int | None:
        """The total a server reports (`total`, `count`…), when it reports one."""
        for key in ("total", "total_count", "totalCount", "count"):
            value = self.extras.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None


def find_rows(data: Any) -> Rows | None:
    """The list of objects in `data`: top level, or the one list-valued key of an object."""
    if is_array(data) and data and all(is_object(i) for i in data):
        return Rows(items=data, key=None, extras={})
    if is_object(data):
        listed = [k for k, v in data.items() if is_array(v)]
        if len(listed) != 1 or not all(is_scalar(v) for k, v in data.items() if k != listed[0]):
            return None
        key = listed[0]
        items, extras = data[key], {k: v for k, v in data.items() if k != key}
        if any(k in TITLE_KEYS or is_id_key(k) for k in extras):
            return None  # an object that holds a list (a task's tags, an order's lines), not a page of rows
        if (items and all(is_object(i) for i in items)) or (not items and set(extras) <= _PAGING_KEYS):
            return Rows(items=items, key=str(key), extras=extras)
    return None


def item_schema(schema: dict[str, Any], root: dict[str, Any], rows: Rows) -> dict[str, Any]:
    """The schema of one row, from the schema of the value holding the rows (empty when unknown)."""
    if not schema:
        return {}
    schema = resolve(schema, root)
    if rows.key is not None:
        schema, _ = non_null(object_properties(schema, root).get(rows.key, {}), root)
    if schema.get("type") != "array":
        return {}
    items, _ = non_null(schema.get("items") if is_object(schema.get("items")) else {}, root)
    return {"type": "object", "properties": object_properties(items, root)}


def key_order(items: Sequence[dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Keys in the schema's order, then in the order they first appear (first 50 rows)."""
    keys = string_keys(object_properties(schema, schema))
    for item in items[:50]:
        for k in string_keys(item):
            if k not in keys:
                keys.append(k)
    return keys


@dataclass(frozen=True)
class Layout:
    """Which fields of a row to show, and how."""

    primary: str | None
    """The row's headline (title/name/label, else the first text field)."""
    badges: tuple[str, ...]
    """Status-like fields (status, priority…) and short tag lists, shown as Badges."""
    captions: tuple[str, ...]
    """Ids, dates and other short fields, shown small."""
    id_key: str | None


def layout(
    items: Sequence[dict[str, Any]], schema: dict[str, Any], *, fields: Sequence[str] | None = None
) -> Layout:
    """Pick the most telling fields of a list: a headline, up to 2 badges, up to 3 captions."""
    keys = list(fields) if fields else key_order(items, schema)
    sample = items[:50]

    def values(k: str) -> list[Any]:
        return [i.get(k) for i in sample if i.get(k) is not None]

    def all_scalar(k: str) -> bool:
        return all(is_scalar(v) for v in values(k))

    id_key = next((k for k in keys if k.lower() == "id"), None) or next(
        (k for k in keys if is_id_key(k)), None
    )
    primary = next((k for k in TITLE_KEYS if k in keys and all_scalar(k)), None)
    if primary is None:
        primary = next(
            (k for k in keys if k != id_key and values(k) and all(isinstance(v, str) for v in values(k))),
            None,
        )
    rest = [k for k in keys if k not in (primary, id_key)]
    badges = [
        k for k in rest if k in STATUS_KEYS and all_scalar(k) and all(len(str(v)) <= 30 for v in values(k))
    ]
    badges += [k for k in rest if k not in badges and _tag_lists(values(k))][:1]
    badges = badges[:3]
    dates = [k for k in rest if k not in badges and values(k) and all(is_date(k, v) for v in values(k))]
    others = [
        k
        for k in rest
        if k not in badges and k not in dates and all_scalar(k) and all(len(str(v)) <= 60 for v in values(k))
    ]
    captions = ([id_key] if id_key else []) + dates[:1] + others
    if fields:  # the caller chose the fields: show every one of them
        captions = [k for k in keys if k not in (primary, *badges)]
    return Layout(
        primary=primary,
        badges=tuple(badges),
        captions=tuple(captions[: 3 if not fields else None]),
        id_key=id_key,
    )


def _tag_lists(values: list[Any]) -> bool:
    """Lists of a few short strings, some of them non-empty."""
    return any(values) and all(v == [] or tag_like(v) for v in values)


def chart_shape(items: Sequence[Any]) -> tuple[str, list[str]] | None:
    """(label key, numeric keys) when rows are numbers over categories or time, else None."""
    if len(items) < 2 or not all(is_object(i) and i for i in items):
        return None
    keys = list(items[0])
    if any(set(i) != set(keys) for i in items[1:]):
        return None
    numeric = [k for k in keys if not is_id_key(k) and all(is_number(i[k]) for i in items)]
    labels = [k for k in keys if k not in numeric]
    if len(labels) != 1 or not numeric:
        return None
    label = labels[0]
    if not all(isinstance(i[label], (str, int)) and not isinstance(i[label], bool) for i in items):
        return None
    return label, numeric


# -- copy_text summaries ----------------------------------------------------------------------


def describe_item(item: dict[str, Any], lay: Layout) -> str:
    """One row as a phrase: "Buy milk (pending, high)"."""
    head = item.get(lay.primary) if lay.primary else None
    if head is None and lay.id_key:
        head = f"#{scalar_text(item.get(lay.id_key))}"
    details = [
        scalar_text(item.get(k)) for k in lay.badges if is_scalar(item.get(k)) and item.get(k) is not None
    ]
    base = clip(scalar_text(head) if head is not None else compact(item, 60), 80)
    return f"{base} ({', '.join(details)})" if details else base


def summarize_rows(rows: Rows, lay: Layout, shown: int) -> str:
    """ "3 tasks: Buy milk (pending), Walk dog (completed), …" """
    count = rows.total if rows.total is not None else len(rows.items)
    if not rows.items:
        return f"No {rows.noun}" + (f" (total {count})" if count else "")
    phrases = [describe_item(i, lay) for i in rows.items[: min(shown, 10)]]
    more = "" if len(rows.items) <= len(phrases) else ", …"
    return f"{counted(count, rows.noun)}: " + ", ".join(phrases) + more


def summarize_object(obj: dict[str, Any], heading: str | None) -> str:
    """ "Task: Buy milk — id: 3, status: pending, …" """
    head = next((obj[k] for k in TITLE_KEYS if isinstance(obj.get(k), str)), None)
    shown = {k: v for k, v in obj.items() if v is not None and not (head is not None and v is head)}
    rest = compact(shown, 300)
    parts = [p for p in (heading, head) if p]
    return (": ".join(str(p) for p in parts) + (" — " if parts else "")) + rest


def compact(value: Any, limit: int = 200, depth: int = 0) -> str:
    """A one-line human rendering of any JSON value, cut to `limit` characters."""
    if is_scalar(value):
        return clip(scalar_text(value), limit)
    if depth >= 3:
        return "…"
    if is_object(value):
        inner = ", ".join(f"{k}: {compact(v, limit, depth + 1)}" for k, v in list(value.items())[:12])
        body = inner + (", …" if len(value) > 12 else "")
        return clip(body if depth == 0 else "{" + body + "}", limit)
    if is_array(value):
        inner = ", ".join(compact(v, limit, depth + 1) for v in value[:12])
        body = inner + (", …" if len(value) > 12 else "")
        return clip(body if depth == 0 else "[" + body + "]", limit)
    return clip(str(value), limit)
