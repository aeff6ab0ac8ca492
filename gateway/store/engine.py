"""Async engines for the store's two databases, and the tables they need.

- ``sqlite+aiosqlite:///path/to/file.db``: the parent directory is created; every connection
  runs in WAL mode (readers never block the writer), waits up to ``busy_timeout`` for the write
  lock instead of failing at once, and enforces foreign keys. The store runs on it through the
  plain ``sqlite3`` driver, each operation whole in a worker thread (``connections.py``): one
  hand-off per operation, where the aiosqlite adapter makes one per cursor call
  (``bench.store_ops``: ``load_thread`` p50 0.46 ms that way, 0.15 ms this way). ``async_engine`` gives the aiosqlite engine
  for code that wants one (tests seed through it).
- ``postgresql+asyncpg://user:password@host:port/db``: any number of gateway replicas can share it.
  Each pooled connection is pinged as it is taken from the pool, so the first request after a
  PostgreSQL restart gets a fresh connection instead of failing on a stale one.

``sqlite:///`` and ``postgresql://`` (or ``postgres://``) are accepted and given the async driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateIndex, CreateTable

from gateway.config.store import parse_url
from gateway.store.models import TABLES

SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a SQLite writer waits for another connection's write lock before giving up."""

POSTGRES_CONNECT_TIMEOUT_S = 10.0
"""How long opening a PostgreSQL connection may take before it fails, by default (asyncpg's is 60 s)."""

# Any constant works: it only has to be the same in every replica creating the tables.
_DDL_LOCK_KEY = 0x6368_6174_6B69  # "chatki"


SQLITE_CONNECTIONS = 4
"""Worker threads (each with its own connection) the store's SQLite operations run on at once:
one writer, the rest readers (``connections.py``)."""

AnyEngine = AsyncEngine | Engine
"""PostgreSQL's engine is async (asyncpg); SQLite's is the plain driver's, run in worker threads."""


def create_engine(url: str, *, connect_timeout: float = POSTGRES_CONNECT_TIMEOUT_S) -> AnyEngine:
    """The store's engine for ``url``; ``connect_timeout`` (seconds) bounds opening a PostgreSQL connection."""
    parsed = parse_url(url)
    if not parsed.drivername.startswith("sqlite"):
        # pool_pre_ping: a connection pooled before a restart is found dead and replaced on
        # checkout, not by the request that uses it. Its cost: asyncpg pings inside BEGIN …
        # ROLLBACK, three round trips per checkout (load_thread p50 237 -> 494 µs on loopback).
        return create_async_engine(parsed, pool_pre_ping=True, connect_args={"timeout": connect_timeout})
    assert parsed.database is not None
    Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # sqlite3's `timeout` is SQLite's busy timeout: wait for the lock, do not fail with "locked".
    # A connection serves one worker thread at a time, never two at once.
    engine = create_sync_engine(
        parsed.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        pool_size=SQLITE_CONNECTIONS,
        max_overflow=0,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def async_engine(engine: AnyEngine) -> AsyncEngine:
    """An async engine on the same database (SQLite: a new aiosqlite engine; dispose of it too)."""
    if isinstance(engine, AsyncEngine):
        return engine
    created = create_async_engine(
        engine.url.set(drivername="sqlite+aiosqlite"), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
    )
    event.listen(created.sync_engine, "connect", _sqlite_pragmas)
    return created


def described(engine: AnyEngine) -> str:
    """The database's URL as configured (the async driver's name), its password hidden."""
    url = engine.url
    if url.drivername == "sqlite+pysqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    return url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    finally:
        cursor.close()


def create_tables(conn: Connection) -> None:
    """Create the store's tables and indexes that do not exist yet, in ``conn``'s transaction; safe to race."""
    if conn.dialect.name == "postgresql":
        # Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog;
        # replicas starting together take turns instead (released at commit).
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DDL_LOCK_KEY})
    for table in TABLES:
        conn.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))
