"""The tool registry: every configured server's tools by name, and calls to them.

Reads like the SDK's ToolManager: a dict by name; resolve, list, call. Each server's
connection is its `ServerSupervisor`'s (gateway.mcp.supervisor); the registry starts them
(and, on a config reload, starts, stops and replaces them: `reconfigure`), rebuilds the name
index (gateway.mcp.naming.ToolIndex) when a tool list changes, and turns a call's failures
into the gateway's errors, saying whether the tool may have run (gateway.mcp.call_errors).
A name that finds no tool is explained by the servers that are not running
(gateway.mcp.server_down). Calls from any task share a server's session.

A result whose structuredContent breaks the tool's outputSchema is refused by the SDK, which
discards it; the registry reports that as an `OutputSchemaError` naming the tool and the
mismatch. A result with `isError: true` is returned, not raised.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
from mcp import Client
from mcp.shared.dispatcher import ProgressFnT
from mcp.types import CallToolResult, Prompt

from gateway.config import ServerConfig
from gateway.errors import InvalidArgumentsError, ServerUnavailableError, UnknownToolError
from gateway.mcp.call_errors import CALL_FAILURES, call_error, timed_out
from gateway.mcp.channel import CallChannel, Channels
from gateway.mcp.client_side import Sampler
from gateway.mcp.liveness import ping_servers
from gateway.mcp.naming import ToolIndex
from gateway.mcp.server_down import not_running
from gateway.mcp.supervisor import ServerSupervisor
from gateway.mcp.tasks import call_as_task, runs_as_task
from gateway.mcp.traffic import TrafficLog
from gateway.mcp.validation import validate_arguments
from gateway.redact import Redactor
from gateway.vocabulary.tools import CheckedArguments, ServerDetails, ServerStatus, ToolInfo

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
"""Receives (progress, total, message) for each progress notification of a call."""


@dataclass(frozen=True)
class ServerChanges:
    """What a reconfiguration did, by server name."""

    added: list[str] = field(default_factory=list[str])
    removed: list[str] = field(default_factory=list[str])
    restarted: list[str] = field(default_factory=list[str])


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
        # The default still masks every URL's credentials and query values wherever one appears.
        self._redact = redactor or Redactor()
        self._config_dir = config_dir
        self._backoff = (backoff_initial, backoff_max)
        self._connect_timeout = connect_timeout
        self.traffic = TrafficLog(redactor=self._redact)
        """Every server's recent MCP messages (the inspector reads them)."""
        self.channels = Channels()
        """The calls in flight that a server's questions and log lines go to."""
        self.resource_updated: Callable[[str, str], None] = lambda _server, _uri: None
        """Hears `notifications/resources/updated` (server, uri) of handshake-era subscriptions."""
        self.sampler: Sampler | None = None
        """What answers servers' sampling requests (the configured model), if anything."""
        self._servers = {name: self._supervisor(name, cfg) for name, cfg in servers.items()}
        self._index = ToolIndex(())
        self._listeners: list[Callable[[], None]] = []
        self._changed: anyio.Event | None = None
        self._task_group: anyio.abc.TaskGroup | None = None

    def _supervisor(self, name: str, config: ServerConfig) -> ServerSupervisor:
        return ServerSupervisor(
            name,
            config,
            config_dir=self._config_dir,
            redactor=self._redact,
            on_change=self._server_changed,
            backoff_initial=self._backoff[0],
            backoff_max=self._backoff[1],
            connect_timeout=self._connect_timeout,
            tap=self.traffic.tap(name),
            channels=self.channels,
            sampler=lambda: self.sampler,
            on_resource_updated=lambda server, uri: self.resource_updated(server, uri),
        )

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
            await self._task_group.start(server.run, name=f"mcp server {server.name}")
        with anyio.move_on_after(self._connect_timeout + 1):
            for server in enabled:
                await server.settled()

    async def aclose(self) -> None:
        """Disconnect every server and stop reconnecting."""
        if self._task_group is None:
            return
        task_group, self._task_group = self._task_group, None
        task_group.cancel_scope.cancel()
        await task_group.__aexit__(None, None, None)

    async def reconfigure(
        self, servers: Mapping[str, ServerConfig], *, redactor: Redactor | None = None
    ) -> ServerChanges:
        """Take a new set of server configurations while running.

        Added servers are started, removed ones stopped, and changed ones (any setting differs)
        replaced by a fresh connection; unchanged servers and their calls are not touched. A
        replaced or removed server is stopped in the background once its calls in flight have
        finished (at most its `timeout`), while new calls already go to its replacement.
        Returns once every new connection has connected or failed once.
        """
        if self._task_group is None:
            raise RuntimeError("the registry is not started")
        if redactor is not None:
            self._redact = redactor
            self.traffic.use_redactor(redactor)
        old = self._servers
        rooted = [n for n in servers if n in old and old[n].config.same_but_roots(servers[n])]
        changes = ServerChanges(
            added=[n for n in servers if n not in old],
            removed=[n for n in old if n not in servers],
            restarted=[n for n in servers if n in old and old[n].config != servers[n] and n not in rooted],
        )
        for name in rooted:  # new roots only: the running server is told, not restarted
            old[name].config = servers[name]
            self._task_group.start_soon(old[name].roots_changed, name=f"roots of {name}")
        fresh = {*changes.added, *changes.restarted}
        self._servers = {n: self._supervisor(n, cfg) if n in fresh else old[n] for n, cfg in servers.items()}
        for name in changes.removed:
            self.traffic.forget(name)
        for name in [*changes.removed, *changes.restarted]:
            retired = old[name]
            self._task_group.start_soon(retired.stop, retired.config.timeout, name=f"stop mcp server {name}")
        started = [self._servers[n] for n in fresh if self._servers[n].config.enabled]
        for server in started:
            await self._task_group.start(server.run, name=f"mcp server {server.name}")
        self._rebuild()
        self._notify()
        with anyio.move_on_after(self._connect_timeout + 1):
            for server in started:
                await server.settled()
        return changes

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
        return [t for t in self._index.tools() if self._servers[t.server].state == "up"]

    def tools_of(self, server: str) -> list[ToolInfo]:
        """The tools of one server, if it is up, in its order."""
        supervisor = self._servers.get(server)
        return self._index.tools_of(server) if supervisor is not None and supervisor.state == "up" else []

    def servers(self) -> list[ServerStatus]:
        """Every configured server's state, in config order."""
        return [s.status() for s in self._servers.values()]

    def prompts(self) -> dict[str, list[Prompt]]:
        """The prompts of servers that are up, as last listed, in config order (none: left out)."""
        return {n: s.prompts for n, s in self._servers.items() if s.state == "up" and s.prompts}

    def details(self) -> list[ServerDetails]:
        """Every configured server's status, handshake and recent output, in config order."""
        return [s.details() for s in self._servers.values()]

    def resolve(self, name: str, server: str | None = None) -> ToolInfo:
        """The tool called `server.tool`, `server__tool`, or a bare name unique across servers
        (or exactly `name` on `server`); when it is not found, the error says which servers are
        not running (`ServerDownError` when the name's own server is one)."""
        try:
            return self._index.resolve(name, server)
        except UnknownToolError as exc:
            raise not_running(exc, name, server, self.servers()) from None

    def get_by_model_name(self, name: str) -> ToolInfo:
        """The tool a model called by its function name."""
        return self._index.by_model_name(name)

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
        arguments: CheckedArguments | Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
        channel: CallChannel | None = None,
    ) -> CallToolResult:
        """Validate the arguments (unless they are `CheckedArguments` for this tool), call the
        tool on its server, and return its result.

        A server that is restarting is waited for (at most its `restart_wait` seconds). A read-only
        or idempotent tool whose connection broke during the call is called once more after
        the reconnect; any other such call fails with `may_have_run` set. The server's questions
        and log lines during the call go to `channel` (none: questions are refused).
        """
        info = tool if isinstance(tool, ToolInfo) else self.resolve(tool)
        server = self._servers.get(info.server)
        if server is None:
            raise UnknownToolError(info.qualified)
        if isinstance(arguments, CheckedArguments) and arguments.tool == info.qualified:
            args = arguments.values  # checked once already, on the way here
        else:
            args = dict(arguments.values if isinstance(arguments, CheckedArguments) else arguments or {})
            problems = validate_arguments(info.input_schema, args)
            if problems:
                raise InvalidArgumentsError(info.qualified, problems)
        repeatable = info.read_only or bool(info.annotations and info.annotations.idempotent_hint)
        with server.in_call():  # a reload that replaces this server lets the call finish first
            try:
                return await self._call_once(server, info, args, progress, channel)
            except ServerUnavailableError as exc:
                if not (exc.may_have_run and repeatable):
                    raise
                logger.info("calling %s again after its connection broke: %s", info.qualified, exc)
                return await self._call_once(server, info, args, progress, channel)

    async def _call_once(
        self,
        server: ServerSupervisor,
        info: ToolInfo,
        args: dict[str, Any],
        progress: ProgressCallback | None,
        channel: CallChannel | None,
    ) -> CallToolResult:
        client = await server.ready()
        if client is None:
            raise ServerUnavailableError(f"{info.qualified} cannot be called: {server.unavailable()}")
        timeout = server.config.timeout
        callback = _progress_callback(progress) if progress is not None else None
        channel = channel or CallChannel(server.name)
        try:
            # The deadline is ours, not the SDK's: a question to the person moves it on.
            with anyio.CancelScope(deadline=anyio.current_time() + timeout) as channel.scope:
                with self.channels.opened(channel):
                    if runs_as_task(client, info.task_support):
                        return await call_as_task(
                            client, server.name, info.name, args, report=channel.on_task
                        )
                    return await client.call_tool(info.name, args, progress_callback=callback)
        except CALL_FAILURES as exc:
            failure = call_error(
                exc, tool=info, server=server, client=client, timeout=timeout, redact=self._redact
            )
            raise failure from None
        raise timed_out(info, timeout)  # cancelled on the server by the SDK as the scope ended

    def ask_timeout(self, server: str) -> float:
        """Seconds a question from `server` waits for the person (its `ask_timeout`)."""
        supervisor = self._servers.get(server)
        return supervisor.config.ask_timeout if supervisor is not None else 600.0

    async def client_for(self, server: str) -> Client:
        """The live client of `server` (waiting for one that is restarting), for requests other
        than tool calls: prompts, resources, completions."""
        supervisor = self._servers.get(server)
        if supervisor is None:
            raise ServerUnavailableError(f"there is no server named {server!r}")
        client = await supervisor.ready()
        if client is None:
            raise ServerUnavailableError(supervisor.unavailable())
        return client

    def redact(self, text: str) -> str:
        """`text` with the configuration's secrets masked (for messages from servers)."""
        return self._redact(text)

    async def ping(self, timeout: float) -> dict[str, str | None]:
        """Check every server that is up, concurrently: its name → None if it answered, else why not."""
        return await ping_servers(self._servers.values(), timeout, self._redact)

    # -- changes ----------------------------------------------------------------------------

    def _server_changed(self, tools_changed: bool) -> None:
        if tools_changed:
            self._rebuild()
        self._notify()

    def _rebuild(self) -> None:
        self._index = ToolIndex((s.name, s.listed) for s in self._servers.values())

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = anyio.Event()
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                logger.exception("a registry listener failed")


def _progress_callback(report: ProgressCallback) -> ProgressFnT:
    async def callback(progress: float, total: float | None, message: str | None) -> None:
        await report(progress, total, message)

    return callback
