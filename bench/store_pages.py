"""Benchmark: one page of a thread's items, in threads of 100, 10,000 and 100,000 items.

Seeds one thread of each size (bulk inserts straight into the items table, so 110,100 rows
share the table), then times ``SQLStore.load_thread_items`` for the first page and for the page
after an item in the middle of the thread, newest first and oldest first, 20 items a page,
cases interleaved round by round. Reports p50 and p99 per size on SQLite and on PostgreSQL
(a throwaway cluster from tests/support/postgres.py unless ``--postgres-url`` is given). The
target: the same cost at every size, because every page is an index range scan from its cursor.

    .venv/bin/python -m bench.store_pages [--rounds 300] [--sizes 100 10000 100000]
        [--postgres-url postgresql+asyncpg://…/empty_db | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from chatkit.types import AssistantMessageContent, AssistantMessageItem, ThreadMetadata
from sqlalchemy import insert, text, update

from gateway.store.codec import dump_item
from gateway.store.context import RequestContext
from gateway.store.models import ITEMS, THREADS
from gateway.store.sql import SQLStore
from tests.support.postgres import postgres_cluster_running

USER = RequestContext(user_id="bench")
PAGE = 20
WARMUP = 20
_CHUNK = 5000


async def seed(store: SQLStore, size: int) -> tuple[str, str]:
    """A thread of `size` items; returns its id and the id of its middle item."""
    thread = ThreadMetadata(
        id=store.generate_thread_id(USER), created_at=datetime.now(), title=f"{size} items"
    )
    await store.save_thread(thread, USER)
    start = datetime.now()
    template = AssistantMessageItem(
        id="", thread_id=thread.id, created_at=start, content=[AssistantMessageContent(text="x" * 200)]
    )
    ids = [store.generate_item_id("message", thread, USER) for _ in range(size)]
    for first in range(0, size, _CHUNK):
        rows = []
        for n in range(first, min(first + _CHUNK, size)):
            item = template.model_copy(update={"id": ids[n], "created_at": start + timedelta(microseconds=n)})
            owner = {"thread_id": thread.id, "user_id": USER.user_id, "created_at": item.created_at}
            rows.append({"seq": n + 1, "id": item.id, "type": item.type, "data": dump_item(item), **owner})
        async with store.engine.begin() as conn:
            await conn.execute(insert(ITEMS), rows)
    async with store.engine.begin() as conn:  # the next add_thread_item continues after them
        await conn.execute(update(THREADS).where(THREADS.c.id == thread.id).values(last_seq=size))
    return thread.id, ids[size // 2]


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def measure(url: str, sizes: list[int], rounds: int) -> dict[tuple[int, str, str], list[float]]:
    """Seconds per load_thread_items call, by (size, page, order)."""
    store = await SQLStore.create(url)
    try:
        threads = {size: await seed(store, size) for size in sizes}
        async with store.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))  # what autovacuum would have done by now
        cases = [
            (size, page, order) for size in sizes for page in ("first", "middle") for order in ("desc", "asc")
        ]
        timings: dict[tuple[int, str, str], list[float]] = {case: [] for case in cases}
        for round_ in range(WARMUP + rounds):
            for case in cases:
                size, page, order = case
                thread_id, middle = threads[size]
                after = middle if page == "middle" else None
                began = time.perf_counter()
                result = await store.load_thread_items(thread_id, after, PAGE, order, USER)
                elapsed = time.perf_counter() - began
                assert len(result.data) == min(PAGE, size) and result.has_more
                if round_ >= WARMUP:
                    timings[case].append(elapsed)
        return timings
    finally:
        await store.close()


@contextlib.contextmanager
def postgres_database(url: str | None) -> Iterator[str]:
    """The given URL, or a fresh database in a throwaway cluster stopped afterwards."""
    if url:
        yield url
        return
    with postgres_cluster_running() as cluster:
        yield cluster.create_database("bench")


def report(backend: str, timings: dict[tuple[int, str, str], list[float]]) -> None:
    """Print one row per case, milliseconds."""
    for (size, page, order), samples in timings.items():
        p50, p99 = percentile(samples, 50) * 1000, percentile(samples, 99) * 1000
        print(f"{backend:<11}{size:>9,}  {page:<7}{order:<6}{p50:>9.3f}{p99:>9.3f}")


def main() -> None:
    """Run the benchmark on SQLite, then PostgreSQL, and print a table."""
    parser = argparse.ArgumentParser(description="Time one page of thread items at several thread sizes.")
    parser.add_argument(
        "--rounds", type=int, default=300, help="timed calls per case (after 20 warm-up calls)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument(
        "--postgres-url", help="an empty PostgreSQL database to use instead of a throwaway cluster"
    )
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    if min(args.sizes) <= PAGE:
        parser.error(f"every size must exceed the page of {PAGE} items")

    print(f"load_thread_items, {PAGE} items a page, {args.rounds} calls per row (ms)")
    print(f"{'backend':<11}{'items':>9}  {'page':<7}{'order':<6}{'p50':>9}{'p99':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        report(
            "sqlite",
            asyncio.run(measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args.sizes, args.rounds)),
        )
    if not args.no_postgres:
        with postgres_database(args.postgres_url) as url:
            report("postgresql", asyncio.run(measure(url, args.sizes, args.rounds)))


if __name__ == "__main__":
    main()
