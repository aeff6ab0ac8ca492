"""Which MCP servers a command-line run starts, and how long it waits for them.

`gateway call` starts only the server its tool is on: `server.tool` (or `server."tool"`) names
a configured server, and nothing else is needed. The same rule `gateway.mcp.server_down` uses
to explain a missing tool: a name that begins with a configured server's name and a dot is that
server's tool; a tool whose own name begins so is called as `other."server.tool"`. A bare name
(or a model name, or a server that is not configured) needs every server: they all start at
once, and the name is resolved as soon as every enabled server has answered or failed, or has
had its answer bound (`ANSWER_WAIT_S`, or its `timeout` if smaller) without answering; such a
server counts as still starting, as in `tools`. A bare name is never resolved while a server
that might also have it is within its bound: which tool runs must not depend on which server
was quicker (a name on two servers is refused as ambiguous, as before).

`gateway tools` reports each server as it answers, and a server that has not answered within
its bound as not answering, then stops waiting.

The registry runs in a task of its own (`running`): `ToolRegistry.start()` returns only once
every server has connected or failed, and a command must not wait for one it does not need.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import anyio

from gateway.config import GatewayConfig, ServerConfig
from gateway.mcp.registry import ToolRegistry
from gateway.vocabulary.names import TypedName
from gateway.vocabulary.tools import ServerStatus, ToolInfo

ANSWER_WAIT_S = 10.0
"""How long `tools` waits for a server to answer (default of `--timeout`), and `call` for each
server before it resolves a bare name without it."""


def needed_for(typed: TypedName, servers: Mapping[str, ServerConfig]) -> dict[str, ServerConfig]:
    """The configured servers a call of `typed` needs: the one it names, else all of them."""
    server = typed.server if typed.server is not None else _named_server(typed.name.strip(), servers)
    if server is not None and server in servers:
        return {server: servers[server]}
    return dict(servers)


def _named_server(name: str, servers: Mapping[str, ServerConfig]) -> str | None:
    """The configured server `server.tool` begins with (the longest such name), if any."""
    named = [s for s in servers if name.startswith(f"{s}.") and len(name) > len(s) + 1]
    return max(named, key=len) if named else None


def bounds(servers: Mapping[str, ServerConfig], timeout: float) -> dict[str, float]:
    """Each server's answer bound: `timeout`, or the server's own `timeout` if smaller."""
    return {name: min(timeout, server.timeout) for name, server in servers.items()}


@asynccontextmanager
async def running(
    servers: Mapping[str, ServerConfig], config: GatewayConfig, *, connect_timeout: float = 30.0
) -> AsyncGenerator[ToolRegistry]:
    """A registry of `servers`, starting (not yet started) as the block begins; stopped after it."""
    registry = ToolRegistry(
        servers, config_dir=config.config_dir, redactor=config.redactor(), connect_timeout=connect_timeout
    )
    group = anyio.create_task_group()
    await group.__aenter__()
    try:
        group.start_soon(_hold, registry, name="gateway cli registry")
        yield registry
    finally:
        group.cancel_scope.cancel()
        await group.__aexit__(None, None, None)  # the block's own error is not wrapped in a group


async def _hold(registry: ToolRegistry) -> None:
    """Start the registry and keep it until cancelled (while `start()` still waits, too)."""
    try:
        await registry.start()
        await anyio.sleep_forever()
    finally:
        await registry.aclose()


class _Changes:
    """Wakes a waiter whenever the registry reports a change (a server's state or tools)."""

    def __init__(self, registry: ToolRegistry) -> None:
        self._event = anyio.Event()
        registry.on_change(lambda: self._event.set())

    async def until(self, ready: Callable[[], bool], deadline: float) -> None:
        """Return once `ready()` holds, or at `deadline` (anyio's clock)."""
        with anyio.CancelScope(deadline=deadline):
            while True:
                self._event = anyio.Event()  # before the check: no change is missed
                if ready():
                    return
                await self._event.wait()


def _settled(status: ServerStatus) -> bool:
    """Connected or failed (or disabled): its first attempt is over."""
    return status.state != "connecting"


async def resolve(
    registry: ToolRegistry, typed: TypedName, answer_bounds: Mapping[str, float], connect_timeout: float
) -> ToolInfo:
    """The tool `typed` names, once every server has answered or failed, or has had its answer
    bound without answering; the registry's errors as `resolve` raises them (its server down:
    `ServerDownError`; a bare name that finds nothing says which servers are still starting)."""
    changes = _Changes(registry)
    start = anyio.current_time()
    give_up = start + connect_timeout + 1  # as `ToolRegistry.start()` waits

    def ready() -> bool:
        now = anyio.current_time()
        waiting = [s.name for s in registry.servers() if not _settled(s)]
        return all(now >= start + answer_bounds.get(name, math.inf) for name in waiting)

    while not ready() and anyio.current_time() < give_up:
        now = anyio.current_time()
        wakes = [start + bound for bound in answer_bounds.values() if start + bound > now]
        await changes.until(ready, min([*wakes, give_up]))
    return registry.resolve(typed.name, typed.server)


@dataclass(frozen=True)
class Answer:
    """A server's status once it answered (or failed), or once its bound passed without an answer."""

    status: ServerStatus
    tools: list[ToolInfo]
    answered: bool
    """False: no answer within its bound (`status` then says down, and why)."""


async def answers(
    registry: ToolRegistry, answer_bounds: Mapping[str, float], report: Callable[[Answer], None]
) -> list[Answer]:
    """Each server's `Answer`, passed to `report` as soon as it is known; all of them, in config order."""
    changes = _Changes(registry)
    start = anyio.current_time()
    known: dict[str, Answer] = {}

    def collect() -> bool:
        """Take every answer known now; True once every server has one."""
        now = anyio.current_time()
        for status in registry.servers():
            if status.name in known:
                continue
            bound = answer_bounds.get(status.name, math.inf)
            if _settled(status):
                mine = registry.tools_of(status.name)
                known[status.name] = answer = Answer(status, mine, answered=True)
            elif now >= start + bound:
                silent = f"no answer to the MCP handshake within {bound:g} s"
                answer = Answer(replace(status, state="down", error=silent), [], answered=False)
                known[status.name] = answer
            else:
                continue
            report(answer)
        return len(known) == len(registry.servers())

    while not collect():
        pending = [start + b for n, b in answer_bounds.items() if n not in known]
        await changes.until(
            lambda: any(_settled(s) for s in registry.servers() if s.name not in known),
            min(pending, default=math.inf),
        )
    return [known[s.name] for s in registry.servers()]
