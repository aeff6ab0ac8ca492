"""Benchmark: the store operations one chat turn makes, each timed alone.

A `/list_tasks {}` turn loads its thread, adds the user's message, records the MCP call in the
audit log and adds the widget item; a button press also loads the widget that sent it. Each is
timed here on its own through `SQLStore` (the widget is a 20-row list, about 12 kB of JSON),
operations interleaved round by round, at 1 caller and at 16 callers at once (16 threads of
their own), on a SQLite file and on PostgreSQL (a throwaway cluster, as bench.store_pages).

    .venv/bin/python -m bench.store_ops [--rounds 500] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from pathlib import Path

from chatkit.types import (
    InferenceOptions,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)
from chatkit.widgets import DynamicWidgetRoot

from bench.endpoint import percentile
from gateway.store.audit import AuditEntry
from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore
from tests.support.postgres import postgres_cluster_running

USER = RequestContext(user_id="bench")


def widget() -> DynamicWidgetRoot:
    """A 20-row list widget, about the size of the todo list's."""
    rows = [
        {
            "type": "ListViewItem",
            "children": [
                {"type": "Text", "value": f"Task {n}: something to do", "weight": "semibold"},
                {"type": "Badge", "label": "pending", "color": "secondary"},
                {
                    "type": "Button",
                    "label": "Complete",
                    "onClickAction": {
                        "type": "tool.call",
                        "payload": {"tool": "todo.complete_task", "id": n},
                    },
                },
            ],
        }
        for n in range(20)
    ]
    return DynamicWidgetRoot.model_validate({"type": "ListView", "children": rows})


async def operations(store: SQLStore) -> dict[str, Callable[[], Awaitable[object]]]:
    """One callable per store operation of a turn, on a thread of its own."""
    thread = ThreadMetadata(id=store.generate_thread_id(USER), created_at=datetime.now(), title="bench")
    await store.save_thread(thread, USER)
    shown = WidgetItem(
        id=store.generate_item_id("message", thread, USER),
        thread_id=thread.id,
        created_at=datetime.now(),
        widget=widget(),
    )
    await store.add_thread_item(thread.id, shown, USER)

    async def add_message() -> None:
        item = UserMessageItem(
            id=store.generate_item_id("message", thread, USER),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[UserMessageTextContent(text="/list_tasks {}")],
            inference_options=InferenceOptions(),
        )
        await store.add_thread_item(thread.id, item, USER)

    async def add_widget() -> None:
        item = shown.model_copy(
            update={"id": store.generate_item_id("message", thread, USER), "widget": widget()}
        )
        await store.add_thread_item(thread.id, item, USER)

    async def audit() -> None:
        entry = AuditEntry(
            at=datetime.now(UTC), user_id=USER.user_id, thread_id=thread.id, server="todo", tool="list_tasks",
            arguments={}, outcome="ok", detail=None, duration_ms=3.2, via="command", confirmed_by=None,
        )  # fmt: skip
        await store.audit.record(entry)

    return {
        "load_thread": lambda: store.load_thread(thread.id, USER),
        "add_thread_item (message)": add_message,
        "audit record": audit,
        "add_thread_item (widget)": add_widget,
        "load_item (widget)": lambda: store.load_item(thread.id, shown.id, USER),
    }


async def measure(url: str, users: int, rounds: int) -> dict[str, list[float]]:
    """Per operation, the time of each call (ms), `users` callers at once."""
    store = await SQLStore.create(url)
    try:
        callers = [await operations(store) for _ in range(users)]
        times: dict[str, list[float]] = {name: [] for name in callers[0]}

        async def timed(call: Callable[[], Awaitable[object]]) -> float:
            start = time.perf_counter()
            await call()
            return (time.perf_counter() - start) * 1000

        for round_ in range(rounds + 20):
            for name in times:
                results = await asyncio.gather(*(timed(ops[name]) for ops in callers))
                if round_ >= 20:
                    times[name].extend(results)
        return times
    finally:
        await store.close()


@contextlib.contextmanager
def databases(tmp: Path, postgres: bool) -> Generator[dict[str, str]]:
    """The databases to run on: a SQLite file, and a throwaway PostgreSQL cluster if asked."""
    urls = {"SQLite": f"sqlite+aiosqlite:///{tmp / 'store.db'}"}
    if not postgres:
        yield urls
        return
    with postgres_cluster_running() as cluster:
        yield {**urls, "PostgreSQL": cluster.create_database("bench_ops")}


def main() -> None:
    """Run every operation on every database at 1 and 16 callers; print p50 / p99 per case."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--no-postgres", dest="postgres", action="store_false")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), args.postgres) as urls:
        print(f"{'database':<11} {'users':>5}  {'operation':<27} {'p50':>7} {'p99':>7}  (ms)")
        for label, url in urls.items():
            for users in args.users:
                times = asyncio.run(measure(url, users, max(20, args.rounds // users)))
                for name, values in times.items():
                    p50, p99 = percentile(values, 50), percentile(values, 99)
                    print(f"{label:<11} {users:>5}  {name:<27} {p50:>7.3f} {p99:>7.3f}")


if __name__ == "__main__":
    main()
