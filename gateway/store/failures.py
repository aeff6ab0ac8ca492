"""Which errors mean "the database cannot be reached", and the short reason a person reads for one.

A failure to *open* a connection is always one (refused, timed out, unknown host, the server
starting up or shutting down, a pool with no connection free in time, a SQLite file that
cannot be opened): ``connections.py`` decides that by where the error happened. This module
judges errors raised *on* an open connection, where most errors are real (a taken key, bad
input) and only a lost connection or an unusable file means an outage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# SQLSTATE classes and codes that say the server went away, not that the statement was wrong:
# 08 connection exceptions; 57P01-57P03 admin/crash shutdown, "cannot connect now"; 53300 too
# many connections.
_LOST_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's primary result codes for a file that cannot be opened, read or written at all.
_LOST_SQLITE_CODES = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR})
_CHAIN_DEPTH = 8


def connection_lost(exc: BaseException) -> bool:
    """True if ``exc``, raised on an open connection, means the database went away (not a real error)."""
    for error in _chain(exc):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True  # SQLAlchemy's dialect recognised a disconnect and dropped the connection
        if isinstance(error, OSError | TimeoutError | PoolTimeoutError):
            return True  # the socket was reset or closed, or a wait for the server ran out
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_LOST_SQLSTATE_PREFIXES):
            return True
        if isinstance(error, sqlite3.Error) and error.sqlite_errorcode & 0xFF in _LOST_SQLITE_CODES:
            return True
    return False


def reason(exc: BaseException) -> str:
    """What went wrong, in one short line: the driver's own words, without SQL or a link."""
    cause = _driver_error(exc)
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, PoolTimeoutError):
        return "no pooled connection became free in time"
    if isinstance(cause, TimeoutError):
        return "timed out"
    text = str(cause).strip()
    if not text:
        return type(cause).__name__
    # SQLAlchemy's asyncpg adapter prefixes "<class 'asyncpg.exceptions.X'>: " to some messages.
    if text.startswith("<class '") and "'>: " in text:
        text = text.split("'>: ", 1)[1]
    return text.splitlines()[0]


def _driver_error(exc: BaseException) -> BaseException:
    # DBAPIError's text drags the SQL, its parameters and a link along; the driver's error does not.
    while isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig is not exc:
        exc = exc.orig
    return exc


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver error it wraps, and what caused those, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < _CHAIN_DEPTH:
        error = pending.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        # Not __context__: a real error raised while handling a lost connection is still real.
        orig = error.orig if isinstance(error, DBAPIError) else None
        pending += [e for e in (orig, error.__cause__) if isinstance(e, BaseException)]
