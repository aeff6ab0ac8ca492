"""One configured MCP server's connection over its lifetime: the supervisor.

Like the SDK's ClientSessionGroup, each server has its own lifetime: a supervisor task owns
its `mcp.Client` (anyio contexts are exited by the task that entered them). It connects,
lists tools and prompts and re-lists them when the server says they changed (a notification
in the handshake era, a `subscriptions/listen` event in 2026-07-28: `gateway.mcp.discovery`),
keeps what the handshake said for the inspector, and when the server fails to start or its
connection dies, marks it down with a reason and reconnects with exponential backoff. A call that waits for a restarting server cuts the backoff short (`ready()`).
Everything it reports passes the redactor first.
"""

from __future__ import annotations

import logging
import math
import shlex
from collections.abc import Callable, Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
from mcp import Client
from mcp.client.session import IncomingMessage
from mcp.types import (
    Prompt,
    PromptListChangedNotification,
    ResourceUpdatedNotification,
    Tool,
    ToolListChangedNotification,
)

from gateway.config import ServerConfig, StdioServerConfig
from gateway.mcp.channel import Channels
from gateway.mcp.client_side import ClientSide, Sampler
from gateway.mcp.connection import (
    FATAL_TRANSPORT_ERRORS,
    describe_failure,
    ended,
    last_output,
    open_client,
    output_tail,
    stderr_scratch,
)
from gateway.mcp.discovery import list_prompts, list_tools, listen_for_changes
from gateway.mcp.traffic import Tap
from gateway.redact import Redactor
from gateway.vocabulary.tools import ServerDetails, ServerState, ServerStatus

logger = logging.getLogger(__name__)


def _clip(line: str, limit: int) -> str:
    """`line` cut to `limit` characters, saying so."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


_RESTART_ATTEMPTS = 3  # a server that was up is "restarting" for this many failed attempts, then "down"


class ServerSupervisor:
    """Keeps one server connected; `state`, `error`, `listed` and `client` are what it knows now."""

    def __init__(
        self,
        name: str,
        config: ServerConfig,
        *,
        config_dir: Path | None,
        redactor: Redactor,
        on_change: Callable[[bool], None],
        backoff_initial: float,
        backoff_max: float,
        connect_timeout: float,
        tap: Tap | None = None,
        channels: Channels | None = None,
        sampler: Callable[[], Sampler | None] = lambda: None,
        on_resource_updated: Callable[[str, str], None] = lambda _server, _uri: None,
    ) -> None:
        """`on_change(tools_changed)` is called after every change of state or of the tool list;
        `tap` records every message of each connection."""
        self.name = name
        self.config = config
        self.state: ServerState = "connecting" if config.enabled else "disabled"
        self.error: str | None = None
        """Why the server is down, in a sentence (redacted)."""
        self.protocol_version: str | None = None
        self.listed: list[Tool] = []
        self.prompts: list[Prompt] = []
        """The server's prompts, as last listed (re-listed when it says they changed)."""
        """The tools the server lists that the config's filter allows, first listing of a name winning."""
        self.client: Client | None = None
        """The live client while the server is up."""
        self.server_info: dict[str, Any] | None = None
        """What the server said of itself in the handshake (name, version, ...), as JSON."""
        self.capabilities: dict[str, Any] | None = None
        """The capabilities the server declared in the handshake, as JSON."""
        self.instructions: str | None = None
        """The server's instructions from the handshake, if it gave any."""
        self._tap = tap
        self._on_resource_updated = on_resource_updated
        self._answers = (
            ClientSide(name, lambda: self.config, channels, sampler, lambda: self._redact)
            if channels
            else None
        )
        self._stderr: TextIO | None = None
        self._output: list[str] = []
        self._config_dir = config_dir
        self._redact = redactor
        self._on_change = on_change
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._connect_timeout = connect_timeout
        self._ever_up = False
        self._failures = 0  # connection attempts that failed since the server was last up
        # Created by run(): anyio events belong to the event loop that runs the supervisor.
        self._settled: anyio.Event | None = None
        self._changed: anyio.Event | None = None
        self._wake: anyio.Event | None = None
        self._lost: anyio.Event | None = None
        self._lost_reason: str | None = None
        self._refresh: anyio.Event | None = None
        self._scope: anyio.CancelScope | None = None
        self._stopped: anyio.Event | None = None
        self._in_flight = 0
        self._idle: anyio.Event | None = None

    @property
    def transport(self) -> str:
        """stdio, streamable-http or sse."""
        return self.config.transport

    def status(self) -> ServerStatus:
        """The server's health as of now."""
        return ServerStatus(
            name=self.name,
            state=self.state,
            transport=self.transport,
            tool_count=len(self.listed) if self.state == "up" else 0,
            error=self.error,
            protocol_version=self.protocol_version,
        )

    def details(self) -> ServerDetails:
        """The status and what the last handshake and the server's output said, for the inspector."""
        config = self.config
        if isinstance(config, StdioServerConfig):
            # Each word masked before quoting: quotes added around a secret would hide it from the mask.
            endpoint = shlex.join(self._redact.output(word) for word in [config.command, *config.args])
        else:
            endpoint = self._redact(config.url)  # credentials, query values and known secrets
        return ServerDetails(
            status=self.status(),
            endpoint=endpoint,
            server_info=self.server_info,
            capabilities=self.capabilities,
            instructions=self.instructions,
            recent_output=self.recent_output(),
        )

    def recent_output(self) -> list[str]:
        """A stdio server's last lines on stderr: of the running process, else of the last one (redacted)."""
        lines = output_tail(self._stderr) if self._stderr is not None else self._output
        return [_clip(self._redact.output(line), 500) for line in lines]  # masked, then cut

    @property
    def restarting(self) -> bool:
        """Worth waiting for: connecting for the first time, or lately up and being reconnected."""
        if not self.config.enabled:
            return False
        return self.state == "connecting" or (self._ever_up and self._failures < _RESTART_ATTEMPTS)

    def unavailable(self) -> str:
        """Why the server cannot take a call now, in words."""
        if self.state == "disabled":
            return f"server {self.name} is disabled in the configuration"
        if self.state == "connecting" or self.error is None:
            return f"server {self.name} is still connecting"
        return f"server {self.name} is down: {self.error}"

    async def settled(self) -> None:
        """Return once the first connection attempt has succeeded or failed."""
        if self._settled is not None:
            await self._settled.wait()

    async def ready(self) -> Client | None:
        """The live client, after waiting (at most `restart_wait`) for a server that is restarting."""
        if self.state == "up" and self.client is not None:
            return self.client
        if not self.restarting:
            return None
        if self._wake is not None:
            self._wake.set()
        with anyio.move_on_after(self.config.restart_wait):
            while self.restarting:
                if self.state == "up" and self.client is not None:
                    return self.client
                changed = self._changed
                if changed is None:
                    return None
                await changed.wait()
        return self.client if self.state == "up" else None

    @contextmanager
    def in_call(self) -> Generator[None, None, None]:
        """Count a call in flight for the time of the block: `stop()` lets such calls finish."""
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0 and self._idle is not None:
                self._idle.set()

    async def stop(self, grace: float = 0.0) -> None:
        """End the connection for good, once the calls in flight have finished (at most `grace` s).

        A configuration reload stops a removed or changed server this way; its replacement
        takes new calls meanwhile, so nothing waits on the one going away.
        """
        if self._in_flight:
            self._idle = anyio.Event()
            with anyio.move_on_after(grace):
                await self._idle.wait()
            if self._in_flight:
                logger.warning(
                    "MCP server %s: stopping with %d calls still in flight after %g s",
                    self.name, self._in_flight, grace,
                )  # fmt: skip
        if self._scope is None or self._stopped is None:  # never started (disabled)
            return
        self._scope.cancel()
        await self._stopped.wait()

    def lose(self, reason: str) -> None:
        """End the current connection: down at once (no call may use it), then reconnected."""
        if self._lost is not None and not self._lost.is_set():
            self._lost_reason = reason
            self._lost.set()
            if self.state == "up":
                self._set_state("down", reason)

    # -- the supervisor task ----------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Connect, and reconnect with backoff whenever the connection ends; runs until cancelled.

        Started with `TaskGroup.start`, it reports started once `settled()` can be awaited.
        """
        self._settled, self._changed, self._wake = anyio.Event(), anyio.Event(), anyio.Event()
        stopped = self._stopped = anyio.Event()
        try:
            with anyio.CancelScope() as self._scope:
                task_status.started()
                await self._reconnect_forever()
        finally:
            stopped.set()

    async def _reconnect_forever(self) -> None:
        assert self._settled is not None and self._wake is not None
        delay = self._backoff_initial
        while True:
            reason, was_up = await self._connect_once()
            reason = self._redact.output(reason)  # it may carry the server's own output or URL
            self._failures = 0 if was_up else self._failures + 1
            if was_up:
                delay = self._backoff_initial
            # Say it once per new reason: a server that stays down must not flood the log.
            level = logging.WARNING if reason != self.error else logging.DEBUG
            logger.log(level, "MCP server %s is down: %s (retrying in %g s)", self.name, reason, delay)
            self._set_state("down", reason)
            self._settled.set()
            with anyio.move_on_after(delay):  # a call waiting for this server cuts the backoff short
                await self._wake.wait()
            self._wake = anyio.Event()
            delay = min(delay * 2, self._backoff_max)

    async def _connect_once(self) -> tuple[str, bool]:
        """One connection, from spawn or dial to its end; (why it ended, whether it was up)."""
        self._lost, self._refresh, self._lost_reason = anyio.Event(), anyio.Event(), None
        was_up = False
        with stderr_scratch(self.config) as stderr:
            self._stderr = stderr
            try:
                with anyio.CancelScope(deadline=anyio.current_time() + self._connect_timeout) as deadline:
                    async with self._client(stderr) as client, anyio.create_task_group() as tasks:
                        # Subscribe before listing, so no change between the two is missed.
                        with anyio.move_on_after(self.config.timeout):
                            await tasks.start(
                                listen_for_changes, client, self.name, self._relist, self._backoff_initial
                            )
                        await self._list(client)
                        deadline.deadline = math.inf
                        self.client, self.protocol_version = client, client.protocol_version
                        self._handshake(client)
                        if self._answers is not None:
                            await self._answers.connected(client)
                        if self._ever_up:  # its going down was logged: say that it is back
                            logger.info("MCP server %s is up again, %d tools", self.name, len(self.listed))
                        was_up = self._ever_up = True
                        self._failures = 0
                        self._set_state("up", None)
                        if self._settled is not None:
                            self._settled.set()
                        tasks.start_soon(self._refresher, client)
                        await self._lost.wait()
                        tasks.cancel_scope.cancel()
                if deadline.cancelled_caught:
                    return f"no answer to the MCP handshake within {self._connect_timeout:g} s", was_up
                return (self._lost_reason or "the connection ended") + last_output(
                    stderr, self._redact.output
                ), was_up
            except Exception as exc:
                return describe_failure(self.config, exc, was_up) + last_output(
                    stderr, self._redact.output
                ), was_up
            except BaseExceptionGroup as group:  # a failure while being cancelled: report the failure
                _cancelled, failures = group.split(anyio.get_cancelled_exc_class())
                if failures is None:
                    raise
                return describe_failure(self.config, failures, was_up) + last_output(
                    stderr, self._redact.output
                ), was_up
            finally:
                self.client = None
                self._output, self._stderr = output_tail(stderr), None

    def _handshake(self, client: Client) -> None:
        """Keep what the server said of itself, for the inspector."""
        info = client.server_info
        dumped = info.model_dump(by_alias=True, mode="json", exclude_none=True) if info else None
        self.server_info = self._redact.value(dumped)
        caps = client.server_capabilities
        self.capabilities = self._redact.value(caps.model_dump(by_alias=True, mode="json", exclude_none=True))
        self.instructions = self._redact.output(client.instructions) if client.instructions else None

    async def roots_changed(self) -> None:
        """Tell the connected server its roots changed."""
        if self._answers is not None and self.client is not None:
            await self._answers.roots_changed(self.client)

    def _client(self, stderr: TextIO | None) -> Client:
        async def on_message(message: IncomingMessage) -> None:
            listing = isinstance(message, ToolListChangedNotification | PromptListChangedNotification)
            if listing and self._refresh is not None:
                self._refresh.set()
            elif isinstance(message, ResourceUpdatedNotification):  # a subscription (handshake era)
                self._on_resource_updated(self.name, str(message.params.uri))
            elif isinstance(message, FATAL_TRANSPORT_ERRORS):
                self.lose(f"the connection failed: {message}")
            elif isinstance(message, Exception):
                logger.warning("MCP server %s: transport error: %s", self.name, self._redact(str(message)))

        return open_client(
            self.config,
            config_dir=self._config_dir,
            stderr=stderr,
            on_eof=lambda: self.lose(ended(self.config)),
            on_message=on_message,
            tap=self._tap,
            answers=self._answers,
        )

    async def _list(self, client: Client) -> None:
        self.listed = await list_tools(client, self.config.tools)
        try:
            self.prompts = await list_prompts(client)
        except Exception as exc:  # prompts are an extra: a server that fails them still serves its tools
            logger.warning("MCP server %s: listing prompts failed: %s", self.name, self._redact(str(exc)))
            self.prompts = []
        self._changes(tools_changed=True)

    async def _refresher(self, client: Client) -> None:
        while True:
            assert self._refresh is not None
            await self._refresh.wait()
            self._refresh = anyio.Event()
            try:
                with anyio.fail_after(self.config.timeout):
                    await self._list(client)
            except Exception as exc:
                logger.warning(
                    "MCP server %s: re-listing tools failed: %s", self.name, self._redact(str(exc))
                )

    def _relist(self) -> None:
        if self._refresh is not None:
            self._refresh.set()

    def _set_state(self, state: ServerState, error: str | None) -> None:
        self.state, self.error = state, self._redact.output(error) if error else None
        self._changes(tools_changed=False)

    def _changes(self, *, tools_changed: bool) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = anyio.Event()
        self._on_change(tools_changed)
