"""One tool call as thread events: a live progress widget while it runs, its result widget when done.

Every MCP call the chat makes (slash command, form submit, button) runs through `ToolCaller`,
so all of them share the same rendering, error cards, progress behaviour and audit record. A
call never raises into the stream: no result (server down, timeout, invalid arguments)
becomes an error card, and a result with `isError` becomes the renderer's error rendering.
A call that is cancelled (the client went away, the gateway is stopping) is cancelled on the
server and recorded as interrupted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import anyio
from chatkit.types import (
    WidgetItem,
)
from mcp.types import CallToolResult, TextContent

from gateway.errors import StoreUnavailableError, ToolCallError, ToolTimeoutError
from gateway.mcp.channel import CallChannel
from gateway.mcp.registry import ToolRegistry
from gateway.redact import Redactor
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from gateway.store.audit import AuditEntry
from gateway.vocabulary.tools import CheckedArguments, ToolInfo

logger = logging.getLogger(__name__)

_AUDIT_TIMEOUT_S = 3.0  # an audit write may not hold a stream (or a shutdown) longer than this
_AUDIT_DETAIL_CHARS = 2000


@dataclass(frozen=True, kw_only=True)
class CallOrigin:
    """Who made a call and how: what the audit log records beside the call itself."""

    user_id: str
    thread_id: str | None
    via: str
    """command, form, button, confirm, refresh (the read-only call re-run after a change), model."""
    confirmed_by: str | None = None
    """The user who confirmed a destructive call, where confirmation was asked."""


class AuditSink(Protocol):
    """Where audit entries go (the store's audit table)."""

    async def record(self, entry: AuditEntry) -> None:
        """Keep one entry."""
        ...


@dataclass
class CallOutcome:
    """What a finished call produced; `result` is None when the call produced no result."""

    tool: ToolInfo
    arguments: dict[str, Any]
    rendered: Rendered
    result: CallToolResult | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict[str, float])
    """Milliseconds per step: `call` (the MCP call, waiting for the server included) and `render`."""

    @property
    def ok(self) -> bool:
        """The server answered and did not flag an error."""
        return self.result is not None and not self.result.is_error


def ms_since(start: float) -> float:
    """Milliseconds since `start` (a `time.monotonic()` reading), to the microsecond."""
    return round((time.monotonic() - start) * 1000, 3)


class ToolCaller:
    """Calls tools through the registry and renders what comes back."""

    def __init__(
        self,
        registry: ToolRegistry,
        renderer: Renderer,
        *,
        audit: AuditSink | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.registry = registry
        self.renderer = renderer
        self.audit = audit
        self.redact = redactor or Redactor()

    def siblings(self, tool: ToolInfo) -> Sequence[ToolInfo]:
        """The other tools of the same server (the renderer offers them as row actions)."""
        return [t for t in self.registry.tools_of(tool.server) if t.name != tool.name]

    async def call(
        self,
        tool: ToolInfo,
        checked: CheckedArguments,
        *,
        origin: CallOrigin,
        progress: Callable[[float, float | None, str | None], Any] | None = None,
        channel: CallChannel | None = None,
    ) -> CallOutcome:
        """Call, audit and render; never raises for a failed call. The server's questions and
        log lines during the call go to `channel`."""
        arguments = checked.values
        started_at, started = datetime.now(UTC).replace(tzinfo=None), time.monotonic()
        outcome, detail = "interrupted", "the call was cancelled before it answered"
        try:
            try:
                result = await self.registry.call(tool, checked, progress=progress, channel=channel)
            except ToolCallError as exc:
                outcome, detail = ("timeout" if isinstance(exc, ToolTimeoutError) else "failed"), str(exc)
                timings = {"call": ms_since(started)}
                rendering = time.monotonic()
                rendered = self.renderer.error(*failure_text(tool, exc), tool=tool)
                timings["render"] = ms_since(rendering)
                return CallOutcome(tool, arguments, rendered, error=str(exc), timings=timings)
            outcome, detail = ("error", result_text(result)) if result.is_error else ("ok", None)
            timings = {"call": ms_since(started)}
            rendering = time.monotonic()
            rendered = self.renderer.result(tool, arguments, result, siblings=self.siblings(tool))
            timings["render"] = ms_since(rendering)
            return CallOutcome(tool, arguments, rendered, result=result, timings=timings)
        finally:
            # Shielded: an interrupted call is recorded too, though its task is being cancelled.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_AUDIT_TIMEOUT_S):
                await self._audit(
                    tool, arguments, origin, outcome, detail, started_at, time.monotonic() - started
                )

    async def _audit(
        self,
        tool: ToolInfo,
        arguments: dict[str, Any],
        origin: CallOrigin,
        outcome: str,
        detail: str | None,
        started_at: datetime,
        seconds: float,
    ) -> None:
        if self.audit is None:
            return
        entry = AuditEntry(
            at=started_at,
            user_id=origin.user_id,
            thread_id=origin.thread_id,
            server=tool.server,
            tool=tool.name,
            arguments=self.redact.value(arguments),
            outcome=outcome,
            detail=self.redact(detail)[:_AUDIT_DETAIL_CHARS] if detail else None,
            duration_ms=round(seconds * 1000, 3),
            via=origin.via,
            confirmed_by=origin.confirmed_by,
        )
        try:
            await self.audit.record(entry)
        except StoreUnavailableError:
            pass  # the store's outage is reported once, by the store
        except Exception:
            logger.exception("could not record the audit entry of a %s call", tool.qualified)


def failure_text(tool: ToolInfo, exc: ToolCallError) -> tuple[str, str]:
    """The heading and message of the card for a call that produced no result.

    Whether the tool may have run decides the wording: a person retrying a call that in fact
    went through would do it twice.
    """
    if exc.may_have_run:
        return (
            f"{tool.label}: no answer",
            f"{exc} The request had reached the server, so it may have run: check before trying again.",
        )
    return f"{tool.label} failed", f"{exc} Nothing was sent to the server."


def interrupted_text(tool: ToolInfo) -> tuple[str, str]:
    """The heading and message of the card left where a call's widget would have been, when its
    stream ended midway (the gateway stopping, the page closed, the reply stopped)."""
    return (
        f"{tool.label}: interrupted",
        f"{tool.qualified} was still running when this conversation's stream ended (the gateway "
        "stopped, the page was closed, or the reply was stopped). The call was cancelled, but it "
        "may have run: check before trying again.",
    )


def result_text(result: CallToolResult) -> str | None:
    """The text blocks of a result, joined (None when it has none)."""
    texts = [block.text for block in result.content if isinstance(block, TextContent)]
    return "\n".join(texts) or None


def widget_item(item_id: str, thread_id: str, rendered: Rendered) -> WidgetItem:
    """A widget item holding `rendered`."""
    return WidgetItem(
        id=item_id,
        thread_id=thread_id,
        created_at=datetime.now(),
        widget=rendered.widget,
        copy_text=rendered.copy_text,
    )
