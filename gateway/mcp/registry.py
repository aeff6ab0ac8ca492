"""The tool registry: one live MCP client per configured server, tools by name, calls.

Reads like the SDK's ToolManager (a dict by name; resolve, list, call) with per-server
lifetimes like its ClientSessionGroup: each server has a supervisor task that owns its
`mcp.Client` (anyio contexts are exited by the task that entered them). The supervisor
connects, lists tools (following `next_cursor`), re-lists on tools/list_changed (a
notification in the handshake era, a `subscriptions/listen` event in 2026-07-28), and when
the server fails to start or its connection dies, marks it down with a reason and reconnects
with exponential backoff. Calls from any task share the one session.

A result whose structuredContent breaks the tool's outputSchema is refused by the SDK, which
discards it; the registry reports that as a `ToolCallError` naming the tool and the mismatch.
A result with `isError: true` is returned, not raised.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import anyio
from mcp import Client
from mcp.client.session import IncomingMessage
from mcp.client.subscriptions import ListenNotSupportedError
from mcp.shared.dispatcher import ProgressFnT
from mcp.shared.exceptions import MCPError
from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT, CallToolResult, Tool, ToolListChangedNotification
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from gateway.config import RemoteServerConfig, ServerConfig
from gateway.errors import (
    InvalidArgumentsError,
    ServerUnavailableError,
    ToolCallError,
    ToolTimeoutError,
    UnknownToolError,
)
from gateway.mcp.connection import (
    FATAL_TRANSPORT_ERRORS,
    describe_failure,
    ended,
    last_output,
    open_client,
    stderr_scratch,
)
from gateway.mcp.naming import assign_model_names
from gateway.mcp.tools import ServerState, ServerStatus, ToolInfo
from gateway.mcp.validation import validate_arguments
from gateway.redact import Redactor, url_secrets

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
"""Receives (progress, total, message) for each progress notification of a call."""

_MAX_PAGES = 1000  # a paginator that never ends must not hang discovery
_CALL_GRACE = 5.0  # the SDK times calls out; this bound only catches a wedged transport
_RESTART_ATTEMPTS = 3  # a server that was up is "restarting" for this many failed attempts, then "down"


@dataclass(eq=False)
class _Server:
    """One configured server and what the registry knows about it right now."""

    name: str
    config: ServerConfig
    state: ServerState = "connecting"
    error: str | None = None
    protocol_version: str | None = None
    listed: list[Tool] = field(default_factory=list)
    client: Client | None = None
    lost_reason: str | None = None
    lost: anyio.Event | None = None
    refresh: anyio.Event | None = None
    settled: anyio.Event | None = None
    ever_up: bool = False
    failures: int = 0
    """Connection attempts that failed since the server was last up."""
    wake: anyio.Event | None = None
    """Set by a call waiting for the server: the supervisor retries now instead of after its backoff."""

    @property
    def transport(self) -> str:
        return self.config.transport


class ToolRegistry:
    """Every configured server's tools, by `server.tool`, model name, or unique bare name."""

    def __init__(
        self,
        servers: Mapping[str, ServerConfig],
        *,
        config_dir: Path | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        connect_timeout: float = 30.0,
        redactor: Redactor | None = None,
    ) -> None:
        self._servers = {name: _Server(name, cfg) for name, cfg in servers.items()}
        # Without the whole config's redactor, the servers' own URLs still name their secrets.
        self._redact = redactor or Redactor(
            secret
            for cfg in servers.values()
            if isinstance(cfg, RemoteServerConfig)
            for secret in url_secrets(cfg.url)
        )
        for server in self._servers.values():
            if not server.config.enabled:
                server.state = "disabled"
        self._config_dir = config_dir
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._connect_timeout = connect_timeout
        self._tools: dict[str, ToolInfo] = {}
        self._by_model: dict[str, ToolInfo] = {}
        self._by_bare: dict[str, list[ToolInfo]] = {}
        self._listeners: list[Callable[[], None]] = []
        self._changed: anyio.Event | None = None
        self._task_group: anyio.abc.TaskGroup | None = None

    # -- lifetime ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect every enabled server; return once each has connected or failed once."""
        if self._task_group is not None:
            raise RuntimeError("the registry is already started")
        self._changed = anyio.Event()
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        enabled = [s for s in self._servers.values() if s.config.enabled]
        for server in enabled:
            server.settled = anyio.Event()
            self._task_group.start_soon(self._supervise, server, name=f"mcp server {server.name}")
        with anyio.move_on_after(self._connect_timeout + 1):
            for server in enabled:
                assert server.settled is not None
                await server.settled.wait()

    async def aclose(self) -> None:
        """Disconnect every server and stop reconnecting."""
        if self._task_group is None:
            return
        task_group, self._task_group = self._task_group, None
        task_group.cancel_scope.cancel()
        await task_group.__aexit__(None, None, None)

    async def __aenter__(self) -> ToolRegistry:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- what is known ------------------------------------------------------------------------

    def tools(self) -> list[ToolInfo]:
        """The tools of servers that are up, in config order, then the server's order."""
        return [t for t in self._tools.values() if self._servers[t.server].state == "up"]

    def servers(self) -> list[ServerStatus]:
        """Every configured server's state, in config order."""
        return [
            ServerStatus(
                name=s.name,
                state=s.state,
                transport=s.transport,
                tool_count=len(s.listed) if s.state == "up" else 0,
                error=s.error,
                protocol_version=s.protocol_version,
            )
            for s in self._servers.values()
        ]

    def resolve(self, name: str) -> ToolInfo:
        """The tool called `server.tool`, `server__tool`, or a bare name unique across servers."""
        name = name.strip()
        found = self._tools.get(name) or self._by_model.get(name)
        if found is not None:
            return found
        same = self._by_bare.get(name, [])
        if len(same) == 1:
            return same[0]
        if same:  # ambiguous: every server's version is a suggestion
            raise UnknownToolError(name, [t.qualified for t in same])
        names = {
            **{t.qualified: t for t in self._tools.values()},
            **{k: v[0] for k, v in self._by_bare.items()},
        }
        close = _suggest(name, list(names))
        raise UnknownToolError(name, list(dict.fromkeys(names[c].qualified for c in close)))

    def get_by_model_name(self, name: str) -> ToolInfo:
        """The tool a model called by its function name."""
        found = self._by_model.get(name)
        if found is None:
            raise UnknownToolError(name, _suggest(name, list(self._by_model)))
        return found

    def on_change(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` whenever tools or server states change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 30.0) -> None:
        """Wait until `predicate()` holds, re-checking after every change; TimeoutError after `timeout`."""
        with anyio.fail_after(timeout):
            while not predicate():
                if self._changed is None:
                    raise RuntimeError("the registry is not started")
                await self._changed.wait()

    async def wait_ready(self, *servers: str, timeout: float = 30.0) -> None:
        """Wait until the named servers (default: every enabled one) are up."""
        names = servers or tuple(s.name for s in self._servers.values() if s.config.enabled)
        try:
            await self.wait_for(lambda: all(self._servers[n].state == "up" for n in names), timeout=timeout)
        except TimeoutError:
            states = ", ".join(f"{n}: {self._servers[n].state} ({self._servers[n].error})" for n in names)
            raise TimeoutError(f"servers not up within {timeout:g} s: {states}") from None

    # -- calls ------------------------------------------------------------------------------

    async def call(
        self,
        tool: ToolInfo | str,
        arguments: Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> CallToolResult:
        """Validate the arguments, call the tool on its server, and return its result.

        A server that is restarting is waited for (at most its `restart_wait` seconds). A read-only
        or idempotent tool whose connection broke during the call is called once more after
        the reconnect; any other such call fails with `may_have_run` set.
        """
        info = tool if isinstance(tool, ToolInfo) else self.resolve(tool)
        server = self._servers.get(info.server)
        if server is None:
            raise UnknownToolError(info.qualified)
        args = dict(arguments or {})
        problems = validate_arguments(info.input_schema, args)
        if problems:
            raise InvalidArgumentsError(info.qualified, problems)
        repeatable = info.read_only or bool(info.annotations and info.annotations.idempotent_hint)
        try:
            return await self._call_once(server, info, args, progress)
        except ServerUnavailableError as exc:
            if not (exc.may_have_run and repeatable):
                raise
            logger.info("calling %s again after its connection broke: %s", info.qualified, exc)
            return await self._call_once(server, info, args, progress)

    async def _call_once(
        self, server: _Server, info: ToolInfo, args: dict[str, Any], progress: ProgressCallback | None
    ) -> CallToolResult:
        client = await self._ready(server)
        if client is None:
            raise ServerUnavailableError(f"{info.qualified} cannot be called: {_down(server)}")
        timeout = server.config.timeout
        callback = _progress_callback(progress) if progress is not None else None
        try:
            with anyio.move_on_after(timeout + _CALL_GRACE):
                return await client.call_tool(
                    info.name, args, read_timeout_seconds=timeout, progress_callback=callback
                )
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                raise _timed_out(info, timeout) from None
            if exc.code == CONNECTION_CLOSED:
                self._lose(server, "the connection closed")
                raise ServerUnavailableError(
                    f"{info.qualified}: the connection to {server.name} closed during the call; "
                    "reconnecting in the background",
                    may_have_run=True,
                ) from None
            # The server answered with an error of its own: it says the tool did not run.
            raise ToolCallError(
                self._redact(f"{info.qualified} failed: {exc.error.message} (MCP error {exc.code})")
            ) from None
        except RuntimeError as exc:
            first = str(exc).split("\n", 1)[0]
            if "structured content" in first or first.startswith("Invalid schema for tool"):  # output schema
                detail = first.split(f"tool {info.name}: ", 1)[-1]
                raise ToolCallError(
                    self._redact(
                        f"{info.qualified} returned structured content that does not match its "
                        f"output schema: {detail}"
                    ),
                    may_have_run=True,
                ) from None
            if server.client is not client:  # the connection ended between the check and the call
                raise ServerUnavailableError(
                    f"{info.qualified}: the connection to {server.name} ended during the call",
                    may_have_run=True,
                ) from None
            raise ToolCallError(
                self._redact(f"{info.qualified} failed: {first}"), may_have_run=True
            ) from None
        except ValidationError as exc:
            raise ToolCallError(
                f"{info.qualified} returned a malformed result: {exc.errors()[0]['msg']}", may_have_run=True
            ) from None
        except FATAL_TRANSPORT_ERRORS as exc:
            self._lose(server, self._redact(f"the connection failed: {exc}"))
            raise ServerUnavailableError(
                f"{info.qualified}: the connection to {server.name} failed during the call",
                may_have_run=True,
            ) from None
        raise _timed_out(info, timeout)  # the SDK's own timeout did not fire: the transport is wedged

    async def _ready(self, server: _Server) -> Client | None:
        """The server's live client, after waiting (bounded) for one that is restarting."""
        if server.state == "up" and server.client is not None:
            return server.client
        if not _restarting(server):
            return None
        if server.wake is not None:
            server.wake.set()
        with anyio.move_on_after(server.config.restart_wait):
            while _restarting(server):
                if server.state == "up" and server.client is not None:
                    return server.client
                changed = self._changed
                if changed is None:
                    return None
                await changed.wait()
        return server.client if server.state == "up" else None

    async def ping(self, timeout: float) -> dict[str, str | None]:
        """Check every server that is up, concurrently: its name → None if it answered, else why not.

        Handshake-era servers get an MCP `ping`; the 2026-07-28 protocol removed it, so those
        are asked for the first page of their tools, the cheapest request every server serves.
        """
        answers: dict[str, str | None] = {}

        async def one(server: _Server, client: Client) -> None:
            answers[server.name] = f"did not answer within {timeout:g} s"
            with anyio.move_on_after(timeout):
                try:
                    if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                        await client.list_tools()
                    else:
                        await client.session.send_ping()
                    answers[server.name] = None
                except Exception as exc:
                    answers[server.name] = self._redact(f"a liveness check failed: {exc}")

        async with anyio.create_task_group() as tasks:
            for server in self._servers.values():
                if server.state == "up" and server.client is not None:
                    tasks.start_soon(one, server, server.client)
        return answers

    # -- supervision ------------------------------------------------------------------------

    async def _supervise(self, server: _Server) -> None:
        delay = self._backoff_initial
        server.wake = anyio.Event()
        while True:
            reason, was_up = await self._connect_once(server)
            reason = self._redact.output(reason)  # it may carry the server's own output or URL
            server.failures = 0 if was_up else server.failures + 1
            if was_up:
                delay = self._backoff_initial
            # Say it once per new reason: a server that stays down must not flood the log.
            level = logging.WARNING if reason != server.error else logging.DEBUG
            logger.log(level, "MCP server %s is down: %s (retrying in %g s)", server.name, reason, delay)
            self._set_state(server, "down", reason)
            if server.settled is not None:
                server.settled.set()
            with anyio.move_on_after(delay):  # a call waiting for this server cuts the backoff short
                await server.wake.wait()
            server.wake = anyio.Event()
            delay = min(delay * 2, self._backoff_max)

    async def _connect_once(self, server: _Server) -> tuple[str, bool]:
        """One connection, from spawn or dial to its end; (why it ended, whether it was up)."""
        server.lost, server.refresh, server.lost_reason = anyio.Event(), anyio.Event(), None
        was_up = False
        with stderr_scratch(server.config) as stderr:
            try:
                with anyio.CancelScope(deadline=anyio.current_time() + self._connect_timeout) as deadline:
                    async with self._client(server, stderr) as client, anyio.create_task_group() as tasks:
                        # Subscribe before listing, so no change between the two is missed.
                        with anyio.move_on_after(server.config.timeout):
                            await tasks.start(self._listener, server, client)
                        await self._list(server, client)
                        deadline.deadline = math.inf
                        server.client, server.protocol_version = client, client.protocol_version
                        was_up = server.ever_up = True
                        server.failures = 0
                        self._set_state(server, "up", None)
                        if server.settled is not None:
                            server.settled.set()
                        tasks.start_soon(self._refresher, server, client)
                        assert server.lost is not None
                        await server.lost.wait()
                        tasks.cancel_scope.cancel()
                if deadline.cancelled_caught:
                    return f"no answer to the MCP handshake within {self._connect_timeout:g} s", was_up
                return (server.lost_reason or "the connection ended") + last_output(stderr), was_up
            except Exception as exc:
                return describe_failure(server.config, exc, was_up) + last_output(stderr), was_up
            except BaseExceptionGroup as group:  # a failure while being cancelled: report the failure
                _cancelled, failures = group.split(anyio.get_cancelled_exc_class())
                if failures is None:
                    raise
                return describe_failure(server.config, failures, was_up) + last_output(stderr), was_up
            finally:
                server.client = None

    def _client(self, server: _Server, stderr: TextIO | None) -> Client:
        async def on_message(message: IncomingMessage) -> None:
            if isinstance(message, ToolListChangedNotification) and server.refresh is not None:
                server.refresh.set()
            elif isinstance(message, FATAL_TRANSPORT_ERRORS):
                self._lose(server, f"the connection failed: {message}")
            elif isinstance(message, Exception):
                logger.warning("MCP server %s: transport error: %s", server.name, self._redact(str(message)))

        return open_client(
            server.config,
            config_dir=self._config_dir,
            stderr=stderr,
            on_eof=lambda: self._lose(server, ended(server.config)),
            on_message=on_message,
        )

    async def _list(self, server: _Server, client: Client) -> None:
        tools: list[Tool] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            page = await client.list_tools(cursor=cursor)
            tools += page.tools
            cursor = page.next_cursor
            if not cursor or cursor in seen:
                break
            seen.add(cursor)
        allowed = server.config.tools
        unique = {t.name: t for t in reversed(tools)}  # the first listing of a name wins
        server.listed = [unique[t.name] for t in tools if allowed.allows(t.name) and unique[t.name] is t]
        self._rebuild()

    async def _refresher(self, server: _Server, client: Client) -> None:
        while True:
            assert server.refresh is not None
            await server.refresh.wait()
            server.refresh = anyio.Event()
            try:
                with anyio.fail_after(server.config.timeout):
                    await self._list(server, client)
            except Exception as exc:
                logger.warning(
                    "MCP server %s: re-listing tools failed: %s", server.name, self._redact(str(exc))
                )

    async def _listener(
        self,
        server: _Server,
        client: Client,
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        """2026-07-28 servers announce list changes on a `subscriptions/listen` stream."""
        started = False

        def ready() -> None:
            nonlocal started
            if not started:
                started = True
                task_status.started()

        while True:
            try:
                async with client.listen(tools_list_changed=True) as subscription:
                    ready()
                    async for _event in subscription:
                        if server.refresh is not None:
                            server.refresh.set()
            except ListenNotSupportedError:
                ready()
                return  # handshake era: the notification reaches on_message instead
            except MCPError as exc:
                if exc.code != CONNECTION_CLOSED:
                    logger.info("MCP server %s does not offer subscriptions/listen: %s", server.name, exc)
                ready()
                return
            except Exception as exc:  # the stream dropped: listen again (a dead connection ends this task)
                logger.info("MCP server %s: listen stream ended: %s", server.name, exc)
            ready()
            await anyio.sleep(self._backoff_initial)

    def _lose(self, server: _Server, reason: str) -> None:
        """End the current connection: down at once (no call may use it), reconnected by the supervisor."""
        if server.lost is not None and not server.lost.is_set():
            server.lost_reason = reason
            server.lost.set()
            if server.state == "up":
                self._set_state(server, "down", reason)

    def _set_state(self, server: _Server, state: ServerState, error: str | None) -> None:
        server.state, server.error = state, self._redact.output(error) if error else None
        self._notify()

    def _rebuild(self) -> None:
        servers = list(self._servers.values())
        names = assign_model_names((s.name, t.name) for s in servers for t in s.listed)
        self._tools = {
            f"{s.name}.{t.name}": ToolInfo.from_tool(s.name, t, names[(s.name, t.name)])
            for s in servers
            for t in s.listed
        }
        self._by_model = {t.model_name: t for t in self._tools.values()}
        self._by_bare = {}
        for info in self._tools.values():
            self._by_bare.setdefault(info.name, []).append(info)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = anyio.Event()
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                logger.exception("a registry listener failed")


def _suggest(name: str, candidates: list[str]) -> list[str]:
    """Close matches, best first; only those nearly as close as the best (a typo has one answer)."""
    scored = [(difflib.SequenceMatcher(None, name, c).ratio(), c) for c in candidates]
    best = max((score for score, _ in scored), default=0.0)
    close = sorted((item for item in scored if item[0] >= max(0.6, best - 0.1)), key=lambda item: -item[0])
    return [candidate for _, candidate in close[:3]]


def _progress_callback(report: ProgressCallback) -> ProgressFnT:
    async def callback(progress: float, total: float | None, message: str | None) -> None:
        await report(progress, total, message)

    return callback


def _timed_out(tool: ToolInfo, timeout: float) -> ToolTimeoutError:
    return ToolTimeoutError(
        f"{tool.qualified} did not answer within {timeout:g} s; the call was cancelled", may_have_run=True
    )


def _restarting(server: _Server) -> bool:
    """Worth waiting for: connecting for the first time, or lately up and being reconnected."""
    if not server.config.enabled:
        return False
    return server.state == "connecting" or (server.ever_up and server.failures < _RESTART_ATTEMPTS)


def _down(server: _Server) -> str:
    if server.state == "disabled":
        return f"server {server.name} is disabled in the configuration"
    if server.state == "connecting" or server.error is None:
        return f"server {server.name} is still connecting"
    return f"server {server.name} is down: {server.error}"
