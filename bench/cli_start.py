"""Benchmark: `gateway call` as a whole process against a small script making the same MCP call.

A temporary config with the todo server and three others: two ordinary test servers (echo,
shapes) and one that never answers its `initialize` (tests/servers/silent.py, `timeout` 30 s).
Each run, interleaved: `python -m gateway call todo.get_task --args '{"id": 1}' --config TMP`
and `python -m bench.cli_script --db TMP` (the SDK's `mcp.Client`: start the todo server,
call `get_task`, print the result). Wall time of the whole process, from spawn to exit.
Reports the ratio of the medians first, then min / median / max of each (target: within 1.5x).

    .venv/bin/python -m bench.cli_start [--runs 5] [--warmup 1]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import yaml
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 120.0


def python_server(module: str, *args: str, **extra: Any) -> dict[str, Any]:
    return {"command": "python", "args": ["-m", module, *args], "cwd": str(ROOT), **extra}


def write_config(scratch: Path) -> tuple[Path, Path]:
    """The config file and the todo database, seeded with task 1."""
    db = scratch / "todo.db"
    servers = {
        "todo": python_server("mcp_servers.todo", "--db", str(db)),
        "echo": python_server("tests.servers.echo"),
        "shapes": python_server("tests.servers.shapes"),
        "silent": python_server("tests.servers.silent", timeout=30),
    }
    config = scratch / "config.yaml"
    config.write_text(yaml.safe_dump({"mcp_servers": servers}))
    anyio.run(seed, db)
    return config, db


async def seed(db: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.todo", "--db", str(db)], cwd=str(ROOT)
    )
    async with Client(params) as client:
        await client.call_tool("add_task", {"title": "Benchmark task"})


def timed(argv: list[str]) -> tuple[float, str | None]:
    """Wall seconds of one run, and what went wrong (None: exit 0)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"killed after {RUN_TIMEOUT_S:g} s"
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return elapsed, f"exit {done.returncode}: {done.stderr.strip()[-200:]}"
    return elapsed, None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="counted runs of each command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs of each first (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-start-") as scratch:
        config, db = write_config(Path(scratch))
        commands = {
            "gateway call": [
                sys.executable, "-m", "gateway", "call", "todo.get_task",
                "--args", '{"id": 1}', "--config", str(config),
            ],
            "script (mcp.Client)": [sys.executable, "-m", "bench.cli_script", "--db", str(db)],
        }  # fmt: skip
        for name, argv in commands.items():
            print(f"{name}: {shlex.join(argv)}")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.warmup + args.runs):
            for name, argv in commands.items():
                elapsed, problem = timed(argv)
                if problem:
                    print(f"  {name}, run {round_ + 1}: {problem}", file=sys.stderr)
                if round_ >= args.warmup:
                    times[name].append(elapsed)
    gateway, script = (statistics.median(t) for t in times.values())
    print(f"\n{args.runs} runs each after {args.warmup} warm-up, interleaved, whole-process wall time")
    print(f"ratio of medians (gateway call / script): {gateway / script:.2f}x\n")
    print(f"| {'command':<20} | {'min s':>7} | {'median s':>8} | {'max s':>7} |")
    print(f"|{'-' * 22}|{'-' * 8}:|{'-' * 9}:|{'-' * 8}:|")
    for name, values in times.items():
        low, mid, high = min(values), statistics.median(values), max(values)
        print(f"| {name:<20} | {low:7.3f} | {mid:8.3f} | {high:7.3f} |")


if __name__ == "__main__":
    main()
