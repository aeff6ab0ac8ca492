"""Widgets to JSON in one linear walk: the bytes chatkit's own serializer would produce, faster.

chatkit's widget serializer (`WidgetComponentBase.serialize`) re-walks a component's whole
subtree at every level of nesting to drop `None`s, so its cost grows with size times depth: for
a 20-task list it dominated a chat turn (measured in bench/turn.py). Widgets here are plain
`DynamicWidgetComponent` trees, so one walk gives the same JSON. tests/test_wire.py holds the
two outputs equal for every kind of widget the gateway renders.
"""

from __future__ import annotations

import json
from typing import Any

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
    """Compact UTF-8 JSON, as pydantic's model_dump_json writes it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    # A lone surrogate from a server's result cannot be UTF-8: it becomes "?" rather than an
    # error that would lose the whole item (requests are checked before they get this far).
    return text.encode("utf-8", "replace")


def widget_item_json(item: WidgetItem, **dump: Any) -> dict[str, Any]:
    """A widget item as a JSON value: pydantic for the item, the linear walk for its widget."""
    data = item.model_dump(mode="json", exclude={"widget"}, **dump)
    data["widget"] = widget_json(item.widget)
    return data


def event_json(event: BaseModel) -> bytes | None:
    """The SSE payload of an event that carries a widget, or None for any other event."""
    options: dict[str, Any] = {"by_alias": True, "exclude_none": True, "context": {"exclude_metadata": True}}
    if isinstance(event, _ITEM_EVENTS) and isinstance(event.item, WidgetItem):
        data = event.model_dump(mode="json", exclude={"item"}, **options)
        data["item"] = widget_item_json(event.item, **options)
        return dumps(data)
    if isinstance(event, ThreadItemUpdatedEvent) and isinstance(event.update, WidgetRootUpdated):
        data = event.model_dump(mode="json", exclude={"update": {"widget"}}, **options)
        data["update"]["widget"] = widget_json(event.update.widget)
        return dumps(data)
    return None
