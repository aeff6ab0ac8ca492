"""What the benchmarks share: the seeded todo server, ChatKit requests and their timing,
percentiles, the state of the tree a run measured, and a process's memory and CPU."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client, StdioServerParameters

from tests.support.gateway import ROOT, parse_sse, user_input

TASKS = 20
"""Tasks in the todo database the turn benchmarks list."""
JSON_HEADERS = {"Content-Type": "application/json"}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of `values`, nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def todo_params(db: Path) -> StdioServerParameters:
    """The todo server over stdio on `db`, as an `mcp.Client` starts it."""
    return StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.todo", "--db", str(db)], cwd=str(ROOT)
    )


async def seed(db: Path, tasks: int = TASKS) -> None:
    """Put `tasks` tasks in the todo database, through the server itself."""
    async with Client(todo_params(db)) as client:
        for i in range(tasks):
            await client.call_tool(
                "add_task", {"title": f"Task {i}", "priority": ["low", "medium", "high"][i % 3]}
            )


def create_body(text: str) -> str:
    """A `threads.create` request with `text` as its first message."""
    return json.dumps({"type": "threads.create", "params": {"input": user_input(text)}})


def message_body(thread_id: str, text: str) -> str:
    """A `threads.add_user_message` request on `thread_id`."""
    return json.dumps(
        {
            "type": "threads.add_user_message",
            "params": {"thread_id": thread_id, "input": user_input(text)},
        }
    )


async def create_thread(http: httpx2.AsyncClient, text: str) -> str:
    """Create a thread whose first message is `text`; return its id."""
    response = await http.post("/chatkit", content=create_body(text), headers=JSON_HEADERS)
    return str(parse_sse(response.text)[0]["thread"]["id"])


async def create_threads(http: httpx2.AsyncClient, count: int, text: str, concurrency: int = 1) -> list[str]:
    """Create `count` threads, `concurrency` requests in flight at a time; return their ids in order."""
    ids: list[str] = []
    for start in range(0, count, concurrency):
        batch = min(concurrency, count - start)
        ids.extend(await asyncio.gather(*(create_thread(http, text) for _ in range(batch))))
    return ids


async def timed_post(http: httpx2.AsyncClient, body: str) -> tuple[float, list[dict[str, Any]]]:
    """POST `body` to /chatkit, read and parse the whole SSE stream; milliseconds taken and the events."""
    start = time.perf_counter()
    response = await http.post("/chatkit", content=body, headers=JSON_HEADERS)
    events = parse_sse(response.text)
    return (time.perf_counter() - start) * 1000, events


def has_widget(events: list[dict[str, Any]]) -> bool:
    """Whether a stream finished a widget item (what a tool call's turn ends with)."""
    return any(e.get("type") == "thread.item.done" and e["item"]["type"] == "widget" for e in events)


def tree_state() -> str:
    """The git HEAD and `git status --short` of the tree being measured, for the report."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    status = git("status", "--short")
    changed = ", ".join(line.strip() for line in status.splitlines()) or "clean"
    return f"HEAD {git('rev-parse', '--short', 'HEAD')}; git status --short: {changed}"


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS), RssAnon (heap) and RssFile (mapped files) of `pid` in KiB (/proc/PID/status)."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            found[key] = int(value.split()[0])
    return found


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User plus system CPU seconds `pid` (or only its `thread`) has used so far (/proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pid(pid: int, marker: str) -> int:
    """The child process of `pid` whose command line holds `marker` (an MCP server over stdio)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if marker in Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode():
                return int(child)
    raise LookupError(f"no child of {pid} runs {marker!r}")
