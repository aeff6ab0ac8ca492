"""The audit log of MCP calls, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import inspect

from gateway.store.audit import AuditEntry, AuditLog
from gateway.store.sql import SQLStore
from tests.support.audit import audit_entry

START = datetime(2026, 11, 30, 9, 0, 0, 123456)


def entry(at: datetime = START, user_id: str = "alice", **fields: Any) -> AuditEntry:
    return audit_entry(at, user_id, **fields)


async def record_minutes(audit: AuditLog, users: str, start: datetime = START) -> list[AuditEntry]:
    """One entry a minute, the n-th by the user ``users[n]``; return them as recorded."""
    entries = [entry(start + timedelta(minutes=n), user, tool=f"tool_{n}") for n, user in enumerate(users)]
    for e in entries:
        await audit.record(e)
    return entries


def without_ids(entries: list[AuditEntry]) -> list[AuditEntry]:
    return [replace(e, id=None) for e in entries]


async def test_recorded_entries_read_back_equal_oldest_first_with_ids(store: SQLStore) -> None:
    failed = entry(
        START + timedelta(seconds=1),
        "bob",
        thread_id=None,
        outcome="error",
        detail="no such todo: 7",
        via="confirm",
        confirmed_by="bob",
        duration_ms=0.25,
    )
    ok = entry()
    await store.audit.record(failed)
    await store.audit.record(ok)
    read = await store.audit.entries()
    assert without_ids(read) == [ok, failed]
    assert all(isinstance(e.id, int) for e in read) and read[0].id != read[1].id


async def test_entries_since_an_instant_include_it_and_everything_after(store: SQLStore) -> None:
    recorded = await record_minutes(store.audit, "aaaaa")
    assert without_ids(await store.audit.entries(since=START + timedelta(minutes=2))) == recorded[2:]
    assert await store.audit.entries(since=START + timedelta(minutes=9)) == []


async def test_entries_of_one_user_leave_out_everyone_else(store: SQLStore) -> None:
    recorded = await record_minutes(store.audit, "abab")
    assert without_ids(await store.audit.entries(user="b")) == recorded[1::2]
    since = START + timedelta(minutes=1, seconds=30)
    assert without_ids(await store.audit.entries(since=since, user="a")) == [recorded[2]]
    assert await store.audit.entries(user="nobody") == []


async def test_a_limit_keeps_the_newest_entries_still_listed_oldest_first(store: SQLStore) -> None:
    recorded = await record_minutes(store.audit, "aabaab")
    assert without_ids(await store.audit.entries(limit=2)) == recorded[4:]
    assert without_ids(await store.audit.entries(user="a", limit=3)) == [
        recorded[1],
        recorded[3],
        recorded[4],
    ]
    assert len(await store.audit.entries(limit=100)) == 6
    with pytest.raises(ValueError, match="limit"):
        await store.audit.entries(limit=0)


async def test_entries_stamped_in_the_same_instant_keep_the_order_they_were_recorded_in(
    store: SQLStore,
) -> None:
    recorded = [entry(tool=f"tool_{n}") for n in range(12)]
    for e in recorded:
        await store.audit.record(e)
    assert without_ids(await store.audit.entries()) == recorded
    assert without_ids(await store.audit.entries(limit=5)) == recorded[-5:]


async def test_prune_deletes_the_entries_before_the_cutoff_and_says_how_many(store: SQLStore) -> None:
    recorded = await record_minutes(store.audit, "abcde")
    assert await store.audit.prune(START + timedelta(minutes=3)) == 3
    assert without_ids(await store.audit.entries()) == recorded[3:]
    assert await store.audit.prune(START) == 0
    assert await store.audit.prune(START + timedelta(days=1)) == 2
    assert await store.audit.entries() == []


async def test_arguments_round_trip_as_json_with_non_ascii_text(store: SQLStore) -> None:
    arguments = {
        "title": "Grüße, 東京 🚀 — «ok»",
        "tags": ["ünïcode", "", None],
        "nested": {"n": 3, "x": 1.5, "yes": True, "empty": {}},
        "quote": 'say "hi"\nnext line',
    }
    detail = "Fehler: Datei „ä.txt“ nicht gefunden"
    await store.audit.record(entry(arguments=arguments, detail=detail, outcome="error"))
    [read] = await store.audit.entries()
    assert read.arguments == arguments
    assert read.detail == detail


async def test_aware_times_are_kept_and_compared_as_naive_utc(store: SQLStore) -> None:
    plus_two = timezone(timedelta(hours=2))
    await store.audit.record(entry(datetime(2026, 11, 30, 11, 0, tzinfo=plus_two)))
    [read] = await store.audit.entries(since=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert read.at == datetime(2026, 11, 30, 9, 0)
    assert await store.audit.entries(since=datetime(2026, 11, 30, 9, 0, 1)) == []


async def test_the_audit_table_and_its_indexes_are_created_with_the_store(store: SQLStore) -> None:
    async with store.engine.connect() as conn:
        indexes = await conn.run_sync(lambda sync: inspect(sync).get_indexes("gateway_audit"))
    by_name = {i["name"]: i["column_names"] for i in indexes}
    assert by_name == {
        "ix_gateway_audit_at": ["at", "id"],
        "ix_gateway_audit_user_at": ["user_id", "at", "id"],
    }


async def test_an_audit_log_over_another_store_engine_sees_the_same_entries(store: SQLStore) -> None:
    await store.audit.record(entry())
    assert without_ids(await AuditLog(store.engine).entries()) == [entry()]
