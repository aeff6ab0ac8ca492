"""Config entries and subprocesses for the test servers in this package."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.config import RemoteServerConfig, StdioServerConfig
from tests.conftest import EVERYTHING_JS, PARTNERS, ROOT
from tests.support.events import wait_for_text
from tests.support.net import free_port, wait_until_listening

GROW_JS = Path(__file__).with_name("grow.cjs")


def python_server(module: str, *args: str, **options: Any) -> StdioServerConfig:
    """A stdio entry running `python -m <module> <args>` from the project root."""
    return StdioServerConfig(command="python", args=["-m", module, *args], cwd=str(ROOT), **options)


def todo_server(db: Path, **options: Any) -> StdioServerConfig:
    """Our todo server over stdio on `db`."""
    return python_server("mcp_servers.todo", "--db", str(db), **options)


def everything_server(**options: Any) -> StdioServerConfig:
    """The TypeScript SDK's server-everything over stdio (handshake era)."""
    return StdioServerConfig(command="node", args=[str(EVERYTHING_JS), "stdio"], **options)


def grow_server(**options: Any) -> StdioServerConfig:
    """grow.cjs: a TypeScript-SDK server whose `grow` tool adds tools (handshake era)."""
    return StdioServerConfig(command="node", args=[str(GROW_JS)], env={"NODE_PATH": str(PARTNERS)}, **options)


@dataclass
class HttpServer:
    """A test server process on a loopback port; `kill()` it, `start()` it again on the same port."""

    argv: list[str]
    port: int
    log: Path  # what it prints, every start appended
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None
    """Extra environment for the process."""
    ready: str | None = None
    """What the process prints once it listens (default: uvicorn's line for the port)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def config(self, **options: Any) -> RemoteServerConfig:
        """A remote entry for this server."""
        return RemoteServerConfig(url=self.url, **options)

    def start(self) -> None:
        """Start the process and wait until it says it listens."""
        since = len(self.log.read_text(errors="replace")) if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*self.argv, "--port", str(self.port)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env} if self.env else None,
            )
        if self.ready is None:
            wait_until_listening(self.port, log=self.log, process=self.process, since=since)
        else:
            wait_for_text(self.log, self.ready, process=self.process, since=since, timeout=20)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate politely, then kill."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def http_server(module: str, *args: str) -> Iterator[HttpServer]:
    """`python -m <module> --transport http --port P <args>` for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="mcp-http-") as scratch:
        argv = [sys.executable, "-m", module, "--transport", "http", *args]
        server = HttpServer(argv, free_port(), Path(scratch) / "server.log")
        try:
            server.start()
            yield server
        finally:
            server.stop()


@contextlib.contextmanager
def everything_http() -> Iterator[HttpServer]:
    """server-everything over streamable HTTP (it takes its port from PORT) for the block."""
    with tempfile.TemporaryDirectory(prefix="mcp-http-") as scratch:
        port = free_port()
        argv = ["node", str(EVERYTHING_JS), "streamableHttp"]
        log, ready = Path(scratch) / "server.log", f"listening on port {port}"
        server = HttpServer(argv, port, log, env={"PORT": str(port)}, ready=ready)
        try:
            server.start()
            yield server
        finally:
            server.stop()
