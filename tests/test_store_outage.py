"""A database that is down, restarting or unreachable: one clear error, one log line each way.

The PostgreSQL tests stop and restart a private cluster of their own, never the session's
shared one, and leave it running.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chatkit.store import NotFoundError
from chatkit.types import FileAttachment, ThreadMetadata
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from gateway.errors import StoreUnavailableError
from gateway.store import failures
from gateway.store.outage import Outage
from gateway.store.sql import SQLStore
from tests.support.audit import audit_entry
from tests.support.postgres import PostgresCluster, postgres_cluster_running
from tests.support.store import ALICE, assistant_message, new_thread

OUTAGE_LOGGER = "gateway.store.outage"


@pytest.fixture(scope="module")
def private_cluster() -> Iterator[PostgresCluster]:
    """A cluster these tests may stop and restart without disturbing the shared one."""
    with postgres_cluster_running() as cluster:
        yield cluster


@pytest.fixture
async def pg_store(private_cluster: PostgresCluster) -> AsyncIterator[SQLStore]:
    store = await SQLStore.create(private_cluster.create_database(), connect_timeout=2.0)
    yield store
    await store.close()


def every_kind_of_call(store: SQLStore, thread: ThreadMetadata) -> list[Callable[[], Awaitable[Any]]]:
    """One call of each kind: reads, writes, the audit log, claims and the health ping."""
    return [
        lambda: store.load_thread(thread.id, ALICE),
        lambda: store.load_threads(20, None, "desc", ALICE),
        lambda: store.load_thread_items(thread.id, None, 20, "asc", ALICE),
        lambda: store.save_thread(thread, ALICE),
        lambda: store.add_thread_item(thread.id, assistant_message(store, thread), ALICE),
        lambda: store.delete_thread_item(thread.id, "msg_x", ALICE),
        lambda: store.save_attachment(
            FileAttachment(id="atc_x", name="a.txt", mime_type="text/plain"), ALICE
        ),
        lambda: store.audit.record(audit_entry()),
        lambda: store.audit.entries(limit=5),
        lambda: store.claims.claim(f"card-{time.monotonic_ns()}", "alice"),
        lambda: store.ping(timeout=2.0),
    ]


def logged(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    """Every record at ``level`` or above, from any logger (the SDK's, SQLAlchemy's, asyncio's too)."""
    return [r for r in caplog.records if r.levelno >= level]


@pytest.mark.postgres
async def test_a_stopped_postgres_fails_every_call_quickly_with_one_warning_and_recovers_with_one_info(
    private_cluster: PostgresCluster, pg_store: SQLStore, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await new_thread(pg_store)
    calls = every_kind_of_call(pg_store, thread)
    await asyncio.gather(*(pg_store.load_thread(thread.id, ALICE) for _ in range(4)))  # pooled connections
    caplog.set_level(logging.INFO)
    await asyncio.to_thread(private_cluster.stop)
    try:
        for _ in range(5):
            for call in calls:
                started = time.monotonic()
                with pytest.raises(StoreUnavailableError, match="connection refused") as failed:
                    await call()
                assert time.monotonic() - started < 2.0
                assert "SQL" not in str(failed.value) and "sqlalche.me" not in str(failed.value)
        assert pg_store.outage.down
        assert pg_store.outage.reason == f"cannot connect to {pg_store.engine.url}: connection refused"
        [warning] = logged(caplog, logging.WARNING)
        assert warning.getMessage() == f"store unavailable: {pg_store.outage.reason}"
        assert warning.name == OUTAGE_LOGGER and warning.exc_info is None
    finally:
        await asyncio.to_thread(private_cluster.start)

    assert await pg_store.load_thread(thread.id, ALICE) == thread
    assert not pg_store.outage.down and pg_store.outage.reason is None
    [recovered] = [r for r in logged(caplog, logging.INFO) if r.levelno == logging.INFO]
    assert re.fullmatch(r"store available again after \d+\.\d s \(55 calls failed\)", recovered.getMessage())
    assert recovered.name == OUTAGE_LOGGER
    assert len(logged(caplog, logging.WARNING)) == 1
    for call in calls:  # and every kind of call works again
        await call()


@pytest.mark.postgres
async def test_the_first_calls_after_a_postgres_restart_succeed_on_a_pool_of_stale_connections(
    private_cluster: PostgresCluster, pg_store: SQLStore, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await new_thread(pg_store)
    await asyncio.gather(*(pg_store.load_thread(thread.id, ALICE) for _ in range(5)))
    assert pg_store.engine.sync_engine.pool.checkedin() >= 5
    async with pg_store.engine.connect() as conn:
        before = (await conn.execute(text("SELECT pg_postmaster_start_time()"))).scalar()
    caplog.set_level(logging.INFO)

    await asyncio.to_thread(private_cluster.restart)

    # As many calls at once as there are stale connections: each would get one of them.
    loaded = await asyncio.gather(*(pg_store.load_thread(thread.id, ALICE) for _ in range(5)))
    assert loaded == [thread] * 5
    await pg_store.add_thread_item(thread.id, assistant_message(pg_store, thread), ALICE)
    assert logged(caplog, logging.WARNING) == []
    assert not pg_store.outage.down
    async with pg_store.engine.connect() as conn:
        after = (await conn.execute(text("SELECT pg_postmaster_start_time()"))).scalar()
    assert before is not None and after is not None and after > before  # it really restarted


@pytest.mark.postgres
async def test_a_connection_lost_in_the_middle_of_a_call_is_an_outage_not_a_real_error(
    private_cluster: PostgresCluster, pg_store: SQLStore, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await new_thread(pg_store)
    database = pg_store.engine.url.database
    caplog.set_level(logging.INFO)
    # Hold the thread's row lock so the store's write waits inside the database, then end
    # the waiting backend as an administrator (or a crash) would.
    async with pg_store.engine.connect() as holder:
        await holder.execute(
            text("SELECT 1 FROM chatkit_threads WHERE id = :id FOR UPDATE"), {"id": thread.id}
        )
        write = asyncio.create_task(
            pg_store.add_thread_item(thread.id, assistant_message(pg_store, thread), ALICE)
        )
        waiting = (
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND wait_event_type = 'Lock'"
        )
        async with asyncio.timeout(10):
            while not (pids := private_cluster.psql(waiting).split()):
                await asyncio.sleep(0.02)  # no event to await: the server only shows it in a view
        private_cluster.psql(f"SELECT pg_terminate_backend({pids[0]})")
        with pytest.raises(StoreUnavailableError, match="lost the connection to postgresql") as failed:
            await write
        assert "terminating connection" in str(failed.value)
        await holder.rollback()

    assert pg_store.outage.down
    await pg_store.add_thread_item(thread.id, assistant_message(pg_store, thread), ALICE)
    assert not pg_store.outage.down
    messages = [r.getMessage() for r in logged(caplog, logging.INFO)]
    assert messages[0].startswith("store unavailable: lost the connection to postgresql")
    assert messages[1].startswith("store available again after")
    assert len(messages) == 2


async def test_a_server_that_never_answers_fails_calls_within_the_connect_timeout() -> None:
    release = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await release.wait()  # accept the connection, never say a word

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = SQLStore(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/db", connect_timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=r"cannot connect to .*: timed out"):
            await store.load_thread("thr_x", ALICE)
        assert 0.4 < time.monotonic() - started < 2.0
        assert store.outage.down
        with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:\d+/db did not answer within 0\.2 s"):
            await store.ping(timeout=0.2)  # the health check's own, shorter, bound
    finally:
        await store.close()
        release.set()
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_sqlite_file_that_cannot_be_opened_is_an_outage_until_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store" / "gateway.db"
    path.mkdir(parents=True)  # a directory where the file should be: SQLite cannot open it
    store = SQLStore(f"sqlite+aiosqlite:///{path}")
    caplog.set_level(logging.INFO)
    try:
        for _ in range(3):
            with pytest.raises(StoreUnavailableError, match="unable to open database file"):
                await store.start()
            with pytest.raises(StoreUnavailableError, match="unable to open database file"):
                await store.load_threads(20, None, "desc", ALICE)
            with pytest.raises(StoreUnavailableError):
                await store.claims.claim("card-1", "alice")
        assert [r.getMessage() for r in logged(caplog, logging.INFO)] == [
            f"store unavailable: cannot connect to sqlite+aiosqlite:///{path}: unable to open database file"
        ]
        path.rmdir()
        await store.start()
        assert await store.claims.claim("card-1", "alice")
        messages = [r.getMessage() for r in logged(caplog, logging.INFO)]
        assert len(messages) == 2 and messages[1].startswith("store available again after")
    finally:
        await store.close()


async def test_real_errors_keep_their_types_and_are_no_outage(database_url: str) -> None:
    async with SQLStore(database_url) as store:
        thread = await new_thread(store)
        item = assistant_message(store, thread)
        await store.add_thread_item(thread.id, item, ALICE)
        with pytest.raises(ValueError, match="already has an item"):  # an IntegrityError inside
            await store.add_thread_item(thread.id, item, ALICE)
        with pytest.raises(NotFoundError):
            await store.load_thread("thr_missing", ALICE)
        with pytest.raises(ValueError, match="limit"):
            await store.load_thread_items(thread.id, None, 0, "asc", ALICE)
        async with store.engine.connect() as conn:
            with pytest.raises(DBAPIError) as syntax:
                await conn.execute(text("SELEC 1"))
        assert not failures.connection_lost(syntax.value)
        assert not store.outage.down
        assert await store.load_thread(thread.id, ALICE) == thread  # the pool is not poisoned


def test_an_outage_warns_once_at_its_start_and_informs_once_at_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage = Outage(clock=lambda: now[0])
    caplog.set_level(logging.DEBUG, logger=OUTAGE_LOGGER)
    outage.answered()  # nothing to report while available
    for n in range(50):
        outage.failed(f"connection refused ({n})")
        now[0] += 0.1
    assert (outage.down, outage.reason, outage.failed_calls) == (True, "connection refused (49)", 50)
    outage.answered()
    outage.answered()
    by_level = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno > logging.DEBUG]
    assert by_level == [
        ("WARNING", "store unavailable: connection refused (0)"),
        ("INFO", "store available again after 5.0 s (50 calls failed)"),
    ]
    assert (outage.down, outage.reason, outage.since, outage.failed_calls) == (False, None, None, 0)
    assert sum(r.levelno == logging.DEBUG for r in caplog.records) == 49


def test_reasons_are_one_short_line_without_sql_or_links() -> None:
    try:
        raise DBAPIError(
            "SELECT secret FROM t", {"p": 1}, ConnectionResetError(104, "Connection reset by peer")
        )
    except DBAPIError as exc:
        wrapped = exc
    assert failures.connection_lost(wrapped)
    assert failures.reason(wrapped) == "[Errno 104] Connection reset by peer"
    assert failures.reason(PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached")) == (
        "no pooled connection became free in time"
    )
    assert failures.connection_lost(PoolTimeoutError())
    assert failures.reason(TimeoutError()) == "timed out"
    integrity = IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed: t.id"))
    assert not failures.connection_lost(integrity)
