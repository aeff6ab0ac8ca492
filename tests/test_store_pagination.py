"""Cursor pagination of thread items and threads: no gaps, no repeats, in both directions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from chatkit.store import NotFoundError
from chatkit.types import AssistantMessageItem, ThreadMetadata
from sqlalchemy import insert, update

from gateway.store.codec import dump_item
from gateway.store.models import ITEMS, THREADS
from gateway.store.sql import MAX_PAGE_SIZE, SQLStore
from tests.support.store import ALICE, add_messages, new_thread

SAME_INSTANT = datetime(2025, 5, 17, 12, 0, 0, 123456)


async def add_items(store: SQLStore, thread: ThreadMetadata, count: int) -> list[str]:
    """Add `count` items all stamped with the same instant; return their ids in insertion order."""
    return await add_messages(store, thread, count, created_at=SAME_INSTANT)


async def all_item_ids(
    store: SQLStore, thread_id: str, limit: int, order: str, after: str | None = None
) -> list[str]:
    seen: list[str] = []
    while True:
        page = await store.load_thread_items(thread_id, after, limit, order, ALICE)
        assert len(page.data) <= limit
        seen += [item.id for item in page.data]
        if not page.has_more:
            return seen
        assert page.after == page.data[-1].id
        after = page.after


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_an_empty_thread_gives_one_empty_page(store: SQLStore, order: str) -> None:
    thread = await new_thread(store)
    page = await store.load_thread_items(thread.id, None, 20, order, ALICE)
    assert (page.data, page.has_more, page.after) == ([], False, None)


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_a_limit_larger_than_the_thread_returns_everything_with_no_more(
    store: SQLStore, order: str
) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 3)
    page = await store.load_thread_items(thread.id, None, 50, order, ALICE)
    assert [i.id for i in page.data] == (ids if order == "asc" else ids[::-1])
    assert (page.has_more, page.after) == (False, None)


async def test_a_thread_of_exactly_limit_items_has_no_more(store: SQLStore) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 5)
    page = await store.load_thread_items(thread.id, None, 5, "asc", ALICE)
    assert ([i.id for i in page.data], page.has_more, page.after) == (ids, False, None)
    page = await store.load_thread_items(thread.id, None, 4, "asc", ALICE)
    assert ([i.id for i in page.data], page.has_more, page.after) == (ids[:4], True, ids[3])


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_only_a_page_with_more_after_it_hands_out_an_after_cursor(store: SQLStore, order: str) -> None:
    # The SDK's own stores and store tests: the last page's `after` is None, not its last id.
    thread = await new_thread(store)
    ids = await add_items(store, thread, 5)
    for _ in range(5):
        await new_thread(store)
    items, threads = [], []
    after: str | None = None
    while True:
        page = await store.load_thread_items(thread.id, after, 2, order, ALICE)
        items.append((len(page.data), page.has_more, page.after))
        if (after := page.after) is None:
            break
    while True:
        page = await store.load_threads(2, after, order, ALICE)
        threads.append((len(page.data), page.has_more, page.after is None))
        if (after := page.after) is None:
            break
    newest_first = ids[::-1]
    expected_afters = [ids[1], ids[3]] if order == "asc" else [newest_first[1], newest_first[3]]
    assert items == [(2, True, expected_afters[0]), (2, True, expected_afters[1]), (1, False, None)]
    assert threads == [(2, True, False), (2, True, False), (2, False, True)]


async def test_a_page_after_the_last_item_is_empty(store: SQLStore) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 4)
    after_last = await store.load_thread_items(thread.id, ids[-1], 20, "asc", ALICE)
    after_first_backwards = await store.load_thread_items(thread.id, ids[0], 20, "desc", ALICE)
    for page in (after_last, after_first_backwards):
        assert (page.data, page.has_more, page.after) == ([], False, None)


@pytest.mark.parametrize("limit", [1, 7, 10, 57])
async def test_items_stamped_at_the_same_instant_page_in_insertion_order_both_ways(
    store: SQLStore, limit: int
) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 57)
    assert await all_item_ids(store, thread.id, limit, "asc") == ids
    assert await all_item_ids(store, thread.id, limit, "desc") == ids[::-1]


async def test_paging_from_a_middle_item_continues_on_either_side_of_it(store: SQLStore) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 30)
    middle = ids[14]
    assert await all_item_ids(store, thread.id, 4, "asc", after=middle) == ids[15:]
    assert await all_item_ids(store, thread.id, 4, "desc", after=middle) == ids[:14][::-1]


async def test_items_added_while_paging_appear_once_at_the_end(store: SQLStore) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 10)
    seen: list[str] = []
    after = None
    while True:
        page = await store.load_thread_items(thread.id, after, 3, "asc", ALICE)
        seen += [i.id for i in page.data]
        if len(ids) < 16:
            ids += await add_items(store, thread, 2)
        if not page.has_more:
            break
        after = page.after
    assert seen == ids


async def test_a_replaced_or_deleted_neighbour_leaves_no_gap_or_repeat(store: SQLStore) -> None:
    thread = await new_thread(store)
    ids = await add_items(store, thread, 9)
    first = await store.load_thread_items(thread.id, None, 3, "asc", ALICE)
    replaced = (await store.load_item(thread.id, ids[1], ALICE)).model_copy(update={"content": []})
    await store.save_item(thread.id, replaced, ALICE)  # behind the cursor: stays behind it
    await store.delete_thread_item(thread.id, ids[4], ALICE)
    assert await all_item_ids(store, thread.id, 3, "asc", after=first.after) == ids[3:4] + ids[5:]


async def test_a_cursor_that_names_no_item_of_the_thread_raises_not_found(store: SQLStore) -> None:
    thread, other = await new_thread(store), await new_thread(store)
    await add_items(store, thread, 2)
    elsewhere = await add_items(store, other, 1)
    with pytest.raises(NotFoundError, match="msg_gone"):
        await store.load_thread_items(thread.id, "msg_gone", 20, "asc", ALICE)
    with pytest.raises(NotFoundError):
        await store.load_thread_items(thread.id, elsewhere[0], 20, "asc", ALICE)


@pytest.mark.parametrize(
    ("limit", "order", "message"), [(0, "asc", "limit"), (-3, "asc", "limit"), (5, "up", "order")]
)
async def test_a_bad_limit_or_order_raises_value_error(
    store: SQLStore, limit: int, order: str, message: str
) -> None:
    thread = await new_thread(store)
    with pytest.raises(ValueError, match=message):
        await store.load_thread_items(thread.id, None, limit, order, ALICE)
    with pytest.raises(ValueError, match=message):
        await store.load_threads(limit, None, order, ALICE)


async def test_a_huge_limit_is_cut_to_the_maximum_page_and_says_there_is_more(store: SQLStore) -> None:
    thread = await new_thread(store)
    items = [
        AssistantMessageItem(id=f"msg_{n:05}", thread_id=thread.id, created_at=SAME_INSTANT, content=[])
        for n in range(MAX_PAGE_SIZE + 5)
    ]
    owner = {"thread_id": thread.id, "user_id": ALICE.user_id, "created_at": SAME_INSTANT}
    rows = [
        {"seq": n, "id": i.id, "type": i.type, "data": dump_item(i), **owner} for n, i in enumerate(items, 1)
    ]
    async with store.engine.begin() as conn:  # straight into the table: 1,005 adds take a while
        await conn.execute(insert(ITEMS), rows)
        await conn.execute(update(THREADS).where(THREADS.c.id == thread.id).values(last_seq=len(rows)))
    page = await store.load_thread_items(thread.id, None, 10**9, "asc", ALICE)
    assert (len(page.data), page.has_more) == (MAX_PAGE_SIZE, True)
    rest = await store.load_thread_items(thread.id, page.after, 10**9, "asc", ALICE)
    assert [i.id for i in rest.data] == [f"msg_{n:05}" for n in range(MAX_PAGE_SIZE, MAX_PAGE_SIZE + 5)]


# -- threads -------------------------------------------------------------------------------


async def all_thread_ids(store: SQLStore, limit: int, order: str) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await store.load_threads(limit, after, order, ALICE)
        seen += [t.id for t in page.data]
        if not page.has_more:
            return seen
        after = page.after


async def test_no_threads_gives_one_empty_page(store: SQLStore) -> None:
    page = await store.load_threads(20, None, "desc", ALICE)
    assert (page.data, page.has_more, page.after) == ([], False, None)


async def test_threads_page_by_creation_time_whatever_order_they_were_saved_in(store: SQLStore) -> None:
    start = datetime(2025, 1, 1)
    offsets = [5, 1, 9, 3, 7, 0, 8, 2, 6, 4]
    threads = {n: await new_thread(store, created_at=start + timedelta(minutes=n)) for n in offsets}
    oldest_first = [threads[n].id for n in sorted(offsets)]
    for limit in (1, 3, 10, 11):
        assert await all_thread_ids(store, limit, "asc") == oldest_first
        assert await all_thread_ids(store, limit, "desc") == oldest_first[::-1]


@pytest.mark.parametrize("limit", [1, 4, 25, 30])
async def test_threads_created_at_the_same_instant_page_in_one_fixed_order_both_ways(
    store: SQLStore, limit: int
) -> None:
    ids = [(await new_thread(store, created_at=SAME_INSTANT)).id for _ in range(25)]
    assert await all_thread_ids(store, limit, "asc") == sorted(ids)
    assert await all_thread_ids(store, limit, "desc") == sorted(ids, reverse=True)


async def test_a_thread_cursor_that_names_no_thread_raises_not_found(store: SQLStore) -> None:
    with pytest.raises(NotFoundError, match="thr_gone"):
        await store.load_threads(20, "thr_gone", "asc", ALICE)
