"""Benchmark: the todo server against the protocol floor, a minimal MCPServer echo tool.

Both servers run over stdio, each behind a plain `mcp.Client`: `bench/echo_server.py` (one
tool, `echo(text) -> text`) and `python -m mcp_servers.todo` on a fresh temporary database
seeded with 20 tasks. Rounds interleave echo, `get_task` and `list_tasks` (all 20 tasks),
the order rotating round by round, at 1 call at a time and at 16 concurrent calls on one
session. Reports the ratios of the p50/p99 to echo's, then the p50/p99 themselves, and the idle
RSS (VmRSS) of both server processes after connecting and one call each.

    .venv/bin/python -m bench.server_floor [--rounds 300] [--users 1 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

from bench.endpoint import percentile

ROOT = Path(__file__).resolve().parent.parent
TASKS = 20
GET_ID = 10
CASES = ["echo", "get_task", "list_tasks"]


def _params(*args: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=list(args), cwd=str(ROOT))


def echo_params() -> StdioServerParameters:
    """The floor: a one-tool MCPServer."""
    return _params("-m", "bench.echo_server")


def todo_params(db: Path) -> StdioServerParameters:
    """The todo server on `db`."""
    return _params("-m", "mcp_servers.todo", "--db", str(db))


async def seed(db: Path) -> None:
    """Put TASKS tasks in the todo database, through the server itself."""
    async with Client(todo_params(db)) as client:
        for i in range(TASKS):
            result = await client.call_tool(
                "add_task",
                {
                    "title": f"Task {i}",
                    "description": f"Notes for task {i}",
                    "priority": ["low", "medium", "high"][i % 3],
                    "due_date": f"2030-01-{i + 1:02d}" if i % 2 else None,
                    "tags": ["home", f"tag{i % 4}"],
                },
            )
            if result.is_error:
                raise RuntimeError(f"seeding failed: {result.content}")


def server_pid(module: str) -> int:
    """The pid of this process's child running `python -m <module>`."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = stat.rsplit(")", 1)[1].split()[1]
        if ppid == me and module.encode() in cmdline:
            return int(entry.name)
    raise LookupError(f"no child process runs {module}")


def rss_mib(pid: int) -> float:
    """VmRSS of `pid`, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for {pid}")


def _checked(expect: Callable[[Any], bool], name: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        if result.is_error or not expect(result.structured_content):
            raise RuntimeError(f"{name} gave an unexpected result: {result}")

    return check


async def measure(
    db: Path, users_levels: list[int], rounds: int, warmup: int
) -> tuple[dict[int, dict[str, list[float]]], dict[str, float]]:
    """Per concurrency level, the call times of each case; and the idle RSS of both servers."""
    async with Client(echo_params()) as echo, Client(todo_params(db)) as todo:
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "echo": lambda: echo.call_tool("echo", {"text": "hello"}),
            "get_task": lambda: todo.call_tool("get_task", {"id": GET_ID}),
            "list_tasks": lambda: todo.call_tool("list_tasks", {}),
        }
        checks = {
            "echo": _checked(lambda s: s == {"result": "hello"}, "echo"),
            "get_task": _checked(lambda s: s["task"]["id"] == GET_ID, "get_task"),
            "list_tasks": _checked(lambda s: len(s["tasks"]) == TASKS, "list_tasks"),
        }
        for case in CASES:
            checks[case](await calls[case]())
        await asyncio.sleep(0.5)
        rss = {
            "echo": rss_mib(server_pid("bench.echo_server")),
            "todo": rss_mib(server_pid("mcp_servers.todo")),
        }

        async def timed(case: str) -> float:
            start = time.perf_counter()
            result = await calls[case]()
            elapsed = (time.perf_counter() - start) * 1000
            checks[case](result)
            return elapsed

        timings: dict[int, dict[str, list[float]]] = {}
        for users in users_levels:
            level: dict[str, list[float]] = {case: [] for case in CASES}
            level_rounds = max(20, rounds // users)
            for i in range(warmup + level_rounds):
                shift = i % len(CASES)
                for case in CASES[shift:] + CASES[:shift]:
                    times = await asyncio.gather(*(timed(case) for _ in range(users)))
                    if i >= warmup:
                        level[case].extend(times)
            timings[users] = level
    return timings, rss


def main() -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "todo.db"
        asyncio.run(seed(db))
        timings, rss = asyncio.run(measure(db, args.users, args.rounds, args.warmup))
    print(f"todo server vs a minimal MCPServer echo tool, over stdio; list_tasks returns {TASKS} tasks")
    print(f"{'calls':>5} {'case':<11} {'p50 x':>7} {'p99 x':>7} {'p50 ms':>8} {'p99 ms':>8} {'n':>6}")
    for users, level in timings.items():
        e50, e99 = percentile(level["echo"], 50), percentile(level["echo"], 99)
        for case in CASES:
            p50, p99 = percentile(level[case], 50), percentile(level[case], 99)
            print(
                f"{users:>5} {case:<11} {p50 / e50:>6.2f}x {p99 / e99:>6.2f}x "
                f"{p50:>8.2f} {p99:>8.2f} {len(level[case]):>6}"
            )
    print(
        f"idle RSS (VmRSS after connect + one call each): echo {rss['echo']:.1f} MiB, todo {rss['todo']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
