"""Change notifications for the todo resources, in both protocol eras.

When a tool changes a task, subscribers hear about it:

- 2026-07-28 clients open a `subscriptions/listen` stream. The server publishes typed events on
  its `SubscriptionBus` (what `ctx.notify_resource_updated()` / `ctx.notify_resources_changed()`
  do; we hold the bus ourselves, so no request context is needed) and the SDK's listen handler
  forwards each one to the streams whose filter asked for it.
- 2025-11-25 (handshake-era) clients send `resources/subscribe`; the SDK keeps no subscription
  state, so `HandshakeClients` does: which connection subscribed to which URI. Updates go out
  as `notifications/resources/updated` to the subscribers of that URI only, and
  `notifications/resources/list_changed` to every handshake-era connection, on each
  connection's standalone channel (stdout over stdio, the GET stream over HTTP). A
  connection's subscriptions are dropped when it closes.
"""

from __future__ import annotations

import re
from typing import Any

from mcp.server.connection import Connection
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourcesListChanged, ResourceUpdated
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from mcp_servers.todo.records import TaskRecord

TASKS_URI = "todo://tasks"
"""The open tasks, as JSON."""
TASK_URI_TEMPLATE = "todo://tasks/{id}"
"""One task, as JSON."""
_TASK_URI = re.compile(r"todo://tasks/([^/?#]+)")


def task_uri(task_id: int) -> str:
    """`todo://tasks/<id>`."""
    return f"todo://tasks/{task_id}"


def task_id_in(uri: str) -> str | None:
    """The id segment of a `todo://tasks/<id>` URI, unparsed; None for any other URI."""
    match = _TASK_URI.fullmatch(uri)
    return match.group(1) if match else None


def connection_of(session: ServerSession) -> Connection:
    """The connection a request arrived on.

    mcp 2.3.0 exposes no public way from a request to its `Connection` (the object that
    outlives the request, owns the standalone channel and closes with the client), so this
    reads `ServerSession._connection`: re-check on upgrade.
    """
    return session._connection  # pyright: ignore[reportPrivateUsage]


class HandshakeClients:
    """Handshake-era connections, and the resource URIs each one subscribed to."""

    def __init__(self) -> None:
        self._subscriptions: dict[Connection, set[str]] = {}

    def track(self, connection: Connection) -> None:
        """Remember a handshake-era connection until it closes (modern ones are per request)."""
        if connection.protocol_version in MODERN_PROTOCOL_VERSIONS or connection in self._subscriptions:
            return
        self._subscriptions[connection] = set()
        connection.exit_stack.callback(self._subscriptions.pop, connection, None)

    def subscribe(self, connection: Connection, uri: str) -> None:
        """`resources/subscribe`: send `connection` updates of `uri` from now on."""
        self.track(connection)
        self._subscriptions.setdefault(connection, set()).add(uri)

    def unsubscribe(self, connection: Connection, uri: str) -> None:
        """`resources/unsubscribe`: no more updates of `uri` for `connection`."""
        self._subscriptions.get(connection, set()).discard(uri)

    def subscribers(self, uri: str) -> list[Connection]:
        """The connections subscribed to `uri`."""
        return [connection for connection, uris in self._subscriptions.items() if uri in uris]

    async def resource_updated(self, uri: str) -> None:
        """`notifications/resources/updated` to the subscribers of `uri` (best effort, never raises)."""
        for connection in self.subscribers(uri):
            await connection.send_resource_updated(uri)

    async def resources_list_changed(self) -> None:
        """`notifications/resources/list_changed` to every handshake-era connection."""
        for connection in list(self._subscriptions):
            await connection.send_resource_list_changed()

    async def track_middleware(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Server middleware: note each handshake-era connection, so list changes reach it."""
        self.track(connection_of(ctx.session))
        return await call_next(ctx)


class TaskEvents:
    """Announces task changes to the subscribers of both eras."""

    def __init__(self) -> None:
        self.bus = InMemorySubscriptionBus()
        """Pass to `MCPServer(subscriptions=...)`: its `subscriptions/listen` streams read from it."""
        self.handshake = HandshakeClients()

    async def changed(self, before: TaskRecord | None, after: TaskRecord | None) -> None:
        """A task was added (`before` None), changed, or deleted (`after` None).

        Its own URI is updated. When it is or was open, the `todo://tasks` listing is updated
        too, and the resource list (which names every open task) changed.
        """
        task = after or before
        if task is None or before == after:
            return
        uris = [task_uri(task.id)]
        listed = any(t is not None and t.status == "pending" for t in (before, after))
        if listed:
            uris.append(TASKS_URI)
        for uri in uris:
            await self.bus.publish(ResourceUpdated(uri=uri))
            await self.handshake.resource_updated(uri)
        if listed:
            await self.bus.publish(ResourcesListChanged())
            await self.handshake.resources_list_changed()
