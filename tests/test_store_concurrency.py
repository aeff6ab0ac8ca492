"""Many writers at once (coroutines, store instances, processes) lose no write and duplicate none."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from chatkit.types import AssistantMessageContent, AssistantMessageItem, ThreadMetadata

from gateway.store.sql import SQLStore
from tests.support.store import ALICE, assistant_message

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def two_stores(database_url: str) -> AsyncIterator[tuple[SQLStore, SQLStore]]:
    """Two store instances (two engines, two connection pools) on the same database."""
    one = await SQLStore.create(database_url)
    two = await SQLStore.create(database_url)
    yield one, two
    await one.close()
    await two.close()


async def all_items(store: SQLStore, thread_id: str) -> list[AssistantMessageItem]:
    items: list[AssistantMessageItem] = []
    after = None
    while True:
        page = await store.load_thread_items(thread_id, after, 50, "asc", ALICE)
        items += [i for i in page.data if isinstance(i, AssistantMessageItem)]
        assert len(items) == len({i.id for i in items}), "an item came back twice"
        if not page.has_more:
            return items
        after = page.after


async def test_200_concurrent_adds_through_two_stores_are_all_kept_once(
    two_stores: tuple[SQLStore, SQLStore],
) -> None:
    one, two = two_stores
    thread = ThreadMetadata(id=one.generate_thread_id(ALICE), created_at=datetime.now())
    await one.save_thread(thread, ALICE)
    items = [assistant_message(one, thread, str(n)) for n in range(200)]
    async with asyncio.timeout(60):
        await asyncio.gather(
            *((two, one)[n % 2].add_thread_item(thread.id, i, ALICE) for n, i in enumerate(items))
        )
    stored = await all_items(one, thread.id)
    assert sorted(i.id for i in stored) == sorted(i.id for i in items)
    assert len({i.id for i in stored}) == 200
    # Both stores see the same single order, newest first being its exact reverse.
    newest_first = [i.id for i in (await two.load_thread_items(thread.id, None, 200, "desc", ALICE)).data]
    assert newest_first == [i.id for i in stored][::-1]


async def test_concurrent_saves_of_one_item_keep_exactly_one(two_stores: tuple[SQLStore, SQLStore]) -> None:
    one, two = two_stores
    thread = ThreadMetadata(id=one.generate_thread_id(ALICE), created_at=datetime.now())
    await one.save_thread(thread, ALICE)
    item = assistant_message(one, thread, "v0")
    versions = [
        item.model_copy(update={"content": [AssistantMessageContent(text=f"v{n}")]}) for n in range(60)
    ]
    async with asyncio.timeout(60):
        await asyncio.gather(
            *((one if n % 2 else two).save_item(thread.id, v, ALICE) for n, v in enumerate(versions))
        )
    stored = await all_items(two, thread.id)
    assert len(stored) == 1
    assert stored[0] in versions


async def test_concurrent_threads_each_with_their_own_writers_are_all_complete(
    two_stores: tuple[SQLStore, SQLStore],
) -> None:
    one, two = two_stores
    threads = [ThreadMetadata(id=one.generate_thread_id(ALICE), created_at=datetime.now()) for _ in range(8)]

    async def converse(store: SQLStore, thread: ThreadMetadata) -> None:
        await store.save_thread(thread, ALICE)
        for n in range(15):
            await store.add_thread_item(thread.id, assistant_message(store, thread, str(n)), ALICE)
            await store.save_thread(thread.model_copy(update={"title": f"turn {n}"}), ALICE)

    async with asyncio.timeout(60):
        await asyncio.gather(*(converse(one if n % 2 else two, t) for n, t in enumerate(threads)))
    for thread in threads:
        assert [i.content[0].text for i in await all_items(two, thread.id)] == [str(n) for n in range(15)]
        assert (await one.load_thread(thread.id, ALICE)).title == "turn 14"
    assert len((await two.load_threads(100, None, "desc", ALICE)).data) == 8


_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime
    from chatkit.types import AssistantMessageContent, AssistantMessageItem, ThreadMetadata
    from gateway.store.context import RequestContext
    from gateway.store.sql import SQLStore

    async def main(url, thread_id, tag):
        ctx = RequestContext(user_id="alice")
        store = await SQLStore.create(url)
        thread = ThreadMetadata(id=thread_id, created_at=datetime.now())
        await asyncio.gather(*(
            store.add_thread_item(thread_id, AssistantMessageItem(
                id=f"msg_{tag}_{n}", thread_id=thread_id, created_at=datetime.now(),
                content=[AssistantMessageContent(text=tag)]), ctx)
            for n in range(100)))
        await store.close()

    asyncio.run(main(*sys.argv[1:]))
    """
)


async def test_two_processes_adding_to_one_thread_lose_nothing(database_url: str) -> None:
    store = await SQLStore.create(database_url)
    thread = ThreadMetadata(id=store.generate_thread_id(ALICE), created_at=datetime.now())
    await store.save_thread(thread, ALICE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", _WRITER, database_url, thread.id]
    pipe = asyncio.subprocess.PIPE
    writers = [
        await asyncio.create_subprocess_exec(*command, t, cwd=ROOT, env=env, stderr=pipe) for t in "ab"
    ]
    try:
        async with asyncio.timeout(60):
            results = [await w.communicate() for w in writers]
    finally:
        for w in writers:
            if w.returncode is None:
                w.kill()
                await w.wait()
    assert [w.returncode for w in writers] == [0, 0], [err.decode()[-2000:] for _, err in results]
    stored = await all_items(store, thread.id)
    expected = {f"msg_{tag}_{n}" for tag in "ab" for n in range(100)}
    assert len(stored) == 200 and {i.id for i in stored} == expected
    await store.close()
