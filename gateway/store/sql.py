"""The ChatKit store on SQL: SQLite for one machine, PostgreSQL for many replicas.

Every call is scoped to ``context.user_id``: another user's thread, item or attachment is
indistinguishable from a missing one (``chatkit.store.NotFoundError``), and writes naming
another user's thread fail the same way.

Pages are cursor based: ``after`` is the id of the last item (or thread) of the previous page,
resolved to its position and continued from there through an index, so a page costs the same
deep in a 100,000-item thread as at its start, and items stamped in the same microsecond still
page in one fixed order. An ``after`` naming no visible item or thread raises ``NotFoundError``.
A page hands out its ``after`` only when ``has_more`` (the SDK's own stores do the same).

When the database cannot be reached (down, restarting, refusing, timing out, a SQLite file that
cannot be opened) or a connection is lost mid-call, every method raises
``gateway.errors.StoreUnavailableError``, and ``store.outage`` says so (logged once per outage).

The same database also keeps the audit log of MCP calls (``store.audit``) and single-use
claims (``store.claims``).

Usage::

    store = await SQLStore.create("sqlite+aiosqlite:///data/gateway.db")
    try:
        ...
    finally:
        await store.close()
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Self

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata
from sqlalchemy import Connection, Row, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store import codec
from gateway.store.audit import AuditLog
from gateway.store.claims import Claims
from gateway.store.connections import Connections
from gateway.store.context import RequestContext
from gateway.store.engine import POSTGRES_CONNECT_TIMEOUT_S, async_engine, create_engine, create_tables
from gateway.store.outage import Outage
from gateway.store.queries import (
    ATTACHMENT_DATA,
    CLAIM_SEQ,
    DELETE_ATTACHMENT,
    DELETE_ITEM,
    DELETE_THREAD,
    DELETE_THREAD_ITEMS,
    ITEM_PAGES,
    ITEM_ROW,
    PAGE_TARGET,
    THREAD_CURSOR,
    THREAD_DATA,
    THREAD_PAGES,
    build_upserts,
)

MAX_PAGE_SIZE = 1000
"""Larger ``limit``s are cut to this; ``has_more`` tells the caller to ask for the rest."""

_ID_HEX_BYTES = 10  # 80 random bits: no collision in a table shared by many replicas
_ID_PREFIXES: dict[StoreItemType, str] = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "workflow": "wf",
    "task": "tsk",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
}


def new_id(kind: StoreItemType) -> str:
    """A fresh id such as ``msg_1f0c…`` (the SDK's prefixes, 80 random bits)."""
    return f"{_ID_PREFIXES[kind]}_{secrets.token_hex(_ID_HEX_BYTES)}"


class SQLStore(Store[RequestContext]):
    """ChatKit ``Store`` over SQLite (``sqlite+aiosqlite:///file.db``) or PostgreSQL (``postgresql+asyncpg://…``)."""

    def __init__(self, url: str, *, connect_timeout: float = POSTGRES_CONNECT_TIMEOUT_S) -> None:
        """Set up the engine for ``url`` without connecting; call ``start()`` (or use ``create``).

        ``connect_timeout`` (seconds, PostgreSQL only) bounds how long a call waits for a new
        connection to an unresponsive server before raising ``StoreUnavailableError``.
        """
        self._engine = create_engine(url, connect_timeout=connect_timeout)
        self._async_engine: AsyncEngine | None = None
        postgres = self._engine.dialect.name == "postgresql"
        self._upserts = build_upserts(postgresql_insert if postgres else sqlite_insert)
        self.outage = Outage()
        """Whether the database answered the last call (``.down``, ``.reason``), shared by all below."""
        self._db = Connections(self._engine, self.outage)
        self.audit = AuditLog(self._engine, outage=self.outage)
        """The audit log of MCP calls, in the same database."""
        self.claims = Claims(self._engine, outage=self.outage)
        """Single-use claims (confirmation cards), in the same database."""

    @classmethod
    async def create(cls, url: str, *, connect_timeout: float = POSTGRES_CONNECT_TIMEOUT_S) -> SQLStore:
        """A started store on ``url``: the database is reachable and its tables exist."""
        store = cls(url, connect_timeout=connect_timeout)
        try:
            await store.start()
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def engine(self) -> AsyncEngine:
        """An async SQLAlchemy engine on the store's database (for seeding in benchmarks and tests)."""
        if self._async_engine is None:
            self._async_engine = async_engine(self._engine)
        return self._async_engine

    async def start(self) -> None:
        """Connect and create the tables that do not exist yet; ``StoreUnavailableError`` if unreachable."""
        await self._db.write(create_tables)

    async def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        if self._async_engine is not None and self._async_engine is not self._engine:
            await self._async_engine.dispose()
        if isinstance(self._engine, AsyncEngine):
            await self._engine.dispose()
        else:
            self._engine.dispose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def ping(self, timeout: float = 5.0) -> None:
        """Return once the database answers a query; ``StoreUnavailableError`` if not within ``timeout`` s."""
        try:
            async with asyncio.timeout(timeout):
                await self._db.read(lambda conn: conn.execute(text("SELECT 1")).scalar())
        except TimeoutError:
            raise self._db.unavailable(f"{self._db.where} did not answer within {timeout:g} s") from None

    # -- ids ------------------------------------------------------------------------------

    def generate_thread_id(self, context: RequestContext) -> str:
        """A new thread id with 80 random bits (the SDK's default has 32)."""
        return new_id("thread")

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: RequestContext
    ) -> str:
        """A new item id with 80 random bits (the SDK's default has 32)."""
        return new_id(item_type)

    # -- threads --------------------------------------------------------------------------

    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        """Load a thread's metadata by id."""
        params = {"thread_id": thread_id, "user_id": context.user_id}
        data = await self._db.read(lambda conn: conn.execute(THREAD_DATA, params).scalar())
        if data is None:
            raise _thread_not_found(thread_id)
        return codec.load_thread(data)

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        """Persist thread metadata (title, status, etc.): insert, or update the caller's own thread."""
        row = {
            "id": thread.id,
            "user_id": context.user_id,
            "created_at": codec.naive(thread.created_at),
            "updated_at": datetime.now(),
            "data": codec.dump_thread(thread),
        }
        if await self._db.write(lambda conn: conn.execute(self._upserts.thread, row).rowcount) == 0:
            raise _thread_not_found(thread.id)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        """Load a page of the caller's threads by creation time (id breaks ties), after the thread ``after``."""
        ascending, size = _ascending(order), _page_size(limit)
        params = {"user_id": context.user_id, "after": after, "limit": size + 1}

        def page(conn: Connection) -> Sequence[str]:
            rows = conn.execute(THREAD_PAGES[ascending, after is not None], params).scalars().all()
            if not rows and after is not None and conn.execute(THREAD_CURSOR, params).first() is None:
                raise _thread_not_found(after)
            return rows

        rows = await self._db.read(page)
        data = [codec.load_thread(row) for row in rows[:size]]
        has_more = len(rows) > size
        return Page(data=data, has_more=has_more, after=_next_after(data, has_more))

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        """Delete a thread and its items."""
        params = {"thread_id": thread_id, "user_id": context.user_id}

        def delete(conn: Connection) -> None:
            conn.execute(DELETE_THREAD_ITEMS, params)
            if conn.execute(DELETE_THREAD, params).rowcount == 0:
                raise _thread_not_found(thread_id)

        await self._db.write(delete)

    # -- items ----------------------------------------------------------------------------

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        """Load a page of thread items in insertion order (``asc``) or newest first (``desc``)."""
        ascending, size = _ascending(order), _page_size(limit)
        params = {"thread_id": thread_id, "user_id": context.user_id, "after": after, "limit": size + 1}

        def page(conn: Connection) -> Sequence[Row[str, str]]:
            rows = conn.execute(ITEM_PAGES[ascending, after is not None], params).all()
            if not rows:  # an empty thread, the end of one, or nothing of the caller's?
                target = conn.execute(PAGE_TARGET, params).first()
                if target is None:
                    raise _thread_not_found(thread_id)
                if after is not None and target[1] is None:
                    raise NotFoundError(f"item {after} not found in thread {thread_id}")
            return rows

        rows = await self._db.read(page)
        data = [codec.load_item(row.type, row.data) for row in rows[:size]]
        has_more = len(rows) > size
        return Page(data=data, has_more=has_more, after=_next_after(data, has_more))

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Persist a newly created thread item at the end of the thread; ``ValueError`` if its id is taken."""
        try:
            await self._write_item(thread_id, item, context, replace=False)
        except IntegrityError:
            raise ValueError(
                f"thread {thread_id} already has an item {item.id}: add_thread_item takes new ids, "
                "save_item replaces"
            ) from None

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Upsert a thread item by id: a replaced item keeps its place in the thread."""
        await self._write_item(thread_id, item, context, replace=True)

    async def _write_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext, *, replace: bool
    ) -> None:
        # Taking the thread's next seq is an UPDATE of the caller's own thread row: no row, no
        # write; and the row lock it takes queues concurrent writers to the same thread, so
        # seqs follow commit order and a reader paging forward never skips a late commit.
        claim = {"b_thread_id": thread_id, "b_user_id": context.user_id, "now": datetime.now()}
        row = {
            "thread_id": thread_id,
            "id": item.id,
            "user_id": context.user_id,
            "created_at": codec.naive(item.created_at),
            "type": item.type,
            "data": codec.dump_item(item),
        }
        upsert = self._upserts.item_replacing if replace else self._upserts.item

        def write(conn: Connection) -> None:
            seq = conn.execute(CLAIM_SEQ, claim).scalar()
            if seq is None:
                raise _thread_not_found(thread_id)
            conn.execute(upsert, {**row, "seq": seq})

        await self._db.write(write)

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        """Load a thread item by id."""
        params = {"thread_id": thread_id, "item_id": item_id, "user_id": context.user_id}
        row = await self._db.read(lambda conn: conn.execute(ITEM_ROW, params).first())
        if row is None:
            raise NotFoundError(f"item {item_id} not found in thread {thread_id}")
        return codec.load_item(row.type, row.data)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: RequestContext) -> None:
        """Delete a thread item by id; an item that is not there is already deleted.

        Not an error because the SDK removes items it streamed but never stored
        (``thread.item.removed`` before ``thread.item.done``). A thread that is not the
        caller's still raises ``NotFoundError``.
        """
        params = {"thread_id": thread_id, "item_id": item_id, "user_id": context.user_id}
        deleted = await self._db.write(lambda conn: conn.execute(DELETE_ITEM, params).rowcount)
        if deleted == 0:
            await self.load_thread(thread_id, context)

    # -- attachments ----------------------------------------------------------------------

    async def save_attachment(self, attachment: Attachment, context: RequestContext) -> None:
        """Upsert attachment metadata; the same id under another user raises ``NotFoundError``."""
        row = {"id": attachment.id, "user_id": context.user_id, "data": codec.dump_attachment(attachment)}
        if await self._db.write(lambda conn: conn.execute(self._upserts.attachment, row).rowcount) == 0:
            raise _attachment_not_found(attachment.id)

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> Attachment:
        """Load attachment metadata by id."""
        params = {"attachment_id": attachment_id, "user_id": context.user_id}
        data = await self._db.read(lambda conn: conn.execute(ATTACHMENT_DATA, params).scalar())
        if data is None:
            raise _attachment_not_found(attachment_id)
        return codec.load_attachment(data)

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        """Delete attachment metadata by id."""
        params = {"attachment_id": attachment_id, "user_id": context.user_id}
        if await self._db.write(lambda conn: conn.execute(DELETE_ATTACHMENT, params).rowcount) == 0:
            raise _attachment_not_found(attachment_id)


def _next_after(data: list[ThreadMetadata] | list[ThreadItem], has_more: bool) -> str | None:
    # The cursor only where there is more to ask for, as the SDK's own stores do: a client
    # that pages "while after" then stops at the end, not one empty round trip later.
    return data[-1].id if has_more else None


def _ascending(order: str) -> bool:
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
    return order == "asc"


def _page_size(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"limit must be a positive number of rows, got {limit}")
    return min(limit, MAX_PAGE_SIZE)


def _thread_not_found(thread_id: str) -> NotFoundError:
    return NotFoundError(f"thread {thread_id} not found")


def _attachment_not_found(attachment_id: str) -> NotFoundError:
    return NotFoundError(f"attachment {attachment_id} not found")
