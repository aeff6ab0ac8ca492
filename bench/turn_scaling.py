"""Benchmark: does a gateway turn cost the same in a long thread, and with many tools configured?

Three gateways under uvicorn at once on one todo database (20 tasks), each with its own SQLite
store: A with the todo server alone (7 tools); B with the todo server and one server of 500
tools (`bench/many_tools_server.py`); C with the todo server and five servers of 100 tools each
(the same 500 tools, spread: per-server costs show here, per-tool costs in B). Before each
gateway starts, its store gets a short thread (10 items) and a long one (10,000 items) of the
local user, by bulk inserts, and a second pair no turn touches. Rounds, case order rotated each
round: a `/list_tasks {}` turn (`threads.add_user_message`, whole SSE stream read, widget
asserted) on every gateway's short and long thread, then `threads.get_by_id` (the thread and its
oldest 20 items) on the untouched pair, so both pages hold seeded messages only (10 and 20).
Each turn adds 2 items, so the turned threads grow by 2 a round. Then `/help` turns (the catalog,
which lists every tool) on each gateway. Ratios first, then p50/p99 in ms.

    .venv/bin/python -m bench.turn_scaling [--rounds 200] [--warmup 20] [--help-rounds 30]
        [--no-spread] [--profile SLOW BASE]

`--profile B-short A-short` (or `C-help A-help`: the catalog) then samples the gateways with py-spy over `--profile-rounds`
turns of each case and prints, per function, the ms per turn it is on the stack in each and
the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    InferenceOptions,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
)
from sqlalchemy import insert, update

from bench.support import (
    JSON_HEADERS,
    create_thread,
    has_widget,
    message_body,
    percentile,
    seed,
    timed_post,
    tree_state,
)
from gateway.auth import LOCAL_USER
from gateway.store.codec import dump_item
from gateway.store.context import RequestContext
from gateway.store.models import ITEMS, THREADS
from gateway.store.sql import SQLStore
from tests.support.gateway import ROOT, Gateway, running_gateway, todo_server_config, write_config

SIZES = {"short": 10, "long": 10_000}
USER = RequestContext(user_id=LOCAL_USER)  # every request without an auth section is this user
LIST = "/list_tasks {}"
_CHUNK = 5000
ENTRY = re.compile(r"gateway/(__main__|cli)\.py")  # on every stack: left out of the inclusive list


def many_server(tools: int, offset: int, name: str) -> dict[str, Any]:
    """A stdio entry for bench/many_tools_server.py."""
    args = ["-m", "bench.many_tools_server", "--tools", str(tools), "--offset", str(offset), "--name", name]
    return {"command": "python", "args": args, "cwd": str(ROOT), "timeout": 60}


def layouts(spread: bool) -> dict[str, dict[str, dict[str, Any]]]:
    """The extra servers of each gateway, by gateway name (every one also has the todo server)."""
    extra = {"A": {}, "B": {"many": many_server(500, 0, "many")}}
    if spread:
        extra["C"] = {f"many{i + 1}": many_server(100, 100 * i, f"many{i + 1}") for i in range(5)}
    return extra


async def seed_store(url: str) -> dict[str, str]:
    """Two threads per size in the store at `url` (one for turns, one for `get-` reads that no
    turn grows), alternating user and assistant messages; their ids by label."""
    store = await SQLStore.create(url)
    try:
        ids: dict[str, str] = {}
        for label, size in [*SIZES.items(), *((f"get-{k}", v) for k, v in SIZES.items())]:
            thread = ThreadMetadata(
                id=store.generate_thread_id(USER), created_at=datetime.now(), title=f"{size} items"
            )
            await store.save_thread(thread, USER)
            start = datetime.now() - timedelta(days=1)
            rows: list[dict[str, Any]] = []
            for n in range(size):
                created = start + timedelta(milliseconds=n)
                item_id = store.generate_item_id("message", thread, USER)
                item: ThreadItem
                if n % 2 == 0:
                    item = UserMessageItem(
                        id=item_id,
                        thread_id=thread.id,
                        created_at=created,
                        content=[UserMessageTextContent(text=f"message {n}")],
                        inference_options=InferenceOptions(),
                    )
                else:
                    item = AssistantMessageItem(
                        id=item_id,
                        thread_id=thread.id,
                        created_at=created,
                        content=[AssistantMessageContent(text="x" * 200)],
                    )
                owner = {"thread_id": thread.id, "user_id": USER.user_id, "created_at": created}
                rows.append(
                    {"seq": n + 1, "id": item_id, "type": item.type, "data": dump_item(item), **owner}
                )
            for first in range(0, size, _CHUNK):
                async with store.engine.begin() as conn:
                    await conn.execute(insert(ITEMS), rows[first : first + _CHUNK])
            async with store.engine.begin() as conn:  # the gateway's next item continues after them
                await conn.execute(update(THREADS).where(THREADS.c.id == thread.id).values(last_seq=size))
            ids[label] = thread.id
        return ids
    finally:
        await store.close()


@dataclass
class Target:
    """One running gateway and its seeded threads."""

    name: str
    gateway: Gateway
    threads: dict[str, str]
    tools: int = 0
    help_thread: str = ""
    help_bytes: int = 0
    http: httpx2.AsyncClient = field(init=False)


def wait_ready(gateway: Gateway, servers: int, timeout: float = 120) -> int:
    """Wait for /health to say every server is up; the tools the start-up log counts."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx2.get(f"{gateway.url}/health", timeout=30)
        counts = [int(n) for n in re.findall(r"MCP server \S+: up over \w+, (\d+) tools", gateway.logs())]
        if response.status_code == 200 and len(counts) == servers:
            return sum(counts)
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready: {response.text}\n{gateway.logs()}")
        time.sleep(0.5)


async def post_json(http: httpx2.AsyncClient, body: dict[str, Any]) -> tuple[float, Any]:
    """A non-streaming /chatkit request: milliseconds and the decoded answer."""
    start = time.perf_counter()
    response = await http.post("/chatkit", content=json.dumps(body), headers=JSON_HEADERS)
    answer = response.json()
    return (time.perf_counter() - start) * 1000, answer


async def turn(target: Target, thread_id: str, text: str = LIST) -> tuple[float, int]:
    """One turn: milliseconds and SSE bytes; asserts it ended with a widget."""
    elapsed, events = await timed_post(target.http, message_body(thread_id, text))
    assert has_widget(events), (target.name, text, events[-3:])
    return elapsed, sum(len(json.dumps(e)) for e in events)


async def get_thread(target: Target, thread_id: str) -> float:
    """threads.get_by_id; asserts its first page of items came back."""
    elapsed, answer = await post_json(
        target.http, {"type": "threads.get_by_id", "params": {"thread_id": thread_id}}
    )
    assert answer["id"] == thread_id and answer["items"]["data"], answer
    return elapsed


async def measure(
    targets: list[Target], rounds: int, warmup: int, help_rounds: int
) -> dict[str, list[float]]:
    """Interleaved rounds; milliseconds by case name (`A-long`, `get A-short`, `help B`, ...)."""
    timings: dict[str, list[float]] = {}
    async with contextlib.AsyncExitStack() as stack:
        for t in targets:
            t.http = await stack.enter_async_context(httpx2.AsyncClient(base_url=t.gateway.url, timeout=120))
            listed = await post_json(t.http, {"type": "threads.list", "params": {"limit": 100}})
            owned = {thread["id"] for thread in listed[1]["data"]}
            assert set(t.threads.values()) <= owned, f"{t.name}: seeded threads not the local user's: {owned}"
            t.help_thread = await create_thread(t.http, "/help")
        cases = [(t, size) for t in targets for size in SIZES]
        for i in range(warmup + rounds):
            shift = i % len(cases)
            order = cases[shift:] + cases[:shift]
            for t, size in order:
                elapsed, _ = await turn(t, t.threads[size])
                if i >= warmup:
                    timings.setdefault(f"{t.name}-{size}", []).append(elapsed)
            for t, size in order:
                elapsed = await get_thread(t, t.threads[f"get-{size}"])
                if i >= warmup:
                    timings.setdefault(f"get {t.name}-{size}", []).append(elapsed)
        for i in range(2 + help_rounds):
            for t in targets[i % len(targets) :] + targets[: i % len(targets)]:
                elapsed, t.help_bytes = await turn(t, t.help_thread, "/help")
                if i >= 2:
                    timings.setdefault(f"help {t.name}", []).append(elapsed)
    return timings


async def profile_case(target: Target, kind: str, rounds: int, raw: Path, rate: int) -> None:
    """`rounds` turns of one case (`short`, `long`: list_tasks; `help`: the catalog) under py-spy."""
    thread, text = (target.help_thread, "/help") if kind == "help" else (target.threads[kind], LIST)
    spy_path = str(Path(sys.executable).with_name("py-spy"))
    command = [spy_path, "record", "--pid", str(target.gateway.process.pid), "--rate", str(rate)]
    command += ["--format", "raw", "--output", str(raw), "--threads", "--nonblocking"]
    async with httpx2.AsyncClient(base_url=target.gateway.url, timeout=120) as http:
        target.http = http
        for _ in range(10):
            await turn(target, thread, text)
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        await asyncio.sleep(1)
        for _ in range(rounds):
            await turn(target, thread, text)
        spy.send_signal(signal.SIGINT)
        _, err = spy.communicate(timeout=60)
    if not raw.exists():
        raise RuntimeError(f"py-spy wrote nothing: {err.decode(errors='replace')}")


def stack_ms(raw: Path, rate: int, turns: int) -> tuple[dict[str, float], dict[str, float]]:
    """Inclusive and self ms per turn by function from py-spy's raw output (idle frames dropped)."""
    inclusive: defaultdict[str, float] = defaultdict(float)
    own: defaultdict[str, float] = defaultdict(float)
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")[1:]  # the first frame names the thread
        ms = int(count_text) * 1000 / rate / turns
        for frame in set(frames):
            inclusive[frame] += ms
        if frames:
            own[frames[-1]] += ms
    return inclusive, own


def report_profile(
    slow: str, base: str, files: dict[str, Path], rate: int, turns: int, top: int = 20
) -> None:
    """Functions by the ms per turn they add in `slow` over `base`, inclusive then self."""
    (inc_s, own_s), (inc_b, own_b) = (stack_ms(files[c], rate, turns) for c in (slow, base))
    total_s, total_b = sum(own_s.values()), sum(own_b.values())
    print(
        f"\npy-spy, {turns} turns each at {rate} Hz: sampled CPU ms per turn {slow} {total_s:.2f}, {base} {total_b:.2f}"
    )
    for title, slow_c, base_c in (("inclusive", inc_s, inc_b), ("self", own_s, own_b)):
        scope = "gateway frames, " if title == "inclusive" else ""
        print(f"top {top} by {title} ms/turn added ({scope}{slow} - {base}; share of {slow}'s sampled ms):")
        frames = [f for f in slow_c if title == "self" or ("gateway/" in f and not ENTRY.search(f))]
        deltas = sorted(frames, key=lambda f: slow_c[f] - base_c.get(f, 0.0), reverse=True)[:top]
        for frame in deltas:
            delta = slow_c[frame] - base_c.get(frame, 0.0)
            print(
                f"  {delta:7.2f}  {slow_c[frame]:7.2f} {base_c.get(frame, 0.0):7.2f}  {100 * slow_c[frame] / total_s:5.1f} %  {frame}"
            )


def ratio_line(label: str, num: list[float], den: list[float]) -> str:
    """`label`: p50, p90 and p99 ratio; flat when the p50 ratio is at most 1.2."""
    r50, r90, r99 = (percentile(num, q) / percentile(den, q) for q in (50, 90, 99))
    flat = "flat" if r50 <= 1.2 else "NOT flat"
    return f"  {label:<30} p50 {r50:5.2f}x  p90 {r90:5.2f}x  p99 {r99:5.2f}x  ({flat})"


def report(targets: list[Target], timings: dict[str, list[float]], rounds: int) -> None:
    """Ratios first, then every case's p50/p99."""
    names = [t.name for t in targets]
    print(f"\nratios ({rounds} rounds; turned threads grew by {2 * rounds} items; flat: p50 ratio <= 1.2x):")
    for n in names:
        print(ratio_line(f"list_tasks {n} long/short", timings[f"{n}-long"], timings[f"{n}-short"]))
    for n in names[1:]:
        for size in SIZES:
            print(ratio_line(f"list_tasks {n}/A {size}", timings[f"{n}-{size}"], timings[f"A-{size}"]))
    for n in names:
        print(ratio_line(f"get_by_id {n} long/short", timings[f"get {n}-long"], timings[f"get {n}-short"]))
    for n in names[1:]:
        print(ratio_line(f"/help (catalog) {n}/A", timings[f"help {n}"], timings["help A"]))
    print(f"\n{'case':<16}{'tools':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'n':>5}")
    tools = {t.name: t.tools for t in targets}
    for case, values in sorted(timings.items(), key=lambda kv: (" " in kv[0], kv[0])):
        gateway = case.split()[-1].split("-")[0]
        q = "".join(f"{percentile(values, p):>9.2f}" for p in (50, 90, 99))
        print(f"{case:<16}{tools[gateway]:>6}{q}{len(values):>5}")
    print("/help SSE bytes: " + ", ".join(f"{t.name} {t.help_bytes:,}" for t in targets))


def main() -> None:
    """Seed, start the gateways, measure, report (and profile when asked)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--help-rounds", type=int, default=30)
    parser.add_argument("--no-spread", action="store_true", help="skip gateway C (5 servers of 100 tools)")
    parser.add_argument(
        "--profile", nargs=2, metavar=("SLOW", "BASE"), help="e.g. B-short A-short, C-help A-help"
    )
    parser.add_argument("--profile-rounds", type=int, default=300)
    parser.add_argument("--rate", type=int, default=250)
    args = parser.parse_args()
    print(tree_state())
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        tmp_path = Path(tmp)
        todo_db = tmp_path / "todo.db"
        asyncio.run(seed(todo_db))
        targets: list[Target] = []
        for name, extra in layouts(not args.no_spread).items():
            url = f"sqlite+aiosqlite:///{tmp_path / f'gateway-{name}.db'}"
            threads = asyncio.run(seed_store(url))
            servers = {"todo": todo_server_config(todo_db), **extra}
            config = write_config(
                tmp_path / f"config-{name}.yaml", {"mcp_servers": servers, "store": {"url": url}}
            )
            gateway = stack.enter_context(running_gateway(config, timeout=120))
            targets.append(Target(name, gateway, threads, wait_ready(gateway, len(servers))))
        print(
            f"gateways: {', '.join(f'{t.name} {t.tools} tools (pid {t.gateway.process.pid})' for t in targets)}; "
            f"threads of {SIZES['short']} and {SIZES['long']:,} items each"
        )
        timings = asyncio.run(measure(targets, args.rounds, args.warmup, args.help_rounds))
        report(targets, timings, args.rounds)
        if args.profile:
            by_name = {t.name: t for t in targets}
            files: dict[str, Path] = {}
            for case in args.profile:
                gateway_name, kind = case.split("-")
                files[case] = tmp_path / f"profile-{case}.txt"
                asyncio.run(
                    profile_case(by_name[gateway_name], kind, args.profile_rounds, files[case], args.rate)
                )
                (ROOT / ".cache/bench").mkdir(parents=True, exist_ok=True)
                (ROOT / f".cache/bench/turn_scaling-{case}.txt").write_bytes(files[case].read_bytes())
            report_profile(args.profile[0], args.profile[1], files, args.rate, args.profile_rounds)
            print("raw stacks kept in .cache/bench/turn_scaling-<case>.txt")


if __name__ == "__main__":
    main()
