"""One user's threads, items and attachments are invisible and untouchable to another."""

from __future__ import annotations

from datetime import datetime

import pytest
from chatkit.store import NotFoundError
from chatkit.types import AssistantMessageItem, FileAttachment, ThreadMetadata

from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore
from tests.support.store import ALICE, assistant_message

BOB = RequestContext(user_id="bob")


class AlicesData:
    def __init__(
        self, thread: ThreadMetadata, item: AssistantMessageItem, attachment: FileAttachment
    ) -> None:
        self.thread, self.item, self.attachment = thread, item, attachment


@pytest.fixture
async def alice(store: SQLStore) -> AlicesData:
    thread = ThreadMetadata(id=store.generate_thread_id(ALICE), created_at=datetime.now(), title="alice's")
    await store.save_thread(thread, ALICE)
    item = assistant_message(store, thread, "alice says")
    await store.add_thread_item(thread.id, item, ALICE)
    attachment = FileAttachment(id="atc_alice", name="a.txt", mime_type="text/plain")
    await store.save_attachment(attachment, ALICE)
    return AlicesData(thread, item, attachment)


async def assert_alice_untouched(store: SQLStore, alice: AlicesData) -> None:
    assert await store.load_thread(alice.thread.id, ALICE) == alice.thread
    assert (await store.load_thread_items(alice.thread.id, None, 20, "asc", ALICE)).data == [alice.item]
    assert await store.load_attachment(alice.attachment.id, ALICE) == alice.attachment


async def test_another_users_thread_reads_exactly_like_a_missing_one(
    store: SQLStore, alice: AlicesData
) -> None:
    with pytest.raises(NotFoundError) as hidden:
        await store.load_thread(alice.thread.id, BOB)
    with pytest.raises(NotFoundError) as missing:
        await store.load_thread("thr_missing", BOB)
    assert str(hidden.value).replace(alice.thread.id, "X") == str(missing.value).replace("thr_missing", "X")
    with pytest.raises(NotFoundError):
        await store.load_thread_items(alice.thread.id, None, 20, "asc", BOB)
    with pytest.raises(NotFoundError):
        await store.load_item(alice.thread.id, alice.item.id, BOB)
    with pytest.raises(NotFoundError):
        await store.load_attachment(alice.attachment.id, BOB)


async def test_listing_threads_shows_only_the_callers_own(store: SQLStore, alice: AlicesData) -> None:
    bobs = ThreadMetadata(id=store.generate_thread_id(BOB), created_at=datetime.now())
    await store.save_thread(bobs, BOB)
    assert [t.id for t in (await store.load_threads(20, None, "desc", BOB)).data] == [bobs.id]
    assert [t.id for t in (await store.load_threads(20, None, "desc", ALICE)).data] == [alice.thread.id]
    with pytest.raises(NotFoundError):  # alice's thread is no cursor for bob
        await store.load_threads(20, alice.thread.id, "desc", BOB)


async def test_writes_naming_another_users_thread_fail_and_change_nothing(
    store: SQLStore, alice: AlicesData
) -> None:
    with pytest.raises(NotFoundError):
        await store.save_thread(alice.thread.model_copy(update={"title": "bob's now"}), BOB)
    with pytest.raises(NotFoundError):
        await store.add_thread_item(alice.thread.id, assistant_message(store, alice.thread, "bob adds"), BOB)
    with pytest.raises(NotFoundError):
        await store.save_item(alice.thread.id, assistant_message(store, alice.thread, "bob saves"), BOB)
    with pytest.raises(NotFoundError):  # not even by replacing alice's item by its id
        await store.save_item(alice.thread.id, alice.item.model_copy(update={"content": []}), BOB)
    await assert_alice_untouched(store, alice)


async def test_deletes_naming_another_users_data_fail_and_delete_nothing(
    store: SQLStore, alice: AlicesData
) -> None:
    with pytest.raises(NotFoundError):
        await store.delete_thread(alice.thread.id, BOB)
    with pytest.raises(NotFoundError):
        await store.delete_thread_item(alice.thread.id, alice.item.id, BOB)
    with pytest.raises(NotFoundError):
        await store.delete_attachment(alice.attachment.id, BOB)
    await assert_alice_untouched(store, alice)


async def test_saving_another_users_attachment_id_fails_and_changes_nothing(
    store: SQLStore, alice: AlicesData
) -> None:
    with pytest.raises(NotFoundError):
        await store.save_attachment(alice.attachment.model_copy(update={"name": "bob.txt"}), BOB)
    await assert_alice_untouched(store, alice)


async def test_an_item_moved_into_another_users_thread_is_refused(store: SQLStore, alice: AlicesData) -> None:
    bobs = ThreadMetadata(id=store.generate_thread_id(BOB), created_at=datetime.now())
    await store.save_thread(bobs, BOB)
    # Alice cannot write into Bob's thread, even with an item id from her own thread.
    with pytest.raises(NotFoundError):
        await store.save_item(bobs.id, alice.item, ALICE)
    assert (await store.load_thread_items(bobs.id, None, 20, "asc", BOB)).data == []
