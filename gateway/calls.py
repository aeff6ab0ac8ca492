"""One tool call as thread events: a live progress widget while it runs, its result widget when done.

Every MCP call the chat makes (slash command, form submit, button) runs through `ToolCaller`,
so all of them share the same rendering, error cards and progress behaviour. A call never
raises into the stream: no result (server down, timeout, invalid arguments) becomes an
error card, and a result with `isError` becomes the renderer's error rendering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatkit.types import (
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    WidgetItem,
    WidgetRootUpdated,
)
from mcp.types import CallToolResult

from gateway.errors import ToolCallError
from gateway.mcp.registry import ToolRegistry
from gateway.mcp.tools import ToolInfo
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered

logger = logging.getLogger(__name__)


@dataclass
class CallOutcome:
    """What a finished call produced; `result` is None when the call produced no result."""

    tool: ToolInfo
    arguments: dict[str, Any]
    rendered: Rendered
    result: CallToolResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The server answered and did not flag an error."""
        return self.result is not None and not self.result.is_error


class ToolCaller:
    """Calls tools through the registry and renders what comes back."""

    def __init__(self, registry: ToolRegistry, renderer: Renderer) -> None:
        self.registry = registry
        self.renderer = renderer

    def siblings(self, tool: ToolInfo) -> Sequence[ToolInfo]:
        """The other tools of the same server (the renderer offers them as row actions)."""
        return [t for t in self.registry.tools() if t.server == tool.server and t.name != tool.name]

    async def call(
        self,
        tool: ToolInfo,
        arguments: dict[str, Any],
        *,
        progress: Callable[[float, float | None, str | None], Any] | None = None,
    ) -> CallOutcome:
        """Call and render; never raises for a failed call."""
        try:
            result = await self.registry.call(tool, arguments, progress=progress)
        except ToolCallError as exc:
            rendered = self.renderer.error(f"{tool.label} failed", str(exc), tool=tool)
            return CallOutcome(tool, arguments, rendered, error=str(exc))
        rendered = self.renderer.result(tool, arguments, result, siblings=self.siblings(tool))
        return CallOutcome(tool, arguments, rendered, result=result)

    async def stream(
        self, thread_id: str, tool: ToolInfo, arguments: dict[str, Any], new_id: Callable[[], str]
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Events that show the call live (a progress widget, if the server reports progress)
        and end with its result widget."""
        updates: asyncio.Queue[Rendered] = asyncio.Queue()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            updates.put_nowait(self.renderer.progress(tool, progress, total, message))

        task = asyncio.ensure_future(self.call(tool, arguments, progress=on_progress))
        item: WidgetItem | None = None
        try:
            while not task.done():
                getter = asyncio.ensure_future(updates.get())
                await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                latest = getter.result()
                while not updates.empty():  # a fast server may outrun the browser: show the newest
                    latest = updates.get_nowait()
                if item is None:
                    item = _widget_item(new_id(), thread_id, latest)
                    yield ThreadItemAddedEvent(item=item)
                else:
                    yield ThreadItemUpdatedEvent(
                        item_id=item.id, update=WidgetRootUpdated(widget=latest.widget)
                    )
            outcome = task.result()
        finally:
            if not task.done():  # the client went away: cancel the call on the server too
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        final_id = item.id if item is not None else new_id()
        yield ThreadItemDoneEvent(item=_widget_item(final_id, thread_id, outcome.rendered))


def _widget_item(item_id: str, thread_id: str, rendered: Rendered) -> WidgetItem:
    return WidgetItem(
        id=item_id,
        thread_id=thread_id,
        created_at=datetime.now(),
        widget=rendered.widget,
        copy_text=rendered.copy_text,
    )
