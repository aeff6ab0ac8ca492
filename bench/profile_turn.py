"""Profile: where the gateway's time goes during `/list_tasks {}` turns, sampled by py-spy.

Starts the gateway under uvicorn on the todo server with 20 tasks (as `bench.turn` does),
attaches py-spy to the gateway process (every thread, idle frames dropped), runs turns at the
given concurrency for the given time, and prints the share of samples per function: its own
samples (self) and every sample it is on the stack of (inclusive), plus a few named buckets
(the MCP call, validation, the store, widget JSON, rendering, the HTTP stack).

    .venv/bin/python -m bench.profile_turn [--seconds 20] [--users 1] [--rate 250] [--out FILE]

py-spy is a test extra (`pip install -e '.[test]'`); it needs ptrace rights on the gateway,
which a process's own children grant on most Linux set-ups.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx2

from bench.support import JSON_HEADERS, create_threads, has_widget, message_body, seed, timed_post
from tests.support.gateway import local_config, running_gateway, write_config

BUCKETS: dict[str, tuple[str, ...]] = {
    "MCP call (client side, whole)": ("registry.py:call ",),
    "output-schema validation": ("validate_tool_result", "fast_validation"),
    "store (event loop side)": ("gateway/store/",),
    "store worker thread (aiosqlite)": ("aiosqlite/core.py:run ",),
    "widget JSON (wire)": ("gateway/wire.py",),
    "rendering": ("gateway/render/",),
    "HTTP stack (uvicorn, starlette)": ("uvicorn/", "starlette/"),
    "chatkit SDK": ("chatkit/",),
}


async def drive(url: str, users: int, seconds: float) -> int:
    """Run `/list_tasks {}` turns on `users` threads at once for `seconds`; the number of turns."""
    async with httpx2.AsyncClient(base_url=url, timeout=60, headers=JSON_HEADERS) as http:
        threads = await create_threads(http, users, "/help")
        done = 0
        end = time.perf_counter() + seconds

        async def user(thread_id: str) -> None:
            nonlocal done
            body = message_body(thread_id, "/list_tasks {}")
            while time.perf_counter() < end:
                _, events = await timed_post(http, body)
                assert has_widget(events), events
                done += 1

        await asyncio.gather(*(user(t) for t in threads))
        return done


def summarize(raw: Path, top: int) -> None:
    """Print inclusive and self shares from py-spy's collapsed-stack output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")[1:]  # the first frame names the thread
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        if frames:
            own[frames[-1]] += count
        for name, needles in BUCKETS.items():
            if any(needle in stack for needle in needles):
                buckets[name] += count
    if not total:
        print("no samples")
        return
    print(f"{total} samples (all threads, idle frames dropped)\n")
    print("buckets (a sample may fall in several):")
    for name, count in buckets.most_common():
        print(f"  {100 * count / total:5.1f} %  {name}")
    print(f"\ntop {top} by self:")
    for frame, count in own.most_common(top):
        print(f"  {100 * count / total:5.1f} %  {frame}")
    print(f"\ntop {top} by inclusive (gateway frames):")
    shown = 0
    for frame, count in inclusive.most_common():
        if "gateway/" in frame and shown < top:
            print(f"  {100 * count / total:5.1f} %  {frame}")
            shown += 1


def main() -> None:
    """Profile the gateway under turns and print where the samples fall."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "todo.db"
        asyncio.run(seed(db))
        config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=db))
        raw = args.out or tmp_path / "profile.txt"
        with running_gateway(config) as gateway:
            asyncio.run(drive(gateway.url, args.users, 2))  # warm-up
            command = [py_spy, "record", "--pid", str(gateway.process.pid), "--rate", str(args.rate)]
            command += ["--format", "raw", "--output", str(raw), "--threads", "--nonblocking"]
            spy = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            time.sleep(1)
            turns = asyncio.run(drive(gateway.url, args.users, args.seconds))
            spy.send_signal(signal.SIGINT)
            _, err = spy.communicate(timeout=30)
            print(
                f"{turns} turns in {args.seconds:g} s at {args.users} user(s): {turns / args.seconds:.1f} turns/s\n"
            )
            if not raw.exists():
                print(err.decode(errors="replace"))
                return
            summarize(raw, args.top)


if __name__ == "__main__":
    main()
