"""Single-use claims: one winner per key, also among concurrent callers on two engines."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from gateway.store.context import RequestContext
from gateway.store.models import CLAIMS
from gateway.store.sql import SQLStore


async def test_only_the_first_claim_of_a_key_wins_whoever_claims_it_later(store: SQLStore) -> None:
    assert await store.claims.claim("card-1", "alice") is True
    assert await store.claims.claim("card-1", "alice") is False
    assert await store.claims.claim("card-1", "bob") is False
    assert await store.claims.claim("card-2", "bob") is True


async def test_20_concurrent_claims_of_one_key_through_two_stores_let_exactly_one_win(
    database_url: str,
) -> None:
    one, two = await SQLStore.create(database_url), await SQLStore.create(database_url)
    try:
        async with asyncio.timeout(60):
            results = await asyncio.gather(
                *((one, two)[n % 2].claims.claim("card-raced", f"user-{n}") for n in range(20))
            )
        assert sorted(results) == [False] * 19 + [True]
        async with one.engine.connect() as conn:
            rows = (await conn.execute(select(CLAIMS.c.user_id))).scalars().all()
        assert rows == [f"user-{results.index(True)}"]
    finally:
        await one.close()
        await two.close()


async def test_lost_claims_leave_the_pooled_connections_usable(store: SQLStore) -> None:
    assert await store.claims.claim("card-1", "alice")
    for _ in range(10):
        assert not await store.claims.claim("card-1", "alice")
    assert (await store.load_threads(5, None, "desc", RequestContext(user_id="alice"))).data == []
    assert await store.claims.claim("card-2", "alice")
