"""GET /health tells the truth about each MCP server: a server that stopped answering is not "up"."""

from __future__ import annotations

import os
import signal
import time

import httpx2

from tests.support.events import children
from tests.support.gateway import Gateway


def todo_state(gateway: Gateway) -> tuple[str, dict[str, object], float]:
    started = time.monotonic()
    body = httpx2.get(f"{gateway.url}/health", timeout=30).json()
    todo = next(s for s in body["servers"] if s["name"] == "todo")
    return body["status"], todo, time.monotonic() - started


def test_a_stopped_server_is_reported_unresponsive_within_the_health_timeout(gateway: Gateway) -> None:
    status, todo, _ = todo_state(gateway)
    assert (status, todo["state"]) == ("ok", "up")
    (server,) = children(gateway.process.pid)
    os.kill(server, signal.SIGSTOP)
    try:
        status, todo, took = todo_state(gateway)
        assert (status, todo["state"]) == ("degraded", "unresponsive")
        assert "did not answer within 2 s" in str(todo["error"])
        assert took < 5
    finally:
        os.kill(server, signal.SIGCONT)
    status, todo, _ = todo_state(gateway)
    assert (status, todo["state"]) == ("ok", "up")
