"""Benchmark: the gateway against mcpo, the MCP-to-OpenAPI proxy, on the same todo server.

On one todo database seeded with 20 tasks, rounds interleave three ways to list them, at 1 and
at 16 concurrent users:

- raw: `list_tasks` as an `mcp.Client` call over stdio to `python -m mcp_servers.todo` (the floor);
- gateway: `/list_tasks {}` as a ChatKit turn (`threads.add_user_message`, full SSE stream read,
  store writes included) through the gateway under uvicorn, the todo server over stdio;
- mcpo: `POST /list_tasks` with `{}` over keep-alive HTTP to mcpo serving the same todo server
  over stdio (`mcpo --port P -- python -m mcp_servers.todo --db DB`).

Reports p50/p99, calls per second (calls over the time their rounds took), the ratio to raw and
what each adds to a call: p50 minus the raw p50. mcpo pins an older `mcp`, so it runs from its
own virtualenv, made under .cache/bench/mcpo-venv when missing.

    .venv/bin/python -m bench.mcpo [--rounds 300] [--users 1 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path

import httpx2
from mcp import Client

from bench.support import (
    JSON_HEADERS,
    TASKS,
    create_threads,
    has_widget,
    message_body,
    percentile,
    seed,
    timed_post,
    todo_params,
    tree_state,
)
from tests.support.gateway import ROOT, local_config, running_gateway, write_config
from tests.support.net import free_port, wait_until_listening

MCPO_VERSION = "0.0.20"
# mcpo 0.0.20 asks for mcp>=1.17 and fastapi>=0.115.12 with no upper bound, and neither newest
# release works with it: mcp 2.x has no `streamablehttp_client`, and FastAPI after 0.140 no longer
# takes the extra keyword arguments mcpo passes (`ssl_certfile`). Pin the newest that do.
MCPO_PINS = [f"mcpo=={MCPO_VERSION}", "mcp[cli]==1.30.0", "fastapi==0.140.0"]
MCPO_VENV = ROOT / ".cache/bench/mcpo-venv"
TARGETS = ("raw", "gateway", "mcpo")


def mcpo_executable() -> Path:
    """mcpo's command in its own virtualenv, made (or re-pinned) only when the pins differ."""
    executable = MCPO_VENV / "bin" / "mcpo"
    marker = MCPO_VENV / "bench-pins.txt"
    wanted = " ".join(MCPO_PINS)
    if executable.exists() and marker.exists() and marker.read_text() == wanted:
        return executable
    if not (MCPO_VENV / "bin" / "pip").exists():
        subprocess.run(["python3", "-m", "venv", str(MCPO_VENV)], check=True)
    subprocess.run([str(MCPO_VENV / "bin" / "pip"), "install", "-q", *MCPO_PINS], check=True)
    marker.write_text(wanted)
    return executable


@contextlib.contextmanager
def running_mcpo(db: Path, log: Path) -> Generator[str, None, None]:
    """mcpo on a free loopback port serving the todo server on `db` over stdio; yields its URL."""
    port = free_port()
    command = [str(mcpo_executable()), "--host", "127.0.0.1", "--port", str(port), "--"]
    command += [sys.executable, "-m", "mcp_servers.todo", "--db", str(db)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, log=log, process=process, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Run:
    """Timings per target and the wall time their rounds took."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {name: [] for name in TARGETS}
        self.busy: dict[str, float] = dict.fromkeys(TARGETS, 0.0)


async def measure(gateway_url: str, mcpo_url: str, db: Path, users: int, rounds: int, warmup: int) -> Run:
    """Interleave rounds of `users` concurrent raw calls, gateway turns and mcpo requests."""
    run = Run()
    async with (
        Client(todo_params(db)) as raw,
        httpx2.AsyncClient(base_url=gateway_url, timeout=60) as http,
        httpx2.AsyncClient(base_url=mcpo_url, timeout=60) as web,
    ):
        threads = await create_threads(http, users, "/list_tasks {}")

        async def raw_call(_: int) -> float:
            start = time.perf_counter()
            result = await raw.call_tool("list_tasks", {})
            elapsed = (time.perf_counter() - start) * 1000
            assert not result.is_error and result.structured_content is not None
            assert len(result.structured_content["tasks"]) == TASKS
            return elapsed

        async def turn(user: int) -> float:
            elapsed, events = await timed_post(http, message_body(threads[user], "/list_tasks {}"))
            assert has_widget(events), events
            return elapsed

        async def mcpo_call(_: int) -> float:
            start = time.perf_counter()
            response = await web.post("/list_tasks", content=b"{}", headers=JSON_HEADERS)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200 and f"{TASKS} tasks" in response.text, response.text
            return elapsed

        calls: dict[str, Callable[[int], Awaitable[float]]] = {
            "raw": raw_call,
            "gateway": turn,
            "mcpo": mcpo_call,
        }
        for i in range(warmup + rounds):
            for name, call in calls.items():
                start = time.perf_counter()
                times = await asyncio.gather(*(call(user) for user in range(users)))
                if i >= warmup:
                    run.busy[name] += time.perf_counter() - start
                    run.times[name].extend(times)
    return run


async def sizes(gateway_url: str, mcpo_url: str) -> tuple[int, int]:
    """Bytes of one gateway turn's SSE stream and of one mcpo response, for the report."""
    async with (
        httpx2.AsyncClient(base_url=gateway_url, timeout=60) as http,
        httpx2.AsyncClient(base_url=mcpo_url, timeout=60) as web,
    ):
        [thread] = await create_threads(http, 1, "/help")
        turn = await http.post(
            "/chatkit", content=message_body(thread, "/list_tasks {}"), headers=JSON_HEADERS
        )
        answer = await web.post("/list_tasks", content=b"{}", headers=JSON_HEADERS)
        return len(turn.content), len(answer.content)


def report(users: int, run: Run) -> None:
    """One block of the table: a row per target."""
    raw50 = percentile(run.times["raw"], 50)
    for name in TARGETS:
        values = run.times[name]
        p50, p99 = percentile(values, 50), percentile(values, 99)
        per_second = len(values) / run.busy[name]
        added = "" if name == "raw" else f"{p50 - raw50:>10.2f}"
        print(f"{users:>5} {name:<8}{p50:>9.2f}{p99:>9.2f}{per_second:>9.0f}{p50 / raw50:>8.2f}x{added}")
    difference = percentile(run.times["gateway"], 50) - percentile(run.times["mcpo"], 50)
    print(f"{'':>5} gateway p50 - mcpo p50: {difference:+.2f} ms")


def main() -> None:
    """Run the benchmark and print a table per concurrency level."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300, help="rounds at 1 user (divided by the users)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    mcpo_executable()
    print(tree_state())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "todo.db"
        asyncio.run(seed(db))
        config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=db))
        with running_gateway(config) as gateway, running_mcpo(db, tmp_path / "mcpo.log") as mcpo_url:
            sse_bytes, mcpo_bytes = asyncio.run(sizes(gateway.url, mcpo_url))
            print(
                f"list_tasks on {TASKS} tasks: raw MCP call over stdio, /list_tasks {{}} turn through the gateway "
                f"({sse_bytes} SSE bytes), POST /list_tasks to mcpo {MCPO_VERSION} ({mcpo_bytes} bytes)"
            )
            print(
                f"{'users':>5} {'target':<8}{'p50 ms':>9}{'p99 ms':>9}{'calls/s':>9}{'/raw':>9}{'added ms':>10}"
            )
            for users in args.users:
                rounds = max(20, args.rounds // users)
                report(users, asyncio.run(measure(gateway.url, mcpo_url, db, users, rounds, args.warmup)))


if __name__ == "__main__":
    main()
