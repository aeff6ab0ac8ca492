"""Benchmark: a ChatKit turn through the gateway against the raw MCP call it wraps.

On the todo server with 20 tasks: `list_tasks` as a raw MCP client call over stdio (the floor)
against `/list_tasks {}` as a ChatKit turn through the gateway under uvicorn (full SSE stream
read, store writes included), rounds interleaved in one run, at 1 and at 16 concurrent users.
Reports p50 and p99 of both and their ratio (target at one user: within 2x).

    .venv/bin/python -m bench.turn [--rounds 200] [--users 1 16]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx2
from mcp import Client

from bench.support import (
    TASKS,
    create_threads,
    has_widget,
    message_body,
    percentile,
    seed,
    timed_post,
    todo_params,
)
from tests.support.gateway import local_config, running_gateway, write_config


async def measure(gateway_url: str, db: Path, users: int, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Interleave rounds of `users` concurrent raw calls and `users` concurrent gateway turns."""
    timings: dict[str, list[float]] = {"raw": [], "gateway": []}
    async with Client(todo_params(db)) as raw, httpx2.AsyncClient(base_url=gateway_url, timeout=60) as http:
        threads = await create_threads(http, users, "/list_tasks {}")

        async def raw_call() -> float:
            start = time.perf_counter()
            result = await raw.call_tool("list_tasks", {})
            assert not result.is_error and len(result.structured_content["tasks"]) == TASKS
            return (time.perf_counter() - start) * 1000

        async def turn(thread_id: str) -> float:
            elapsed, events = await timed_post(http, message_body(thread_id, "/list_tasks {}"))
            assert has_widget(events), events
            return elapsed

        for i in range(warmup + rounds):
            raw_times = await asyncio.gather(*(raw_call() for _ in range(users)))
            turn_times = await asyncio.gather(*(turn(t) for t in threads))
            if i >= warmup:
                timings["raw"].extend(raw_times)
                timings["gateway"].extend(turn_times)
    return timings


def main() -> None:
    """Run the benchmark and print a table per concurrency level."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "todo.db"
        asyncio.run(seed(db))
        config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=db))
        with running_gateway(config) as gateway:
            print(
                f"list_tasks on {TASKS} tasks: raw MCP call over stdio vs /list_tasks {{}} turn through the gateway"
            )
            print(
                f"{'users':>5} {'raw p50':>9} {'raw p99':>9} {'gw p50':>9} {'gw p99':>9} {'p50 x':>7} {'p99 x':>7}  (ms)"
            )
            for users in args.users:
                rounds = max(20, args.rounds // users)
                t = asyncio.run(measure(gateway.url, db, users, rounds, args.warmup))
                r50, r99 = percentile(t["raw"], 50), percentile(t["raw"], 99)
                g50, g99 = percentile(t["gateway"], 50), percentile(t["gateway"], 99)
                print(
                    f"{users:>5} {r50:>9.2f} {r99:>9.2f} {g50:>9.2f} {g99:>9.2f} {g50 / r50:>6.2f}x {g99 / r99:>6.2f}x"
                )


if __name__ == "__main__":
    main()
