"""Benchmark: 64 chat turns at once, each calling a tool that waits half a second.

The gateway under uvicorn (SQLite store, the todo server and `bench.slow_server` over stdio,
both as a config.yaml names them). A burst is 64 concurrent `/wait {"seconds": 0.5}` turns,
each `threads.add_user_message` on its own thread, made before the bursts (64 people each
going on with their conversation; `--create` makes each turn a `threads.create` instead).
Wall time runs from the first request sent to the last stream read to its end: with the tool
calls overlapping it is 0.5 s plus what the gateway spends on 64 turns (target: under 1 s).
Reports min/median/max wall over the bursts, per-turn p50/p99 within them, and the CPU seconds
the gateway (all its threads, and its main thread) and the slow server used per burst.
`--profile` runs py-spy on the gateway during the bursts and prints where its CPU went.

    .venv/bin/python -m bench.concurrency [--bursts 10] [--turns 64] [--seconds 0.5] [--create] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

from bench.support import (
    child_pid,
    cpu_seconds,
    create_body,
    create_threads,
    has_widget,
    message_body,
    percentile,
    timed_post,
    tree_state,
)
from tests.support.gateway import ROOT, local_config, running_gateway, write_config


def command(seconds: float) -> str:
    """The chat message that calls the slow tool."""
    return f'/wait {{"seconds": {seconds}}}'


class Burst:
    """One burst: its wall time, each turn's latency, and CPU seconds spent by the processes."""

    def __init__(
        self, wall: float, turns: list[float], gateway_cpu: float, server_cpu: float, main_cpu: float
    ) -> None:
        self.main_cpu = main_cpu
        self.wall = wall
        self.turns = turns
        self.gateway_cpu = gateway_cpu
        self.server_cpu = server_cpu


async def bursts(
    url: str,
    gateway_pid: int,
    turns: int,
    count: int,
    create: bool,
    seconds: float,
    measuring: Callable[[], None],
) -> list[Burst]:
    """One warm-up burst then `count` measured ones, a second apart; `measuring()` just before the first."""
    slow_pid = child_pid(gateway_pid, "bench.slow_server")
    limits = httpx2.Limits(max_connections=2 * turns, max_keepalive_connections=2 * turns)
    async with httpx2.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        threads = [] if create else await create_threads(http, turns, "/help", concurrency=16)
        results: list[Burst] = []
        for i in range(count + 1):
            bodies = [
                create_body(command(seconds)) if create else message_body(t, command(seconds))
                for t in threads or [""] * turns
            ]
            cpu = cpu_seconds(gateway_pid), cpu_seconds(slow_pid), cpu_seconds(gateway_pid, gateway_pid)
            start = time.perf_counter()
            done = await asyncio.gather(*(timed_post(http, body) for body in bodies))
            wall = time.perf_counter() - start
            assert all(
                has_widget(events) and f"waited {seconds} s" in json.dumps(events) for _, events in done
            ), done
            if not i:
                measuring()
            else:
                results.append(
                    Burst(
                        wall,
                        [ms for ms, _ in done],
                        cpu_seconds(gateway_pid) - cpu[0],
                        cpu_seconds(slow_pid) - cpu[1],
                        cpu_seconds(gateway_pid, gateway_pid) - cpu[2],
                    )
                )
            await asyncio.sleep(1)
    return results


def report(results: list[Burst], turns: int, seconds: float, label: str) -> None:
    """The table: wall per burst, per-turn latency, CPU per burst."""
    walls = [b.wall * 1000 for b in results]
    every = [ms for b in results for ms in b.turns]
    print(
        f"{label}: {len(results)} bursts of {turns} turns, each a tool call that waits {seconds} s (ms unless noted)"
    )
    print(
        f"{'wall min':>9}{'median':>9}{'max':>9}{'turn p50':>10}{'turn p99':>10}{'gw CPU s':>10}{'main thr':>10}{'slow CPU s':>11}"
    )
    print(
        f"{min(walls):>9.0f}{statistics.median(walls):>9.0f}{max(walls):>9.0f}"
        f"{percentile(every, 50):>10.0f}{percentile(every, 99):>10.0f}"
        f"{statistics.median(b.gateway_cpu for b in results):>10.2f}"
        f"{statistics.median(b.main_cpu for b in results):>10.2f}"
        f"{statistics.median(b.server_cpu for b in results):>11.2f}"
    )
    print("walls: " + " ".join(f"{w:.0f}" for w in walls))


def summarize_profile(raw: Path, rate: int, top: int = 25) -> None:
    """Where the sampled CPU went: own time by package, by function, and time under each function."""
    own: collections.Counter[str] = collections.Counter()
    own_package: collections.Counter[str] = collections.Counter()
    under: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if " (" in f]  # drops the thread and process labels
        if not frames:
            continue
        total += count
        names = [frame.rsplit(":", 1)[0] + ")" if ":" in frame else frame for frame in frames]
        own[names[-1]] += count
        own_package[package_of(names[-1])] += count
        for name in set(names):
            under[name] += count
    print(f"\npy-spy: {total} samples at {rate} Hz, about {total / rate:.1f} CPU s of the gateway")
    print("own time by package:")
    for name, count in own_package.most_common(12):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("own time by function:")
    for name, count in own.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("time under each function (inclusive, below 90%):")
    shown = 0
    for name, count in under.most_common():
        if count < 0.9 * total and shown < top:
            print(f"  {100 * count / total:5.1f}%  {name}")
            shown += 1


def package_of(frame: str) -> str:
    """`func (path/to/file.py)` → the top-level package or stdlib module of its file."""
    path = frame.rpartition(" (")[2].rstrip(")")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith(str(ROOT)):
        path = path[len(str(ROOT)) + 1 :]
    return path.split("/", 1)[0].removesuffix(".py")


def main() -> None:
    """Run the bursts (with py-spy attached if asked) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--turns", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=0.5, help="how long each tool call waits")
    parser.add_argument("--create", action="store_true", help="each turn a threads.create")
    parser.add_argument("--profile", action="store_true", help="py-spy the gateway during the bursts")
    parser.add_argument("--native", action="store_true", help="py-spy native frames too (pauses the process)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    args = parser.parse_args()
    print(tree_state())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        config = local_config(tmp_path)
        config["mcp_servers"]["slow"] = {
            "command": "python",
            "args": ["-m", "bench.slow_server"],
            "cwd": str(ROOT),
        }
        with running_gateway(write_config(tmp_path / "config.yaml", config)) as gateway:
            pid = gateway.process.pid
            raw = ROOT / ".cache/bench/concurrency-profile.txt"  # kept, to read the stacks
            raw.unlink(missing_ok=True)
            spies: list[subprocess.Popen[bytes]] = []

            def measuring() -> None:
                if args.profile:
                    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
                    command = [
                        py_spy,
                        "record",
                        "--pid",
                        str(pid),
                        "--rate",
                        str(args.rate),
                        "--format",
                        "raw",
                    ]
                    command += [
                        "--output",
                        str(raw),
                        "--full-filenames",
                        "--native" if args.native else "--nonblocking",
                    ]
                    spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
                    time.sleep(1)

            results = asyncio.run(
                bursts(gateway.url, pid, args.turns, args.bursts, args.create, args.seconds, measuring)
            )
            for spy in spies:
                spy.send_signal(signal.SIGINT)
                _, errors = spy.communicate(timeout=60)
                if not raw.exists():
                    print(f"py-spy wrote no profile: {errors.decode(errors='replace')}")
        mode = "threads.create" if args.create else "threads.add_user_message"
        report(results, args.turns, args.seconds, mode + (" under py-spy" if args.profile else ""))
        if args.profile and raw.exists():
            summarize_profile(raw, args.rate)
            print(f"raw stacks (py-spy --format raw): {raw}")


if __name__ == "__main__":
    main()
