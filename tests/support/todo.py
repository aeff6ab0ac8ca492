"""Start our todo MCP server for tests: over stdio (parameters) or streamable HTTP (a subprocess)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from mcp import StdioServerParameters

from tests.support.net import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def todo_stdio_params(db_path: Path) -> StdioServerParameters:
    """Parameters that launch the todo server over stdio on `db_path`."""
    return StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.todo", "--db", str(db_path)], cwd=str(ROOT)
    )


@contextlib.contextmanager
def running_todo_http(db_path: Path, *, transport: str = "http") -> Iterator[str]:
    """Run the todo server over streamable HTTP (or SSE); yield its URL; stop it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mcp_servers.todo",
            "--transport",
            transport,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db_path),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}/mcp" if transport == "http" else f"http://127.0.0.1:{port}/sse"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
