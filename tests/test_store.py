"""SQLStore, method by method, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from chatkit.store import NotFoundError, StoreItemType
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    EndOfTurnItem,
    FileAttachment,
    GeneratedImage,
    GeneratedImageItem,
    HiddenContextItem,
    ImageAttachment,
    InferenceOptions,
    SDKHiddenContextItem,
    StructuredInputFreeform,
    StructuredInputItem,
    TaskItem,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    Workflow,
    WorkflowItem,
)
from chatkit.widgets import DynamicWidgetRoot
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import func, select

from gateway.errors import StoreUnavailableError
from gateway.store.codec import dump_item
from gateway.store.models import ITEMS
from gateway.store.sql import SQLStore
from tests.support.net import free_port
from tests.support.store import ALICE, new_thread

ThreadItemModel = TypeVar("ThreadItemModel", bound=BaseModel)


def user_message(store: SQLStore, thread: ThreadMetadata, text: str = "hi") -> UserMessageItem:
    return UserMessageItem(
        id=store.generate_item_id("message", thread, ALICE),
        thread_id=thread.id,
        created_at=datetime.now(),
        content=[UserMessageTextContent(text=text)],
        inference_options=InferenceOptions(),
    )


def card(**props: object) -> DynamicWidgetRoot:
    return DynamicWidgetRoot.model_validate(
        {"type": "Card", "children": [{"type": "Text", "value": "3 todos", "id": "t1"}], **props}
    )


def every_item_type(store: SQLStore, thread: ThreadMetadata) -> list[ThreadItem]:
    """One item of each kind ChatKit has, with the fields most likely to be lost filled in."""

    def item(model: type[ThreadItemModel], kind: StoreItemType = "message", **fields: Any) -> ThreadItemModel:
        base = {
            "id": store.generate_item_id(kind, thread, ALICE),
            "thread_id": thread.id,
            "created_at": datetime.now(),
        }
        return model.model_validate({**base, **fields})

    attachment = FileAttachment(id="atc_1", name="a.txt", mime_type="text/plain", thread_id=thread.id)
    return [
        item(
            UserMessageItem,
            content=[UserMessageTextContent(text="hello")],
            attachments=[attachment],
            quoted_text="quoted",
            inference_options=InferenceOptions(model="m"),
        ),
        item(AssistantMessageItem, content=[AssistantMessageContent(text="answer")]),
        item(ClientToolCallItem, "tool_call", call_id="c1", name="tool", arguments={"a": [1, {"b": None}]}),
        item(WidgetItem, widget=card(), copy_text="3 todos"),
        item(GeneratedImageItem, image=GeneratedImage(id="img", url="https://example.com/i.png")),
        item(StructuredInputItem, inputs=[StructuredInputFreeform(id="q1", question="Why?")]),
        item(WorkflowItem, "workflow", workflow=Workflow(type="reasoning", tasks=[])),
        item(TaskItem, "task", task={"type": "custom", "title": "t"}),
        item(HiddenContextItem, content={"nested": [1, 2, None]}),
        item(SDKHiddenContextItem, "sdk_hidden_context", content="cancelled"),
        item(EndOfTurnItem),
    ]


async def test_a_saved_thread_loads_back_with_all_its_metadata(store: SQLStore) -> None:
    thread = await new_thread(
        store,
        title="Todos",
        status={"type": "locked", "reason": "read only"},
        allowed_image_domains=["example.com"],
        metadata={"server": "todo", "n": 1},
    )
    assert await store.load_thread(thread.id, ALICE) == thread


async def test_saving_a_thread_again_updates_the_one_thread(store: SQLStore) -> None:
    thread = await new_thread(store, title="before")
    await store.save_thread(thread.model_copy(update={"title": "after"}), ALICE)
    assert (await store.load_thread(thread.id, ALICE)).title == "after"
    assert [t.id for t in (await store.load_threads(10, None, "asc", ALICE)).data] == [thread.id]


async def test_loading_a_missing_thread_raises_not_found(store: SQLStore) -> None:
    with pytest.raises(NotFoundError, match="thr_missing"):
        await store.load_thread("thr_missing", ALICE)
    with pytest.raises(NotFoundError):
        await store.load_thread_items("thr_missing", None, 20, "asc", ALICE)


async def test_every_item_type_loads_back_equal_to_what_was_added(store: SQLStore) -> None:
    thread = await new_thread(store)
    items = every_item_type(store, thread)
    for item in items:
        await store.add_thread_item(thread.id, item, ALICE)
    page = await store.load_thread_items(thread.id, None, 50, "asc", ALICE)
    assert page.data == items
    for item in items:
        assert await store.load_item(thread.id, item.id, ALICE) == item


async def test_items_keep_aware_created_at_values_as_given(store: SQLStore) -> None:
    thread = await new_thread(store)
    item = user_message(store, thread).model_copy(
        update={"created_at": datetime.fromisoformat("2025-01-02T03:04:05+02:00")}
    )
    await store.add_thread_item(thread.id, item, ALICE)
    assert (await store.load_item(thread.id, item.id, ALICE)).created_at == item.created_at


async def test_a_widget_item_round_trips_as_a_dynamic_widget_with_unknown_props_kept(store: SQLStore) -> None:
    thread = await new_thread(store)
    widget = card(
        size="md", futureProp={"kept": True}, children=[{"type": "Badge", "label": "new", "shimmer": 1}]
    )
    item = WidgetItem(
        id="msg_w", thread_id=thread.id, created_at=datetime.now(), widget=widget, copy_text="c"
    )
    await store.add_thread_item(thread.id, item, ALICE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # including the SDK's widget DeprecationWarning
        loaded = await store.load_item(thread.id, item.id, ALICE)
        page = await store.load_thread_items(thread.id, None, 20, "asc", ALICE)
    assert isinstance(loaded, WidgetItem)
    assert type(loaded.widget) is DynamicWidgetRoot
    assert type(page.data[0]) is WidgetItem and type(page.data[0].widget) is DynamicWidgetRoot
    dumped = loaded.model_dump(mode="json")
    assert dumped == item.model_dump(mode="json")
    assert dumped["widget"]["futureProp"] == {"kept": True}
    assert dumped["widget"]["children"][0]["shimmer"] == 1


async def test_save_item_twice_keeps_one_item_in_its_place(store: SQLStore) -> None:
    thread = await new_thread(store)
    first, middle, last = (user_message(store, thread, t) for t in ("1", "2", "3"))
    for item in (first, middle, last):
        await store.add_thread_item(thread.id, item, ALICE)
    replaced = middle.model_copy(update={"content": [UserMessageTextContent(text="2 edited")]})
    await store.save_item(thread.id, replaced, ALICE)
    await store.save_item(thread.id, replaced, ALICE)
    page = await store.load_thread_items(thread.id, None, 20, "asc", ALICE)
    assert page.data == [first, replaced, last]


async def test_save_item_inserts_an_item_that_was_never_added(store: SQLStore) -> None:
    thread = await new_thread(store)
    item = user_message(store, thread)
    await store.save_item(thread.id, item, ALICE)
    assert await store.load_item(thread.id, item.id, ALICE) == item


async def test_adding_an_item_whose_id_is_taken_raises_value_error(store: SQLStore) -> None:
    thread = await new_thread(store)
    item = user_message(store, thread)
    await store.add_thread_item(thread.id, item, ALICE)
    with pytest.raises(ValueError, match="already has an item"):
        await store.add_thread_item(thread.id, item, ALICE)
    assert len((await store.load_thread_items(thread.id, None, 20, "asc", ALICE)).data) == 1


async def test_the_same_item_id_may_exist_in_two_threads(store: SQLStore) -> None:
    one, two = await new_thread(store), await new_thread(store)
    item = user_message(store, one)
    await store.add_thread_item(one.id, item, ALICE)
    await store.add_thread_item(two.id, item.model_copy(update={"thread_id": two.id}), ALICE)
    await store.delete_thread_item(one.id, item.id, ALICE)
    assert (await store.load_item(two.id, item.id, ALICE)).thread_id == two.id


async def test_loading_a_missing_item_raises_not_found(store: SQLStore) -> None:
    thread = await new_thread(store)
    with pytest.raises(NotFoundError, match="msg_missing"):
        await store.load_item(thread.id, "msg_missing", ALICE)


async def test_adding_an_item_to_a_missing_thread_raises_not_found(store: SQLStore) -> None:
    thread = ThreadMetadata(id="thr_never_saved", created_at=datetime.now())
    with pytest.raises(NotFoundError):
        await store.add_thread_item(thread.id, user_message(store, thread), ALICE)
    with pytest.raises(NotFoundError):
        await store.save_item(thread.id, user_message(store, thread), ALICE)


async def test_delete_thread_item_removes_only_that_item(store: SQLStore) -> None:
    thread = await new_thread(store)
    keep, drop = user_message(store, thread, "keep"), user_message(store, thread, "drop")
    await store.add_thread_item(thread.id, keep, ALICE)
    await store.add_thread_item(thread.id, drop, ALICE)
    await store.delete_thread_item(thread.id, drop.id, ALICE)
    assert (await store.load_thread_items(thread.id, None, 20, "asc", ALICE)).data == [keep]
    with pytest.raises(NotFoundError):
        await store.load_item(thread.id, drop.id, ALICE)


async def test_deleting_an_item_that_is_not_there_is_not_an_error(store: SQLStore) -> None:
    # The SDK removes items it streamed but never stored (thread.item.removed before done).
    thread = await new_thread(store)
    await store.delete_thread_item(thread.id, "msg_never_stored", ALICE)
    with pytest.raises(NotFoundError):
        await store.delete_thread_item("thr_missing", "msg_never_stored", ALICE)


async def test_delete_thread_deletes_the_thread_and_its_items(store: SQLStore) -> None:
    thread, other = await new_thread(store), await new_thread(store)
    for t in (thread, other):
        for _ in range(3):
            await store.add_thread_item(t.id, user_message(store, t), ALICE)
    await store.delete_thread(thread.id, ALICE)
    with pytest.raises(NotFoundError):
        await store.load_thread(thread.id, ALICE)
    with pytest.raises(NotFoundError):
        await store.load_thread_items(thread.id, None, 20, "asc", ALICE)
    async with store.engine.connect() as conn:
        counts = dict(
            (await conn.execute(select(ITEMS.c.thread_id, func.count()).group_by(ITEMS.c.thread_id))).all()
        )
    assert counts == {other.id: 3}
    assert [t.id for t in (await store.load_threads(10, None, "asc", ALICE)).data] == [other.id]


async def test_deleting_a_missing_thread_raises_not_found(store: SQLStore) -> None:
    with pytest.raises(NotFoundError):
        await store.delete_thread("thr_missing", ALICE)


async def test_attachments_are_saved_upserted_loaded_and_deleted(store: SQLStore) -> None:
    file = FileAttachment(id="atc_f", name="notes.txt", mime_type="text/plain", metadata={"path": "/x"})
    image = ImageAttachment.model_validate(
        {"id": "atc_i", "name": "p.png", "mime_type": "image/png", "preview_url": "https://example.com/p.png"}
    )
    for attachment in (file, image):
        await store.save_attachment(attachment, ALICE)
    assert await store.load_attachment(file.id, ALICE) == file
    assert await store.load_attachment(image.id, ALICE) == image
    with_thread = file.model_copy(update={"thread_id": "thr_1"})
    await store.save_attachment(with_thread, ALICE)
    assert await store.load_attachment(file.id, ALICE) == with_thread
    await store.delete_attachment(file.id, ALICE)
    with pytest.raises(NotFoundError):
        await store.load_attachment(file.id, ALICE)
    with pytest.raises(NotFoundError):
        await store.delete_attachment(file.id, ALICE)
    assert await store.load_attachment(image.id, ALICE) == image


async def test_generated_ids_are_prefixed_and_carry_80_random_bits(store: SQLStore) -> None:
    thread = await new_thread(store)
    assert thread.id.startswith("thr_") and len(thread.id) == len("thr_") + 20
    ids = {store.generate_item_id("message", thread, ALICE) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("msg_") and len(i) == 24 for i in ids)
    assert store.generate_item_id("sdk_hidden_context", thread, ALICE).startswith("shcx_")


async def test_a_new_store_on_the_same_url_finds_everything_saved_before(database_url: str) -> None:
    first = await SQLStore.create(database_url)
    thread = await new_thread(first, title="kept")
    items = every_item_type(first, thread)
    for item in items:
        await first.add_thread_item(thread.id, item, ALICE)
    attachment = FileAttachment(id="atc_kept", name="a", mime_type="text/plain")
    await first.save_attachment(attachment, ALICE)
    await first.close()

    async with SQLStore(database_url) as second:
        assert await second.load_thread(thread.id, ALICE) == thread
        assert (await second.load_thread_items(thread.id, None, 50, "asc", ALICE)).data == items
        assert await second.load_attachment(attachment.id, ALICE) == attachment
        more = user_message(second, thread, "after restart")
        await second.add_thread_item(thread.id, more, ALICE)
        assert (await second.load_thread_items(thread.id, None, 1, "desc", ALICE)).data == [more]


async def test_ping_returns_while_the_database_answers(
    store: SQLStore, database_url: str, tmp_path: Path
) -> None:
    # /health asks ping whether the store works: it must return for a database that answers
    # and fail for one that does not (so it cannot be a formality that always returns).
    assert await store.ping() is None
    if database_url.startswith("sqlite"):
        silent = tmp_path / "a-directory.db"  # SQLite cannot open a directory as its database
        silent.mkdir()
        silent_url = f"sqlite+aiosqlite:///{silent}"
    else:  # the same PostgreSQL server, a database it does not have
        silent_url = f"{database_url.rsplit('/', 1)[0]}/no_such_database"
    silent_store = SQLStore(silent_url)  # not started: starting would already fail
    try:
        with pytest.raises(StoreUnavailableError, match="cannot connect to"):
            await silent_store.ping()
    finally:
        await silent_store.close()


async def test_a_store_on_an_unreachable_postgres_fails_saying_it_is_unavailable() -> None:
    url = f"postgresql+asyncpg://postgres:secret@127.0.0.1:{free_port()}/nothing"
    with pytest.raises(
        StoreUnavailableError, match=r"cannot connect to postgresql.*: connection refused"
    ) as failed:
        await SQLStore.create(url)
    assert "secret" not in str(failed.value)
    store = SQLStore(url)
    with pytest.raises(StoreUnavailableError):
        await store.ping()
    await store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "expected sqlite\\+aiosqlite:// or postgresql\\+asyncpg://"),
        ("not a url", "is not a database URL"),
        ("sqlite+aiosqlite://", "names no file"),
        ("sqlite+aiosqlite:///:memory:", "names no file"),
    ],
)
def test_urls_of_other_databases_are_refused_saying_what_is_expected(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SQLStore(url)


@pytest.mark.postgres
async def test_plain_sqlite_and_postgresql_urls_get_the_async_driver(
    tmp_path: Path, postgres_url: str
) -> None:
    sqlite_store = await SQLStore.create(f"sqlite:///{tmp_path / 'a' / 'b.db'}")
    assert sqlite_store.engine.url.drivername == "sqlite+aiosqlite"
    await sqlite_store.close()
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    pg_store = await SQLStore.create(plain)
    assert pg_store.engine.url.drivername == "postgresql+asyncpg"
    await pg_store.close()


def test_the_stored_item_json_parses_with_the_sdks_union_alone() -> None:
    # Other tools (or a future store) can read the table without our loader.
    item = AssistantMessageItem(id="m", thread_id="t", created_at=datetime.now(), content=[])
    assert TypeAdapter(ThreadItem).validate_json(dump_item(item)) == item
