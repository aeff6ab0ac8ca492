"""Loopback ports, and waiting until a server started on one listens."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.support.events import wait_for_text


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(
    port: int, *, log: Path, process: subprocess.Popen[bytes], timeout: float = 20.0, since: int = 0
) -> None:
    """Block until the uvicorn in `process` says, in its output `log`, that it listens on `port`.

    Every server the tests start on a port (the gateway, our todo server, the test servers) is
    uvicorn, which writes "Uvicorn running on http://127.0.0.1:<port>" once its socket listens.
    Fails at once if `process` exits first. `since`: the characters of `log` written before this
    start (a restart on the same port writes the line again).
    """
    wait_for_text(
        log, f"Uvicorn running on http://127.0.0.1:{port} ", process=process, timeout=timeout, since=since
    )
