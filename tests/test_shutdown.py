"""Stopping the gateway: bounded, nothing silently lost, no MCP server left behind.

SIGTERM gives running requests `server.shutdown_grace` seconds; a tool call still running then
is cancelled and its thread gets a saved error item saying so. Stdio servers end with the
gateway, even when it is killed with SIGKILL and gets no chance to stop them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.chat import text_of
from tests.support.gateway import quirky_server_config, running_gateway, write_config

GRACE_S = 2


@pytest.fixture()
def marker(tmp_path: Path) -> Path:
    return tmp_path / "quirky.log"


@pytest.fixture()
def config(tmp_path: Path, marker: Path) -> Path:
    return write_config(
        tmp_path / "config.yaml",
        {
            "mcp_servers": {"quirky": quirky_server_config(marker, timeout=120)},
            "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"},
            "server": {"shutdown_grace": GRACE_S},
        },
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def in_background(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = work()
        except Exception as exc:  # the stream ends abruptly when the gateway goes away
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")  # a zombie has ended; only its parent has not reaped it yet


def test_sigterm_ends_a_long_call_after_the_grace_and_the_thread_says_so(config: Path, marker: Path) -> None:
    with running_gateway(config) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/tools").thread_id
        worker, _ = in_background(lambda: client.send(thread_id, '/quirky.sleep {"seconds": 60}'))
        wait_until(lambda: marker.exists() and "started" in marker.read_text(), 20, "the call to start")
        servers = children(gateway.process.pid)
        started = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        gateway.process.wait(timeout=30)
        took = time.monotonic() - started
        worker.join(timeout=10)
    assert took < GRACE_S + 6, f"shutdown took {took:.1f} s with a grace of {GRACE_S} s"
    assert servers and not any(alive(pid) for pid in servers)

    with running_gateway(config) as again:
        items = again.client().get_thread(thread_id).json["items"]["data"]
    widgets = [item for item in items if item["type"] == "widget"]
    assert "interrupted" in text_of(widgets[-1]["widget"])
    assert "may have run" in widgets[-1]["copy_text"]


def test_a_stdio_server_does_not_outlive_a_gateway_killed_with_sigkill(config: Path, marker: Path) -> None:
    with running_gateway(config) as gateway:
        client = gateway.client()
        # The server blocks: it reads nothing, so it would not notice its stdin closing.
        in_background(lambda: client.create_thread('/quirky.block {"seconds": 60}'))
        wait_until(lambda: marker.exists() and "blocking" in marker.read_text(), 20, "the server to block")
        (server,) = children(gateway.process.pid)
        gateway.process.kill()
        gateway.process.wait(timeout=10)
        wait_until(lambda: not alive(server), 5, f"server {server} to end with the gateway")
