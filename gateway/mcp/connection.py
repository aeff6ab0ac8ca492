"""How the registry reaches one server: an `mcp.Client` over the configured transport, and
failures described as sentences.

The transport is wrapped so the registry hears when the server's side of the stream ends (a
stdio process exiting closes stdout without any error) and so every message in either direction
passes the traffic log's tap; a stdio server's stderr goes to a scratch file whose last lines
explain most failed starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import AsyncGenerator, Callable, Generator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO, cast

import anyio
import httpx2
from mcp import Client
from mcp.client._transport import Transport, TransportStreams, WriteStream
from mcp.client.session import MessageHandlerFnT
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage
from mcp.types import CONNECTION_CLOSED, Implementation
from typing_extensions import TypeIs

from gateway.config import RemoteServerConfig, ServerConfig, StdioServerConfig
from gateway.mcp.client_side import ClientSide
from gateway.mcp.result_check import CheckedClient
from gateway.mcp.tether import tethered
from gateway.mcp.traffic import Tap
from gateway.redact import redact_url

CLIENT_INFO = Implementation(name="mcp-chatkit-gateway", version="0.1.0")
FATAL_TRANSPORT_ERRORS = (httpx2.TransportError, anyio.BrokenResourceError, ConnectionError)
"""Transport errors after which the session cannot be trusted: the registry reconnects."""


def open_client(
    config: ServerConfig,
    *,
    config_dir: Path | None,
    stderr: TextIO | None,
    on_eof: Callable[[], None],
    on_message: MessageHandlerFnT,
    tap: Tap | None = None,
    answers: ClientSide | None = None,
) -> Client:
    """An un-entered Client for `config`; `on_eof` fires when the server's stream ends, `tap`
    sees every message that passes, and `answers` answers the server's requests."""
    transport = _watched(_transport(config, config_dir, stderr), on_eof, tap)
    extra = answers.callbacks() if answers is not None else {}
    return CheckedClient(transport, message_handler=on_message, cache=None, client_info=CLIENT_INFO, **extra)


@contextlib.contextmanager
def stderr_scratch(config: ServerConfig) -> Generator[TextIO | None, None, None]:
    """A scratch file for a stdio server's stderr (None for remote servers)."""
    if not isinstance(config, StdioServerConfig):
        yield None
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8") as scratch:
        yield cast(TextIO, scratch)


def ended(config: ServerConfig) -> str:
    """What it means when the server's side of the stream ends."""
    return (
        "the server process exited"
        if isinstance(config, StdioServerConfig)
        else "the server closed the connection"
    )


def describe_failure(config: ServerConfig, exc: BaseException, was_up: bool) -> str:
    """Why a connection failed or ended, as a sentence."""
    cancelled = anyio.get_cancelled_exc_class()
    leaves = [leaf for leaf in _leaves(exc) if not isinstance(leaf, cancelled)] or [exc]
    leaf = leaves[0]
    if isinstance(config, StdioServerConfig):
        if isinstance(leaf, FileNotFoundError):
            if config.cwd and not Path(config.cwd).is_dir():
                return f"working directory not found: {config.cwd}"
            return f"command not found: {config.command}"
        if isinstance(leaf, PermissionError):
            return f"permission denied running {config.command}"
    elif isinstance(leaf, httpx2.ConnectError):
        return f"cannot connect to {redact_url(config.url)} ({leaf or 'connection refused'})"
    elif isinstance(leaf, httpx2.TimeoutException):
        return f"{redact_url(config.url)} did not answer in time"
    elif isinstance(leaf, httpx2.HTTPStatusError):
        return f"{redact_url(config.url)} answered HTTP {leaf.response.status_code}"
    elif isinstance(leaf, httpx2.TransportError):
        return f"the connection to {redact_url(config.url)} failed ({leaf})"
    if isinstance(leaf, MCPError):
        if leaf.code == CONNECTION_CLOSED:
            return ended(config) if was_up else f"{ended(config)} during start-up"
        if not was_up:
            return f"the server refused the MCP handshake: {leaf.error.message}"
        return f"MCP error {leaf.code}: {leaf.error.message}"
    text = str(leaf)
    return f"{type(leaf).__name__}: {text}" if text else type(leaf).__name__


def last_output(stderr: TextIO | None, mask: Callable[[str], str]) -> str:
    """What the server said on stderr that explains a failure, masked then cut, as a hint to
    append to it: its error lines when it printed any (`error_lines`), else its last line."""
    lines = output_tail(stderr, 60)
    errors = error_lines(lines)
    if errors:
        said = " / ".join(mask(line)[:200] for line in errors)
        return f" (its output: {said})"
    last = [line.strip() for line in lines if not _BANNER.match(line.strip())][-1:]
    return f" (its last output: {mask(last[0])[:200]})" if last else ""


_BANNER = re.compile(r"^(?:Node\.js|Deno|Bun) v?\d+(?:\.\d+)*\S*$")
"""A runtime's version banner (Node prints its own after an uncaught error): it explains nothing."""
_EXCEPTION = re.compile(r"^[\w.]*(?:Error|Exception)\b(?:\s*\[[^\]]*\])?(?::|$)")
"""An exception's own line: `ValueError: ...`, Node's `Error: ...` or `Error [ERR_X]: ...`."""
_SAYS_ERROR = re.compile(
    r"^(?:error|fatal|panic|critical)\b|\berror:|\bcannot find (?:module|package)\b", re.IGNORECASE
)
_LOUD_ERROR = re.compile(r"\b(?:ERROR|FATAL|CRITICAL)\b")
_GROUP_PREFIX = re.compile(r"^\s*[|+] ?")
"""How each line of a Python exception group's traceback starts."""
_MAX_ERROR_LINES = 3


def error_lines(lines: list[str]) -> list[str]:
    """The lines of a server's output that say what went wrong, the last few, without repeats:
    an exception's own line (Node's `Error: ...`, the end of a Python traceback), `error:`,
    `ERROR`, `fatal` and "Cannot find module" lines. Indented lines (stack frames, source
    excerpts) and version banners are left out.
    """
    found: list[str] = []
    in_traceback = False
    for raw in lines:
        grouped = _GROUP_PREFIX.match(raw)
        content = raw[grouped.end() :] if grouped else raw
        line = content.strip()
        if not line or line.startswith("+-") or _BANNER.match(line):
            continue
        if "Traceback (most recent call last)" in line:
            in_traceback = True
            continue
        if content[:1].isspace():  # a stack frame or a line of source
            continue
        telling = bool(_EXCEPTION.match(line) or _SAYS_ERROR.search(line) or _LOUD_ERROR.search(line))
        if in_traceback:  # the exception a traceback ends with, whatever its name
            telling, in_traceback = True, False
        if telling and line not in found:
            found.append(line)
    return found[-_MAX_ERROR_LINES:]


def output_tail(stderr: TextIO | None, lines: int = 20) -> list[str]:
    """The last non-blank lines a stdio server wrote to stderr (empty for remote servers)."""
    if stderr is None:
        return []
    try:
        size = os.fstat(stderr.fileno()).st_size
        tail = os.pread(stderr.fileno(), 8192, max(0, size - 8192)).decode("utf-8", "replace")
    except (OSError, ValueError):
        return []
    found = [line.rstrip() for line in tail.splitlines() if line.strip()]
    return found[-lines:]


def _leaves(exc: BaseException) -> list[BaseException]:
    if _is_group(exc):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _is_group(exc: BaseException) -> TypeIs[BaseExceptionGroup[BaseException]]:
    return isinstance(exc, BaseExceptionGroup)


def _transport(config: ServerConfig, config_dir: Path | None, stderr: TextIO | None) -> Transport:
    if isinstance(config, StdioServerConfig):
        parameters = tethered(config.parameters(config_dir))
        return stdio_client(parameters, errlog=stderr) if stderr else stdio_client(parameters)
    if config.transport == "sse":
        return sse_client(config.url, headers=dict(config.headers) or None)
    return _streamable_http(config)


@asynccontextmanager
async def _streamable_http(config: RemoteServerConfig) -> AsyncGenerator[TransportStreams, None]:
    async with (
        create_mcp_http_client(headers=dict(config.headers) or None) as http,
        streamable_http_client(config.url, http_client=http) as streams,
    ):
        yield streams


@asynccontextmanager
async def _watched(
    inner: Transport, on_eof: Callable[[], None], tap: Tap | None
) -> AsyncGenerator[TransportStreams, None]:
    """`inner`'s streams, calling `on_eof` when the server's side ends and `tap` on each message."""
    async with inner as (read, write):
        send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        if tap is not None:
            tap.opened()

        async def pump() -> None:
            try:
                async with send:
                    async for item in read:
                        if tap is not None and isinstance(item, SessionMessage):
                            tap("in", item.message)
                        await send.send(item)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass
            on_eof()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pump)
            try:
                yield receive, (write if tap is None else _TappedWrite(write, tap))
            finally:
                tasks.cancel_scope.cancel()
                receive.close()
                if tap is not None:
                    tap.ended()


class _TappedWrite:
    """The client's side of the write stream (a `WriteStream`): records each message, then sends it on."""

    def __init__(self, inner: WriteStream[SessionMessage], tap: Tap) -> None:
        self._inner = inner
        self._tap = tap

    async def send(self, item: SessionMessage, /) -> None:
        self._tap("out", item.message)
        await self._inner.send(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        await self.aclose()
        return None
