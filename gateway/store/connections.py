"""Connections for the store's statements that turn "the database cannot be reached" into one error.

Every statement the store, the audit log and the claims run goes through ``Connections.read()``
or ``.write()``. A failure to open the connection, or an error that means it was lost
(``failures.connection_lost``), raises ``gateway.errors.StoreUnavailableError`` with a short
reason (no SQL, no password) and is recorded in the shared ``Outage``; any other error is the
database answering, and keeps its own type.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.errors import StoreUnavailableError
from gateway.store import failures
from gateway.store.outage import Outage


class Connections:
    """Opens connections to one engine's database, reporting outages to ``outage``."""

    def __init__(self, engine: AsyncEngine, outage: Outage) -> None:
        """Wrap ``engine``; nothing connects until a statement runs."""
        self.outage = outage
        self._writes = engine
        # A read is one or two statements that need no shared snapshot: on PostgreSQL, autocommit
        # spares the BEGIN and ROLLBACK round trips around it. SQLite's driver opens no
        # transaction for a SELECT anyway.
        postgres = engine.dialect.name == "postgresql"
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine
        self.where = engine.url.render_as_string(hide_password=True)
        """The database's URL with its password hidden, as reasons name it."""

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for statements that only read (autocommit on PostgreSQL)."""
        return self._connection(self._reads, transaction=False)

    def write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection in one transaction, committed when the block ends without an error."""
        return self._connection(self._writes, transaction=True)

    def unavailable(self, reason: str) -> StoreUnavailableError:
        """Record a failure to reach the database and return the error to raise for it."""
        self.outage.failed(reason)
        return StoreUnavailableError(reason)

    @asynccontextmanager
    async def _connection(
        self, engine: AsyncEngine, *, transaction: bool
    ) -> AsyncGenerator[AsyncConnection, None]:
        connected = False
        try:
            async with engine.connect() as conn:
                connected = True
                if transaction:
                    async with conn.begin():
                        yield conn
                else:
                    yield conn
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
