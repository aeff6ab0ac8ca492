"""One SQLite file, queried on the event loop, with lock waits moved off it.

A task query takes tens of microseconds, so handing each one to a worker thread (what
aiosqlite does) would cost more than the query: the thread hop, the wake-up of the loop and
the GIL hand-over between them. Queries therefore run on the event loop itself, on a
connection whose busy timeout is zero. The one thing that could block the loop is waiting
for a lock another process holds (a write of a second server on the same file, up to
BUSY_TIMEOUT_MS): that connection never waits, it fails at once with SQLITE_BUSY, and the
work (its transaction rolled back) is run again on a worker thread through a second
connection that does wait, one job at a time. So two processes on one file queue for the
lock rather than fail, and the loop keeps answering (reads are served from WAL snapshots,
which never wait for a writer) while one of its writes waits. What else runs on the loop is
the queries' own work: a search's casefold per row, and SQLite's automatic WAL checkpoint
(an fsync about every 1,000 pages written) inside the commit that triggers it.

Every write is one short transaction that takes the write lock up front (`BEGIN IMMEDIATE`),
so it can only fail before it changed anything; reads use deferred transactions (one snapshot
for several statements) or run on their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]
"""Statements to run on a connection (the transaction around them is the database's)."""

BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another process's lock before the call fails."""


class DatabaseLocked(Exception):
    """Another process held the database's lock for longer than BUSY_TIMEOUT_MS."""


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, extended codes included."""
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _casefold(value: str | None) -> str | None:
    # SQLite's lower() and LIKE fold ASCII only; Python's casefold also matches "ÄPFEL" to "äpfel".
    return value.casefold() if value is not None else None


def _transaction(begin: str, work: Work[T]) -> Work[T]:
    """`work` inside BEGIN … COMMIT, rolled back if anything in it fails."""

    def run(conn: sqlite3.Connection) -> T:
        conn.execute(begin)
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    return run


class Database:
    """A SQLite file in WAL mode, for one process's event loop (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._on_loop: sqlite3.Connection | None = None
        self._waiting: sqlite3.Connection | None = None
        self._waiters: anyio.CapacityLimiter | None = None

    def _connect(self, busy_timeout_ms: int) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions, every BEGIN is ours.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        return conn

    async def open(self, schema: Work[None]) -> None:
        """Open the file (creating it), switch it to WAL and run `schema` in a write transaction.

        Both may wait for another process's lock, so they run on a worker thread.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._waiters = anyio.CapacityLimiter(1)

        def prepare() -> None:
            conn = self._waiting_connection()
            conn.execute("PRAGMA journal_mode = WAL")  # stored in the file: every connection uses it
            _transaction("BEGIN IMMEDIATE", schema)(conn)

        await anyio.to_thread.run_sync(prepare, limiter=self._waiters)
        self._on_loop = self._connect(busy_timeout_ms=0)

    async def close(self) -> None:
        """Close both connections."""
        if self._on_loop is not None:
            self._on_loop.close()
            self._on_loop = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            await anyio.to_thread.run_sync(waiting.close, limiter=self._waiters)

    async def read(self, work: Work[T], *, snapshot: bool = True) -> T:
        """Run reading statements; in one deferred transaction (one snapshot) unless `snapshot` is False."""
        return await self._run(_transaction("BEGIN DEFERRED", work) if snapshot else work)

    async def write(self, work: Work[T]) -> T:
        """Run `work` in one `BEGIN IMMEDIATE` transaction."""
        return await self._run(_transaction("BEGIN IMMEDIATE", work))

    async def _run(self, job: Work[T]) -> T:
        if self._on_loop is None:
            raise RuntimeError(f"the database {self.path} is not open")
        try:
            return job(self._on_loop)
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
        # Another process holds the lock: wait for it off the loop, one job at a time.
        return await anyio.to_thread.run_sync(self._run_waiting, job, limiter=self._waiters)

    def _run_waiting(self, job: Work[T]) -> T:
        try:
            return job(self._waiting_connection())
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise DatabaseLocked(f"{self.path} stayed locked for {BUSY_TIMEOUT_MS} ms") from exc
            raise

    def _waiting_connection(self) -> sqlite3.Connection:
        if self._waiting is None:
            self._waiting = self._connect(BUSY_TIMEOUT_MS)
        return self._waiting
