"""Resource widgets that follow their resource: a changed resource is re-rendered in place.

When a resource is read into a thread from a server that offers resource subscriptions, the
gateway subscribes to it (`subscriptions/listen` on 2026-07-28 connections, `resources/subscribe`
on handshake-era ones). Each time the server says the resource changed, the gateway reads it
again and saves the new rendering over the widget item that shows it, so the thread shows
the current state the next time it is loaded. There is no push to a page that is open: the
ChatKit protocol only sends what a request's stream carries.

A follow ends when its connection does (the next read subscribes again), when its widgets are
gone from the store, and when the gateway stops. At most `MAX_WATCHED` resources are followed
at once (each 2026-07-28 follow holds a `subscriptions/listen` stream: over streamable HTTP, a
connection of the client's pool), the oldest let go first, and at most `MAX_PLACES` widgets per
resource. Updates that come while a re-read runs are folded into one more re-read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from chatkit.store import Store
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.subscriptions import ResourceUpdated
from mcp.types import ReadResourceResult
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from gateway.mcp import offerings as mcp
from gateway.mcp.registry import ToolRegistry
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext

logger = logging.getLogger(__name__)

MAX_WATCHED = 50
MAX_PLACES = 20
_RECHECK_S = 2.0  # how often a handshake-era follow checks that its connection still stands


@dataclass(frozen=True)
class Shown:
    """One widget item that shows a resource."""

    thread_id: str
    item_id: str
    context: RequestContext


Render = Callable[[str, str, ReadResourceResult], Rendered]
"""(server, uri, ReadResourceResult) → the resource's widget."""


class ResourceWatch:
    """Follows the resources shown in threads and re-renders their widgets when they change."""

    def __init__(
        self, store: Store[RequestContext], registry: Callable[[], ToolRegistry], render: Render
    ) -> None:
        self.store = store
        self._registry = registry
        self._render = render
        self._shown: dict[tuple[str, str], list[Shown]] = {}
        self._following: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._refreshing: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._again: set[tuple[str, str]] = set()

    def updated(self, server: str, uri: str) -> None:
        """A server said `uri` changed: re-read it (once more after a re-read under way)."""
        key = (server, uri)
        if key not in self._shown:
            return
        running = self._refreshing.get(key)
        if running is not None and not running.done():
            self._again.add(key)
            return
        self._refreshing[key] = self._start(self._refreshed(server, uri))

    async def _refreshed(self, server: str, uri: str) -> None:
        key = (server, uri)
        try:
            await self._refresh(server, uri)
            while key in self._again:
                self._again.discard(key)
                await self._refresh(server, uri)
        finally:
            self._refreshing.pop(key, None)

    async def watch(self, server: str, uri: str, shown: Shown) -> None:
        """Keep `shown` current with `uri` on `server`, if the server offers subscriptions."""
        key = (server, uri)
        places = self._shown.setdefault(key, [])
        places.append(shown)
        del places[:-MAX_PLACES]
        task = self._following.get(key)
        if task is not None and not task.done():
            return
        while len(self._following) >= MAX_WATCHED:
            oldest = next(iter(self._following))
            self._stop(oldest)
        self._following[key] = self._start(self._follow(server, uri))

    def _start(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return asyncio.ensure_future(work)

    def _stop(self, key: tuple[str, str]) -> None:
        task = self._following.pop(key, None)
        self._shown.pop(key, None)
        if task is not None:
            task.cancel()

    async def _follow(self, server: str, uri: str) -> None:
        try:
            client = await self._registry().client_for(server)
            resources = client.server_capabilities.resources
            if resources is None or not resources.subscribe:
                return
            if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                async with client.listen(resource_subscriptions=[uri]) as events:
                    async for event in events:
                        if isinstance(event, ResourceUpdated):
                            self.updated(server, uri)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", MCPDeprecationWarning)
                    await client.subscribe_resource(uri)  # pyright: ignore[reportDeprecated]
                # Updates arrive through `updated()`, while this connection stands.
                while await self._registry().client_for(server) is client:
                    await asyncio.sleep(_RECHECK_S)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.info("following %s on %s ended: %s", uri, server, exc)
        finally:
            if self._following.get((server, uri)) is asyncio.current_task():
                self._following.pop((server, uri), None)
                self._shown.pop((server, uri), None)  # the next read of it follows it again

    async def _refresh(self, server: str, uri: str) -> None:
        """Read `uri` again and save its new rendering over each widget that shows it."""
        shown = self._shown.get((server, uri), [])
        if not shown:
            return
        try:
            result = await mcp.read_resource(self._registry(), server, uri)
        except mcp.OfferingError as exc:
            logger.info("re-reading %s on %s failed: %s", uri, server, exc)
            return
        rendered = self._render(server, uri, result)
        kept: list[Shown] = []
        for place in shown:
            try:
                item = await self.store.load_item(place.thread_id, place.item_id, place.context)
                updated = item.model_copy(update={"widget": rendered.widget, "copy_text": rendered.copy_text})
                await self.store.save_item(place.thread_id, updated, place.context)
                kept.append(place)
            except Exception as exc:  # deleted since: stop keeping it current
                logger.debug("not re-rendering %s in %s: %s", uri, place.thread_id, exc)
        if kept:
            self._shown[(server, uri)] = kept
        else:
            self._stop((server, uri))

    async def close(self) -> None:
        """Stop following everything (the gateway is stopping)."""
        tasks = [*self._following.values(), *self._refreshing.values()]
        self._following.clear()
        self._refreshing.clear()
        self._shown.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
