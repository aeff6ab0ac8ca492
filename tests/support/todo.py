"""Start our todo MCP server for tests: over stdio (parameters) or streamable HTTP / SSE (a subprocess)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from mcp import StdioServerParameters

from tests.support.net import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]

TODO_TOOLS = [
    "add_task",
    "list_tasks",
    "get_task",
    "update_task",
    "complete_task",
    "reopen_task",
    "delete_task",
]
"""Every tool our todo server offers, in the order it lists them."""


def todo_stdio_params(db_path: Path) -> StdioServerParameters:
    """Parameters that launch the todo server over stdio on `db_path`."""
    return StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.todo", "--db", str(db_path)], cwd=str(ROOT)
    )


@contextlib.contextmanager
def running_todo_http(db_path: Path, *, transport: Literal["http", "sse"] = "http") -> Iterator[str]:
    """Run the todo server on a free loopback port; yield its /mcp URL (/sse for SSE); stop it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "mcp_servers.todo", "--transport", transport]
    command += ["--host", "127.0.0.1", "--port", str(port), "--db", str(db_path)]
    # Its output goes to a file, not a pipe: nobody drains a pipe, and a full one would stall the
    # server. The file is where it says it listens (and, if it fails to start, why).
    with tempfile.TemporaryDirectory(prefix="todo-http-") as scratch:
        log = Path(scratch) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_until_listening(port, log=log, process=process)
            yield f"http://127.0.0.1:{port}/{'mcp' if transport == 'http' else 'sse'}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
