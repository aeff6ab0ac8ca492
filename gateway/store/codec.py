"""ChatKit objects to and from the JSON text kept in the store's ``data`` columns.

Items are stored as the SDK dumps them (``model_dump_json()``: every field, ``None`` included,
widgets through their own serializer, attachment ``metadata`` kept), and read back through the
SDK's ``ThreadItem`` union, except widgets: the union would turn a ``DynamicWidgetRoot`` into the
deprecated strict classes (a DeprecationWarning, and props they do not know are dropped), so a
widget item is rebuilt around ``DynamicWidgetRoot`` instead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chatkit.types import Attachment, ThreadItem, ThreadMetadata, WidgetItem
from chatkit.widgets import DynamicWidgetRoot
from pydantic import TypeAdapter

from gateway.wire import widget_item_bytes

# Built once: a TypeAdapter over these unions costs milliseconds to construct.
_ITEM: TypeAdapter[ThreadItem] = TypeAdapter(ThreadItem)
_ATTACHMENT: TypeAdapter[Attachment] = TypeAdapter(Attachment)
# save_thread may be handed a Thread (metadata plus a page of items): keep only the metadata.
_THREAD_FIELDS = set(ThreadMetadata.model_fields)


def naive(value: datetime) -> datetime:
    """``value`` without a zone: ChatKit's own stamps are naive already; aware ones become UTC."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


def dump_thread(thread: ThreadMetadata) -> str:
    """The JSON text stored for a thread's metadata."""
    return thread.model_dump_json(include=_THREAD_FIELDS)


def load_thread(data: str) -> ThreadMetadata:
    """A thread's metadata from its stored JSON text."""
    return ThreadMetadata.model_validate_json(data)


def dump_item(item: ThreadItem) -> str:
    """The JSON text stored for a thread item (widgets through gateway.wire's linear walk)."""
    if isinstance(item, WidgetItem):
        return widget_item_bytes(item).decode()
    return item.model_dump_json()


def load_item(item_type: str, data: str) -> ThreadItem:
    """A thread item from its stored type and JSON text; widgets stay ``DynamicWidgetRoot``."""
    if item_type != "widget":
        return _ITEM.validate_json(data)
    raw: dict[str, Any] = json.loads(data)
    widget = DynamicWidgetRoot.model_validate(raw.pop("widget"))
    # An instance of DynamicWidgetRoot matches that member of the WidgetRoot union exactly,
    # so pydantic keeps it as is rather than re-parsing it into a strict class.
    return WidgetItem.model_validate({**raw, "widget": widget})


def dump_attachment(attachment: Attachment) -> str:
    """The JSON text stored for an attachment's metadata."""
    return attachment.model_dump_json()


def load_attachment(data: str) -> Attachment:
    """An attachment's metadata from its stored JSON text."""
    return _ATTACHMENT.validate_json(data)
