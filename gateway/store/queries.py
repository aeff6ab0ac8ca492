"""The store's SQL statements, built once and bound per call.

Building a SQLAlchemy statement costs 100-200 µs of Python, as much as running a small query,
so these are built at import (upserts once per dialect) and only bound per call; SQLAlchemy
then caches their compiled SQL too. Named parameters: ``thread_id``, ``item_id``,
``attachment_id``, ``user_id``, ``after`` (an id cursor), ``limit``, ``now``; inserts take their
column values as parameters.

Each page query resolves its cursor in a subquery, so a page is one round trip. A cursor that
is not the caller's makes the subquery NULL, which matches no row: an empty page is therefore
followed by ``PAGE_TARGET`` (or ``THREAD_CURSOR``), which tells "nothing more" from "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, Select, String, Table, bindparam, delete, select, tuple_, update

from gateway.store.models import ATTACHMENTS, ITEMS, THREADS

_thread_id = bindparam("thread_id", type_=String())
_user_id = bindparam("user_id", type_=String())
_after = bindparam("after", type_=String())
_limit = bindparam("limit", type_=Integer())
_item_id = bindparam("item_id", type_=String())
_attachment_id = bindparam("attachment_id", type_=String())


def _item_page(ascending: bool, with_cursor: bool) -> Select[str, str]:
    # Items carry their thread owner's user_id, so this query alone is scoped to the caller.
    query = select(ITEMS.c.type, ITEMS.c.data).where(
        ITEMS.c.thread_id == _thread_id, ITEMS.c.user_id == _user_id
    )
    if with_cursor:
        cursor = ITEMS.alias("cursor")
        seq = select(cursor.c.seq).where(
            cursor.c.thread_id == _thread_id, cursor.c.id == _after, cursor.c.user_id == _user_id
        )
        bound = seq.scalar_subquery()
        query = query.where(ITEMS.c.seq > bound if ascending else ITEMS.c.seq < bound)
    return query.order_by(ITEMS.c.seq.asc() if ascending else ITEMS.c.seq.desc()).limit(_limit)


def _thread_page(ascending: bool, with_cursor: bool) -> Select[str]:
    query = select(THREADS.c.data).where(THREADS.c.user_id == _user_id)
    if with_cursor:
        cursor = THREADS.alias("cursor")
        created_at = select(cursor.c.created_at).where(cursor.c.id == _after, cursor.c.user_id == _user_id)
        # (created_at, id) as one key: threads created in the same instant keep a fixed order.
        key = tuple_(THREADS.c.created_at, THREADS.c.id)
        bound = tuple_(created_at.scalar_subquery(), _after)
        query = query.where(key > bound if ascending else key < bound)
    columns = (THREADS.c.created_at, THREADS.c.id)
    return query.order_by(*(c.asc() if ascending else c.desc() for c in columns)).limit(_limit)


ITEM_PAGES = {(asc, cursor): _item_page(asc, cursor) for asc in (True, False) for cursor in (True, False)}
"""Keyed by (ascending, with a cursor): a page of (type, data) rows."""

THREAD_PAGES = {(asc, cursor): _thread_page(asc, cursor) for asc in (True, False) for cursor in (True, False)}
"""Keyed by (ascending, with a cursor): a page of data rows."""

PAGE_TARGET = select(
    THREADS.c.id,
    select(ITEMS.c.seq).where(ITEMS.c.thread_id == _thread_id, ITEMS.c.id == _after).scalar_subquery(),
).where(THREADS.c.id == _thread_id, THREADS.c.user_id == _user_id)
"""One row if the thread is the caller's; its second column is NULL unless ``after`` is one of its items."""

THREAD_CURSOR = select(THREADS.c.id).where(THREADS.c.id == _after, THREADS.c.user_id == _user_id)
"""One row if the cursor ``after`` is a thread of the caller's."""

# -- by id ---------------------------------------------------------------------------------

THREAD_DATA = select(THREADS.c.data).where(THREADS.c.id == _thread_id, THREADS.c.user_id == _user_id)
ITEM_ROW = select(ITEMS.c.type, ITEMS.c.data).where(
    ITEMS.c.thread_id == _thread_id, ITEMS.c.id == _item_id, ITEMS.c.user_id == _user_id
)
ATTACHMENT_DATA = select(ATTACHMENTS.c.data).where(
    ATTACHMENTS.c.id == _attachment_id, ATTACHMENTS.c.user_id == _user_id
)

# -- writes --------------------------------------------------------------------------------

CLAIM_SEQ = (
    update(THREADS)
    # An UPDATE's parameters may not share a column's name: b_ for "bound".
    .where(
        THREADS.c.id == bindparam("b_thread_id", type_=String()),
        THREADS.c.user_id == bindparam("b_user_id", type_=String()),
    )
    .values(last_seq=THREADS.c.last_seq + 1, updated_at=bindparam("now", type_=DateTime()))
    .returning(THREADS.c.last_seq)
)
"""Take the thread's next item seq (``b_thread_id``, ``b_user_id``, ``now``): no row unless the thread is the caller's."""

DELETE_THREAD_ITEMS = delete(ITEMS).where(ITEMS.c.thread_id == _thread_id, ITEMS.c.user_id == _user_id)
DELETE_THREAD = delete(THREADS).where(THREADS.c.id == _thread_id, THREADS.c.user_id == _user_id)
DELETE_ITEM = delete(ITEMS).where(
    ITEMS.c.thread_id == _thread_id, ITEMS.c.id == _item_id, ITEMS.c.user_id == _user_id
)
DELETE_ATTACHMENT = delete(ATTACHMENTS).where(
    ATTACHMENTS.c.id == _attachment_id, ATTACHMENTS.c.user_id == _user_id
)


@dataclass(frozen=True)
class Upserts:
    """INSERT … ON CONFLICT statements, in the dialect of the ``insert`` they were built with."""

    thread: Any
    """Insert a thread, or update it if it is the caller's (else no row changes)."""
    item: Any
    """Insert an item (a taken id in the thread raises IntegrityError)."""
    item_replacing: Any
    """Insert an item, or replace the thread's item of that id in place (its seq is kept)."""
    attachment: Any
    """Insert an attachment, or update it if it is the caller's (else no row changes)."""


def build_upserts(insert: Callable[[Table], Any]) -> Upserts:
    """The upserts for one dialect (``sqlalchemy.dialects.sqlite.insert`` or ``postgresql.insert``)."""
    thread = insert(THREADS)
    item = insert(ITEMS)
    attachment = insert(ATTACHMENTS)
    return Upserts(
        thread=thread.on_conflict_do_update(
            index_elements=[THREADS.c.id],
            set_={k: thread.excluded[k] for k in ("created_at", "updated_at", "data")},
            # The same id under another user is left alone, and reported as not found.
            where=THREADS.c.user_id == thread.excluded.user_id,
        ),
        item=item,
        item_replacing=item.on_conflict_do_update(
            index_elements=[ITEMS.c.thread_id, ITEMS.c.id],
            set_={k: item.excluded[k] for k in ("created_at", "type", "data")},
        ),
        attachment=attachment.on_conflict_do_update(
            index_elements=[ATTACHMENTS.c.id],
            set_={"data": attachment.excluded.data},
            where=ATTACHMENTS.c.user_id == attachment.excluded.user_id,
        ),
    )
