"""Connections for the store's statements that turn "the database cannot be reached" into one error.

Every statement the store, the audit log and the claims run goes through ``Connections.read()``
or ``.write()``, as an operation: a plain function of one connection, run whole (in a worker
thread on SQLite, through ``run_sync`` on PostgreSQL's async engine). A failure to open the
connection, or an error that means it was lost (``failures.connection_lost``), raises ``gateway.errors.StoreUnavailableError`` with a short
reason (no SQL, no password) and is recorded in the shared ``Outage``; any other error is the
database answering, and keeps its own type.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Connection, Engine, Pool
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.errors import StoreUnavailableError
from gateway.store import failures
from gateway.store.engine import SQLITE_CONNECTIONS, AnyEngine, described
from gateway.store.outage import Outage

T = TypeVar("T")

Operation = Callable[[Connection], T]
"""A store operation: plain statements on one connection, run whole (in a thread for SQLite)."""

_all_gates: weakref.WeakKeyDictionary[Pool, tuple[threading.Lock, threading.BoundedSemaphore]] = (
    weakref.WeakKeyDictionary()
)


class Connections:
    """Runs operations on one engine's database, reporting outages to ``outage``."""

    def __init__(self, engine: AnyEngine, outage: Outage) -> None:
        """Wrap ``engine``; nothing connects until an operation runs."""
        self.outage = outage
        self._writes = engine
        # A read is one or two statements that need no shared snapshot: on PostgreSQL, autocommit
        # spares the BEGIN and ROLLBACK round trips around it. SQLite's driver opens no
        # transaction for a SELECT anyway.
        postgres = engine.dialect.name == "postgresql"
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine
        self.where = described(engine)
        """The database's URL with its password hidden, as reasons name it."""

    async def read(self, operation: Operation[T]) -> T:
        """Run statements that only read (autocommit on PostgreSQL); the operation's result."""
        return await self._run(self._reads, operation, transaction=False)

    async def write(self, operation: Operation[T]) -> T:
        """Run statements in one transaction, committed when the operation returns."""
        return await self._run(self._writes, operation, transaction=True)

    def unavailable(self, reason: str) -> StoreUnavailableError:
        """Record a failure to reach the database and return the error to raise for it."""
        self.outage.failed(reason)
        return StoreUnavailableError(reason)

    async def _run(self, engine: AnyEngine, operation: Operation[T], *, transaction: bool) -> T:
        connected: list[bool] = []  # set once the connection is open: later errors are the database's
        try:
            if isinstance(engine, AsyncEngine):
                async with engine.connect() as conn:
                    connected.append(True)
                    if transaction:
                        async with conn.begin():
                            result = await conn.run_sync(operation)
                    else:
                        result = await conn.run_sync(operation)
            else:
                # Whole in a worker thread: one hand-off per operation. A caller cancelled
                # (a timeout, a closed stream) stops waiting; the thread finishes the operation,
                # a write commits, and only then gives its connection back.
                result = await anyio.to_thread.run_sync(
                    _in_thread, engine, operation, transaction, connected, abandon_on_cancel=True
                )
        except StoreUnavailableError:
            raise  # a nested call already judged and recorded it
        except Exception as exc:
            if not connected:
                detail = f"cannot connect to {self.where}: {failures.reason(exc)}"
                raise self.unavailable(detail) from exc
            if failures.connection_lost(exc):
                detail = f"lost the connection to {self.where}: {failures.reason(exc)}"
                raise self.unavailable(detail) from exc
            self.outage.answered()  # a real error (not found, a taken key) is the database answering
            raise
        self.outage.answered()
        return result


def _in_thread(engine: Engine, operation: Operation[T], transaction: bool, connected: list[bool]) -> T:
    writer, readers = _gates(engine)
    with writer if transaction else readers, engine.connect() as conn:
        connected.append(True)
        if not transaction:
            return operation(conn)
        with conn.begin():
            return operation(conn)


def _gates(engine: Engine) -> tuple[threading.Lock, threading.BoundedSemaphore]:
    """The pool's writer gate (one at a time) and readers' gate (its other connections).

    SQLite takes one writer at a time; two writer threads of one process would meet at its
    lock and wait in its busy handler, which sleeps in steps of up to 100 ms. Writes queue at
    this gate instead, where the next one starts as soon as the last commits; reads never wait
    for them (WAL). A thread holds its gate exactly as long as it holds a connection, so none
    ever waits for the pool, even when its caller stopped waiting for it.
    """
    gates = _all_gates.get(engine.pool)  # engines with other execution options share their pool
    if gates is None:
        gates = _all_gates[engine.pool] = (
            threading.Lock(),
            threading.BoundedSemaphore(SQLITE_CONNECTIONS - 1),
        )
    return gates
