"""Single-use claims: the first caller of a key wins, once, even across replicas sharing PostgreSQL.

A confirmation card must act once however many clicks, tabs or replicas race on it. A claim is
one ``INSERT … ON CONFLICT DO NOTHING`` of the key as a primary key: the database lets exactly
one insert of a key in, and the losers see no row inserted. No IntegrityError is ever raised, so
no transaction or pooled connection is left aborted by a lost race.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store.connections import Connections
from gateway.store.engine import AnyEngine
from gateway.store.models import CLAIMS
from gateway.store.outage import Outage


class Claims:
    """Keys claimed once, in the ``gateway_claims`` table."""

    def __init__(self, engine: AnyEngine, *, outage: Outage | None = None) -> None:
        """Use ``engine``'s database (its tables made by ``create_tables``); report outages to ``outage``."""
        self._connections = Connections(engine, outage or Outage())
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        # Built once: building a statement costs about as much as running this one.
        self._claim = insert(CLAIMS).on_conflict_do_nothing(index_elements=[CLAIMS.c.key])

    async def claim(self, key: str, user_id: str) -> bool:
        """True for the first claim of ``key`` ever made, False for every later one (by anyone)."""
        row = {"key": key, "user_id": user_id, "claimed_at": datetime.now(UTC).replace(tzinfo=None)}
        return await self._connections.write(lambda conn: conn.execute(self._claim, row).rowcount) == 1

    async def taken(self, key: str) -> bool:
        """True once anyone has claimed ``key`` (claims nothing)."""
        query = select(CLAIMS.c.key).where(CLAIMS.c.key == key)
        return await self._connections.read(lambda conn: conn.execute(query).first() is not None)
