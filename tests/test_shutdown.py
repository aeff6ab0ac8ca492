"""Stopping the gateway: bounded, nothing silently lost, no MCP server left behind.

SIGTERM gives running requests `server.shutdown_grace` seconds; a tool call still running then
is cancelled and its thread gets a saved error item saying so. Stdio servers end with the
gateway, even when it is killed with SIGKILL and gets no chance to stop them.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.chat import text_of
from tests.support.events import ProcessEnd, alive, children, wait_for_text
from tests.support.gateway import quirky_server_config, running_gateway, store_url, write_config

GRACE_S = 2


@pytest.fixture()
def config(tmp_path: Path, marker: Path) -> Path:
    return write_config(
        tmp_path / "config.yaml",
        {
            "mcp_servers": {"quirky": quirky_server_config(marker, timeout=120)},
            "store": {"url": store_url(tmp_path)},
            "server": {"shutdown_grace": GRACE_S},
        },
    )


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


def test_sigterm_ends_a_long_call_after_the_grace_and_the_thread_says_so(config: Path, marker: Path) -> None:
    with running_gateway(config) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/tools").thread_id
        worker, _ = in_background(lambda: client.send(thread_id, '/quirky.sleep {"seconds": 60}'))
        wait_for_text(marker, "started", timeout=20)  # the call reached the server
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
        wait_for_text(marker, "blocking", timeout=20)
        (server,) = children(gateway.process.pid)
        with ProcessEnd(server) as server_end:
            gateway.process.kill()
            gateway.process.wait(timeout=10)
            assert server_end.wait(timeout=5), f"server {server} outlived the gateway"
