"""Widgets to JSON in one linear walk: the bytes chatkit's own serializer would produce, faster.

chatkit's widget serializer (`WidgetComponentBase.serialize`) re-walks a component's whole
subtree at every level of nesting to drop `None`s, so its cost grows with size times depth: for
a 20-task list it dominated a chat turn (measured in bench/turn.py). Widgets here are plain
`DynamicWidgetComponent` trees, so one walk gives the same JSON. tests/test_wire.py holds the
two outputs equal for every kind of widget the gateway renders.

A widget is serialized once: the SSE event that streams it and the store row that keeps it
both splice in the same bytes (`widget_bytes`), kept for the few most recent widgets by
identity. A template's widget arrives as JSON already, so its bytes are taken from the parsed
template output (`remember`) without a walk of the widget at all.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import orjson
from chatkit.types import (
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    WidgetItem,
    WidgetRootUpdated,
)
from chatkit.widgets import WidgetComponentBase
from pydantic import BaseModel

from gateway.vocabulary.json import is_array, is_object

_ITEM_EVENTS = (ThreadItemAddedEvent, ThreadItemDoneEvent, ThreadItemReplacedEvent)


def widget_json(node: Any) -> Any:
    """The JSON value of a widget tree as chatkit serializes it (None dropped, `type` kept)."""
    if isinstance(node, WidgetComponentBase):
        out: dict[str, Any] = {}
        for name in type(node).model_fields:
            value = getattr(node, name)
            if value is not None:
                out[name] = widget_json(value)
        for name, value in (node.__pydantic_extra__ or {}).items():
            if value is not None:
                out[name] = widget_json(value)
        out["type"] = node.type
        return out
    if is_object(node):
        return {k: widget_json(v) for k, v in node.items() if v is not None}
    if is_array(node):
        return [widget_json(v) for v in node if v is not None]
    return node


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as pydantic's model_dump_json writes it (orjson, several times faster)."""
    try:
        return orjson.dumps(value, default=str)
    except (orjson.JSONEncodeError, TypeError):
        pass  # a lone surrogate, an integer beyond 64 bits, a key that is no string: the slow path
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    # A lone surrogate from a server's result cannot be UTF-8: it becomes "?" rather than an
    # error that would lose the whole item (requests are checked before they get this far).
    return text.encode("utf-8", "replace")


_RECENT_WIDGETS = 16
"""How many widgets' bytes are kept: a widget is stored and streamed within one turn, back to
back but for the turns that run between the two (a miss only walks the widget again)."""
_RECENT_BYTES = 1_000_000
"""And at most this much JSON: an entry keeps its widget alive, and a widget's objects weigh
several times its JSON, so a few large catalogs must not hold tens of megabytes."""

_recent: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()
_recent_size = 0


def remember(widget: Any, data: Any) -> None:
    """Keep `widget`'s JSON, given as the plain JSON value it was validated from (Nones dropped here)."""
    encoded = dumps(data)
    if b"null" in encoded:  # a None somewhere (or the word in a text): drop them as chatkit does
        encoded = dumps(_without_none(data))
    _keep(widget, encoded)


def widget_bytes(widget: Any) -> bytes:
    """The JSON of a widget tree, serialized once per widget object and reused."""
    kept = _recent.get(id(widget))
    if kept is not None and kept[0] is widget:  # the entry holds the widget: its id is not reused
        return kept[1]
    data = dumps(widget_json(widget))
    _keep(widget, data)
    return data


def _keep(widget: Any, data: bytes) -> None:
    global _recent_size
    replaced = _recent.pop(id(widget), None)
    if replaced is not None:
        _recent_size -= len(replaced[1])
    _recent[id(widget)] = (widget, data)
    _recent_size += len(data)
    while len(_recent) > _RECENT_WIDGETS or (_recent_size > _RECENT_BYTES and len(_recent) > 1):
        _, (_, dropped) = _recent.popitem(last=False)
        _recent_size -= len(dropped)


def _without_none(node: Any) -> Any:
    if is_object(node):
        return {k: _without_none(v) for k, v in node.items() if v is not None}
    if is_array(node):
        return [_without_none(v) for v in node if v is not None]
    return node


def _with_last(head: dict[str, Any], key: str, value: bytes) -> bytes:
    """`head` as JSON with `"key": value` (already JSON) added as its last member."""
    start = dumps(head)[:-1]
    return start + (b"," if len(head) else b"") + dumps(key) + b":" + value + b"}"


def widget_item_bytes(item: WidgetItem, **dump: Any) -> bytes:
    """A widget item as JSON: pydantic for the item, the widget's kept bytes for its widget."""
    return _with_last(
        item.model_dump(mode="json", exclude={"widget"}, **dump), "widget", widget_bytes(item.widget)
    )


def event_json(event: BaseModel) -> bytes | None:
    """The SSE payload of an event that carries a widget, or None for any other event."""
    options: dict[str, Any] = {"by_alias": True, "exclude_none": True, "context": {"exclude_metadata": True}}
    if isinstance(event, _ITEM_EVENTS) and isinstance(event.item, WidgetItem):
        head = event.model_dump(mode="json", exclude={"item"}, **options)
        return _with_last(head, "item", widget_item_bytes(event.item, **options))
    if isinstance(event, ThreadItemUpdatedEvent) and isinstance(event.update, WidgetRootUpdated):
        data = event.model_dump(mode="json", exclude={"update": {"widget"}}, **options)
        data["update"]["widget"] = widget_json(event.update.widget)
        return dumps(data)
    return None
