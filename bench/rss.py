"""Benchmark: the gateway's memory, idle, after 10,000 threads and under 16 users, and the todo server's.

The gateway under uvicorn on a config like the repo's own (the todo server over stdio, a SQLite
store, both in a temporary directory; the todo database seeded with 20 tasks). VmRSS and VmHWM
(the peak) from /proc/PID/status: idle a few seconds after start-up; after 10,000
`threads.create` with the plain text "hello" (answered with the catalog widget, as without a
model every plain text is), 16 at a time; during and after 16 users running `/list_tasks {}`
turns (add_user_message on 16 threads); and the todo server's, idle and after. Targets: gateway
idle ≤ 120 MiB, todo server ≤ 60 MiB.

Then what the memory is: RSS of fresh interpreters importing the big packages one after another
(and each alone), then the app built from the same config, and the Python heap of the full
import by the package whose code allocated it (tracemalloc, which sees no native allocations).

    .venv/bin/python -m bench.rss [--threads 10000] [--rounds 100] [--no-breakdown]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

from bench.support import (
    child_pid,
    create_threads,
    has_widget,
    memory_kib,
    message_body,
    seed,
    timed_post,
    tree_state,
)
from tests.support.gateway import ROOT, local_config, running_gateway, write_config

USERS = 16
GATEWAY_STEPS = [
    ("pydantic", "import pydantic"),
    ("sqlalchemy (+ aiosqlite)", "import sqlalchemy.ext.asyncio, aiosqlite"),
    ("fastapi + uvicorn", "import fastapi, uvicorn"),
    ("mcp", "import mcp, mcp.client.stdio"),
    ("jsonschema", "import jsonschema"),
    ("openai", "import openai"),
    ("agents (openai-agents)", "import agents"),
    ("chatkit", "import chatkit.server, chatkit.widgets"),
    ("gateway (the rest)", "import gateway.app, gateway.cli"),
    (
        "create_app(config)",
        "from gateway.config.loading import load_config\n"
        "from gateway.app import create_app\napp = create_app(load_config(sys.argv[1]))",
    ),
]
TODO_STEPS = [
    ("pydantic", "import pydantic"),
    ("mcp", "import mcp, mcp.server.mcpserver"),
    ("mcp_servers.todo (the rest)", "import mcp_servers.todo.server"),
    (
        "build_server(db)",
        "from mcp_servers.todo.server import build_server\nserver = build_server(Path(sys.argv[1]))",
    ),
]
HEAVY = [
    "ssl",
    "asyncio",
    "sqlalchemy",
    "sqlalchemy.ext.asyncio",
    "sqlmodel",
    "mcp_types",
    "mcp.types",
    "cryptography.hazmat.bindings._rust",
    "httpx2",
    "jsonschema_rs",
    "griffe",
    "truststore",
    "jinja2",
    "openai",
    "agents",
]
# Runs in a fresh interpreter: executes each step's code in turn, printing VmRSS in KiB after each.
STEPPER = """
import gc, json, sys
from pathlib import Path
def rss():
    gc.collect()
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
print(json.dumps(['python', rss()]), flush=True)
for label, code in json.loads(sys.argv[2]):
    exec(code)
    print(json.dumps([label, rss()]), flush=True)
"""
# Runs in a fresh interpreter: the Python heap left by importing the gateway, by allocating package.
TRACER = """
import sys, tracemalloc
tracemalloc.start()
import gateway.app, gateway.cli
snapshot = tracemalloc.take_snapshot()
sizes = {}
for stat in snapshot.statistics('filename'):
    path = stat.traceback[0].filename
    if 'site-packages/' in path:
        key = path.split('site-packages/', 1)[1].split('/', 1)[0].removesuffix('.py')
    elif path.startswith(sys.argv[1]):
        key = path[len(sys.argv[1]) + 1:].split('/', 1)[0]
    else:
        key = '(stdlib, importlib: code objects of every module)'
    sizes[key] = sizes.get(key, 0) + stat.size
print(len(sys.modules), sum(sizes.values()))
for key, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:12]:
    print(size, key)
"""


def mib(kib: int) -> str:
    """KiB as MiB with one decimal."""
    return f"{kib / 1024:.1f}"


def row(label: str, memory: dict[str, int]) -> None:
    """One line of the memory table."""
    print(
        f"{label:<46}{mib(memory['VmRSS']):>8}{mib(memory['VmHWM']):>8}"
        f"{mib(memory['RssAnon']):>9}{mib(memory['RssFile']):>9}"
    )


async def grow(url: str, gateway_pid: int, todo_pid: int, threads: int, rounds: int) -> None:
    """Create the threads, then run the 16-user turns while sampling RSS; print each stage's row."""
    async with httpx2.AsyncClient(base_url=url, timeout=120) as http:
        start = time.perf_counter()
        await create_threads(http, threads, "hello", concurrency=USERS)
        took = time.perf_counter() - start
        await asyncio.sleep(2)
        row(f"gateway after {threads:,} threads ({took:.0f} s)", memory_kib(gateway_pid))

        ids = await create_threads(http, USERS, "/list_tasks {}")
        peak = 0

        async def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, memory_kib(gateway_pid)["VmRSS"])
                await asyncio.sleep(0.2)

        sampler = asyncio.create_task(sample())

        async def turn(thread_id: str) -> None:
            _, events = await timed_post(http, message_body(thread_id, "/list_tasks {}"))
            assert has_widget(events), events

        for _ in range(rounds):
            await asyncio.gather(*(turn(t) for t in ids))
        sampler.cancel()
        during = memory_kib(gateway_pid)
        row(f"gateway during {USERS} users x {rounds} turns (max seen)", {**during, "VmRSS": peak})
        await asyncio.sleep(2)
        row(f"gateway {USERS} users' turns done, 2 s later", memory_kib(gateway_pid))
        row("todo server after", memory_kib(todo_pid))


def run_steps(code: list[tuple[str, str]], argument: str) -> list[tuple[str, int]]:
    """RSS in KiB of a fresh interpreter, bare then after each step; a failing step is reported and ends it."""
    command = [sys.executable, "-c", STEPPER, argument, json.dumps(code)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        print(f"  (stopped: {(done.stderr.strip().splitlines() or ['?'])[-1]})")
    return [(str(label), int(kib)) for label, kib in map(json.loads, done.stdout.splitlines())]


def steps(title: str, step_list: list[tuple[str, str]], argument: str) -> None:
    """Cumulative RSS after each step in one interpreter, and each import alone in a fresh one."""
    code = [(label, f"from pathlib import Path\n{text}") for label, text in step_list]
    lines = run_steps(code, argument)
    base = lines[0][1]
    print(f"\n{title}: RSS of a fresh interpreter (MiB): bare python {mib(base)}")
    print(f"{'step':<30}{'cumulative':>11}{'added':>8}{'alone':>8}")
    previous = base
    for label, kib in lines[1:]:
        alone = ""
        if not label.startswith(("create_app", "build_server")):
            one = run_steps([c for c in code if c[0] == label], argument)
            alone = f"{mib(one[-1][1] - one[0][1]):>8}"
        print(f"{label:<30}{mib(kib):>11}{mib(kib - previous):>8}{alone}")
        previous = kib


def heavy() -> None:
    """RSS each heavy dependency adds alone to a fresh interpreter (its own imports included)."""
    print("\nheavy dependencies, each alone in a fresh interpreter (MiB added):")
    for module in HEAVY:
        one = run_steps([(module, f"import {module}")], "")
        if len(one) > 1:
            print(f"{mib(one[-1][1] - one[0][1]):>8}  {module}")


def heap() -> None:
    """The Python heap of importing the gateway, by the package whose code allocated it."""
    done = subprocess.run(
        [sys.executable, "-c", TRACER, str(ROOT)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    first, *rest = done.stdout.splitlines()
    modules, total = first.split()
    print(
        f"\nPython heap after importing the gateway (tracemalloc): {mib(int(total) // 1024)} MiB, {modules} modules"
    )
    for line in rest:
        size, key = line.split(" ", 1)
        print(f"{mib(int(size) // 1024):>8}  {key}")


def main() -> None:
    """Start the gateway, measure at each stage, then break the memory down."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100, help=f"rounds of {USERS} concurrent turns")
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    print(tree_state())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "todo.db"
        asyncio.run(seed(db))
        config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=db))
        with running_gateway(config) as gateway:
            pid = gateway.process.pid
            todo_pid = child_pid(pid, "mcp_servers.todo")
            time.sleep(3)
            print(f"{'(MiB)':<46}{'VmRSS':>8}{'VmHWM':>8}{'RssAnon':>9}{'RssFile':>9}")
            row("gateway idle after start-up (target 120)", memory_kib(pid))
            row("todo server idle (target 60)", memory_kib(todo_pid))
            asyncio.run(grow(gateway.url, pid, todo_pid, args.threads, args.rounds))
        if not args.no_breakdown:
            steps("gateway", GATEWAY_STEPS, str(config))
            steps("todo server", TODO_STEPS, str(tmp_path / "breakdown.db"))
            heavy()
            heap()


if __name__ == "__main__":
    main()
