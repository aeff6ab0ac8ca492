"""The SDK's own ChatKitServer on SQLStore: what it stores, pages and deletes, and cancelled streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    HiddenContextItem,
    SDKHiddenContextItem,
    ThreadItemAddedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore
from tests.support.gateway import user_input
from tests.support.store import ALICE, add_messages


class HangingServer(ChatKitServer[RequestContext]):
    """Starts an answer, streams part of it, then waits until the client goes away."""

    def __init__(self, store: SQLStore) -> None:
        super().__init__(store)
        self.partial_sent = asyncio.Event()

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        item = AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[AssistantMessageContent(text="")],
        )
        yield ThreadItemAddedEvent(item=item)
        delta = AssistantMessageContentPartTextDelta(content_index=0, delta="partial answer")
        yield ThreadItemUpdatedEvent(item_id=item.id, update=delta)
        self.partial_sent.set()
        await asyncio.Event().wait()


async def call(server: ChatKitServer[RequestContext], request: dict[str, Any]) -> Any:
    result = await server.process(json.dumps(request), ALICE)
    assert isinstance(result, NonStreamingResult)
    return json.loads(result.json)


async def test_a_cancelled_stream_keeps_the_partial_answer_and_the_sdks_cancel_marker(
    store: SQLStore,
) -> None:
    server = HangingServer(store)
    request = {"type": "threads.create", "params": {"input": user_input("hi")}}
    result = await server.process(json.dumps(request), ALICE)
    assert isinstance(result, StreamingResult)

    async def read_stream() -> None:
        async for _chunk in result:
            pass

    reader = asyncio.create_task(read_stream())
    async with asyncio.timeout(10):
        await server.partial_sent.wait()
    reader.cancel()  # what the web server does when the browser goes away
    with pytest.raises(asyncio.CancelledError):
        await reader

    [thread] = (await store.load_threads(10, None, "desc", ALICE)).data
    items = (await store.load_thread_items(thread.id, None, 20, "asc", ALICE)).data
    assert [type(i) for i in items] == [UserMessageItem, AssistantMessageItem, SDKHiddenContextItem]
    assert isinstance(items[1], AssistantMessageItem) and items[1].content[0].text == "partial answer"
    # What the browser reloads: the partial answer, not the hidden marker.
    listed = await call(server, {"type": "items.list", "params": {"thread_id": thread.id, "order": "asc"}})
    assert [i["type"] for i in listed["data"]] == ["user_message", "assistant_message"]


async def test_the_sdk_reads_pages_renames_and_deletes_threads_through_the_store(store: SQLStore) -> None:
    server = HangingServer(store)
    thread = ThreadMetadata(id=store.generate_thread_id(ALICE), created_at=datetime.now())
    await store.save_thread(thread, ALICE)
    ids = await add_messages(store, thread, 30)
    hidden = HiddenContextItem(id="hc_1", thread_id=thread.id, created_at=datetime.now(), content={"x": 1})
    await store.add_thread_item(thread.id, hidden, ALICE)

    got = await call(server, {"type": "threads.get_by_id", "params": {"thread_id": thread.id}})
    assert [i["id"] for i in got["items"]["data"]] == ids[:20]
    assert got["items"]["has_more"] is True

    newest = await call(server, {"type": "items.list", "params": {"thread_id": thread.id, "limit": 5}})
    assert [i["id"] for i in newest["data"]] == ids[-4:][::-1]  # the hidden item is filtered out
    older = await call(
        server,
        {"type": "items.list", "params": {"thread_id": thread.id, "limit": 5, "after": newest["after"]}},
    )
    assert [i["id"] for i in older["data"]] == ids[-9:-4][::-1]

    await call(server, {"type": "threads.update", "params": {"thread_id": thread.id, "title": "renamed"}})
    listed = await call(server, {"type": "threads.list", "params": {}})
    assert [(t["id"], t["title"]) for t in listed["data"]] == [(thread.id, "renamed")]

    await call(server, {"type": "threads.delete", "params": {"thread_id": thread.id}})
    with pytest.raises(NotFoundError):
        await call(server, {"type": "threads.get_by_id", "params": {"thread_id": thread.id}})
