"""Threads and items for store tests, saved through the store itself (the `store` fixture is in conftest.py)."""

from __future__ import annotations

from datetime import datetime

from chatkit.types import AssistantMessageContent, AssistantMessageItem, ThreadMetadata

from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore

ALICE = RequestContext(user_id="alice")


async def new_thread(store: SQLStore, context: RequestContext = ALICE, **fields: object) -> ThreadMetadata:
    """Save a new thread of `context`'s user (created now unless `created_at` is given); return it."""
    thread = ThreadMetadata.model_validate(
        {"id": store.generate_thread_id(context), "created_at": datetime.now(), **fields}
    )
    await store.save_thread(thread, context)
    return thread


def assistant_message(
    store: SQLStore, thread: ThreadMetadata, text: str = "hi", *, created_at: datetime | None = None
) -> AssistantMessageItem:
    """An assistant message in `thread`, not saved yet (created now unless `created_at` is given)."""
    return AssistantMessageItem(
        id=store.generate_item_id("message", thread, ALICE),
        thread_id=thread.id,
        created_at=created_at or datetime.now(),
        content=[AssistantMessageContent(text=text)],
    )


async def add_messages(
    store: SQLStore, thread: ThreadMetadata, count: int, *, created_at: datetime | None = None
) -> list[str]:
    """Add `count` assistant messages ("0", "1", ...) to `thread`; return their ids in insertion order."""
    ids = []
    for n in range(count):
        item = assistant_message(store, thread, str(n), created_at=created_at)
        await store.add_thread_item(thread.id, item, ALICE)
        ids.append(item.id)
    return ids
