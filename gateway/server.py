"""GatewayServer: the ChatKit server whose answers are MCP tool calls rendered as widgets.

`respond()` turns a message into tool calls through the offline command planner; `action()`
and `sync_action()` turn widget clicks and form submits into tool calls, after checking the
gateway issued the action. Both paths call tools through `ToolCaller`, so every result is
rendered the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime
from typing import Any, Protocol

import anyio
from chatkit.actions import Action
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    NoticeEvent,
    SyncCustomActionResponse,
    ThreadItem,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
)

from gateway import safe_json
from gateway.calls import CallOrigin, CallOutcome, ToolCaller, widget_item
from gateway.errors import UnknownToolError
from gateway.issued import find_issued, form_input
from gateway.planning.arguments import prepare_arguments
from gateway.planning.commands import parse_command
from gateway.protocol import SAVE_TIMEOUT_S, ProtocolServer
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext
from gateway.vocabulary.actions import TOOL_CALL, TOOL_CANCEL, TOOL_CONFIRM, TOOL_FORM
from gateway.vocabulary.json import object_or_empty
from gateway.vocabulary.tools import CheckedArguments, ToolInfo

logger = logging.getLogger(__name__)


class Claims(Protocol):
    """Single-use tokens shared by every replica (the store's claims table)."""

    async def claim(self, key: str, user_id: str) -> bool:
        """True for the first caller of `key`, False for every later one."""
        ...


class GatewayServer(ProtocolServer):
    """ChatKit server over the MCP tool registry, with no language model needed."""

    def __init__(self, store: Store[RequestContext], caller: ToolCaller, claims: Claims) -> None:
        super().__init__(store)
        self.caller = caller
        self.claims = claims
        self.registry = caller.registry

    @property
    def renderer(self) -> Renderer:
        """The caller's renderer: a config reload replaces it, and the next request uses the new one."""
        return self.caller.renderer

    # -- messages -------------------------------------------------------------------------

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Answer a message: a catalog, a form, or a tool call's widget."""
        if input_user_message is None:
            return
        text = _message_text(input_user_message)
        if not thread.title and text:
            thread.title = text[:80]
        command = parse_command(text)
        if command.kind != "call":
            yield self._widget_done(
                thread, context, self.renderer.catalog(self.registry.tools(), self.registry.servers())
            )
            return
        try:
            tool = self.registry.resolve(command.tool)
        except UnknownToolError as exc:
            yield self._message(thread, context, f"{exc} Type /tools to see every tool.")
            return
        arguments = prepare_arguments(tool, command.arguments, as_text=command.raw, problem=command.problem)
        if not arguments.ok:
            form = self.renderer.form(tool, values=arguments.values, problems=arguments.problems)
            yield self._widget_done(thread, context, form)
            return
        if tool.destructive:
            yield self._widget_done(thread, context, self.renderer.confirm(tool, arguments.values))
            return
        origin = _origin(thread, context, "command")
        async for event in self._stream_call(thread, context, tool, arguments.checked(), origin):
            yield event

    # -- actions --------------------------------------------------------------------------

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Route a widget action to its MCP call, if the gateway issued it."""
        async for event in self._handle_action(thread, action, sender, context):
            yield event

    async def sync_action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> SyncCustomActionResponse:
        """The same handling as `action()`, answered with the one item it changed or added."""
        updated: ThreadItem | None = None
        async for event in self._handle_action(thread, action, sender, context):
            # No event pipeline runs for sync actions: persist as the streaming path would.
            if isinstance(event, ThreadItemDoneEvent):
                await self.store.add_thread_item(thread.id, event.item, context)
                updated = updated or event.item
            elif isinstance(event, ThreadItemReplacedEvent):
                await self.store.save_item(thread.id, event.item, context)
                if updated is None or (sender is not None and event.item.id == sender.id):
                    updated = event.item
            elif isinstance(event, ThreadItemRemovedEvent):
                await self.store.delete_thread_item(thread.id, event.item_id, context)
        return SyncCustomActionResponse(updated_item=updated)

    async def _handle_action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        payload = object_or_empty(action.payload)
        if action.type not in (TOOL_CALL, TOOL_FORM, TOOL_CONFIRM, TOOL_CANCEL):
            yield _refused(f"The action type {action.type!r} is not one this gateway handles.")
            return
        unsafe = safe_json.first_problem(payload)
        if unsafe is not None:
            yield _refused(f"This action cannot be used ({unsafe}), so nothing was called.")
            return
        issued = find_issued(action.type, payload, _dump(sender)) if sender is not None else None
        if sender is None or issued is None:
            logger.warning("refused an action the gateway did not issue: %s %r", action.type, payload)
            yield _refused(
                "This action was not issued by the gateway (or was altered), so nothing was called."
            )
            return
        submitted = form_input(issued, payload)
        if submitted is None:
            logger.warning("refused form values on an action outside a form: %s %r", action.type, payload)
            yield _refused("This action carries form values but is not a form submit, so nothing was called.")
            return
        # One answer per confirmation card, however many clicks and replicas race for it.
        if action.type in (TOOL_CONFIRM, TOOL_CANCEL) and not await self.claims.claim(
            f"confirm/{thread.id}/{sender.id}", context.user_id
        ):
            yield NoticeEvent(level="warning", message="This confirmation was already answered.")
            return
        if action.type == TOOL_CANCEL:
            yield ThreadItemRemovedEvent(item_id=sender.id)
            yield NoticeEvent(level="info", message="Cancelled: nothing was called.")
            return
        try:
            tool = self.registry.resolve(str(payload.get("tool", "")))
        except UnknownToolError as exc:
            yield _refused(str(exc))
            return
        fixed = object_or_empty(payload.get("arguments"))
        if action.type == TOOL_FORM:
            yield self._widget_done(thread, context, self.renderer.form(tool, values=fixed))
            return

        prepared = prepare_arguments(tool, submitted, as_text=bool(submitted), fixed=fixed)
        if not prepared.ok:
            form = self.renderer.form(tool, values=prepared.values, problems=prepared.problems)
            if issued.form_fields is not None:  # re-show the submitted form in place, with the problems
                yield ThreadItemReplacedEvent(item=_replaced(sender, form))
            else:
                yield self._widget_done(thread, context, form)
            return

        source = object_or_empty(payload.get("source")) or None
        if tool.destructive and action.type != TOOL_CONFIRM:
            origin = {**(source or {}), "item_id": sender.id} if source else {"item_id": sender.id}
            yield self._widget_done(
                thread, context, self.renderer.confirm(tool, prepared.values, source=origin)
            )
            return
        arguments = prepared.checked()

        if action.type == TOOL_CONFIRM:
            call_origin = _origin(thread, context, "confirm", confirmed_by=context.user_id)
        else:
            call_origin = _origin(thread, context, "form" if issued.form_fields is not None else "button")
        if tool.read_only:  # nothing changes: show the answer as a new widget
            async for event in self._stream_call(thread, context, tool, arguments, call_origin):
                yield event
            return

        item_id = self.store.generate_item_id("message", thread, context)
        async with self._saved_if_interrupted(thread, context, tool, item_id):
            outcome = await self.caller.call(tool, arguments, origin=call_origin)
        if not outcome.ok:
            yield ThreadItemDoneEvent(item=widget_item(item_id, thread.id, outcome.rendered))
            return
        async for event in self._show_new_state(thread, sender, source, outcome, context):
            yield event

    async def _show_new_state(
        self,
        thread: ThreadMetadata,
        sender: WidgetItem,
        source: dict[str, Any] | None,
        outcome: CallOutcome,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """After a state change: re-render the widget clicked (or its origin), then confirm."""
        target = sender
        origin_id = source.get("item_id") if source else None
        if isinstance(origin_id, str) and origin_id != sender.id:
            # A confirmation card: the list it came from is the one to refresh; the card goes.
            origin = await self._load_widget(thread.id, origin_id, context)
            yield ThreadItemRemovedEvent(item_id=sender.id)
            if origin is None:
                yield self._widget_done(thread, context, outcome.rendered)
                yield NoticeEvent(level="info", message=outcome.rendered.copy_text)
                return
            target = origin
        refreshed = await self._rerun_source(source, thread, context)
        yield ThreadItemReplacedEvent(item=_replaced(target, refreshed or outcome.rendered))
        yield NoticeEvent(level="info", message=outcome.rendered.copy_text)

    async def _rerun_source(
        self, source: dict[str, Any] | None, thread: ThreadMetadata, context: RequestContext
    ) -> Rendered | None:
        """Re-run the read-only call that produced a widget, for its fresh state."""
        if not source or not isinstance(source.get("tool"), str):
            return None
        try:
            tool = self.registry.resolve(source["tool"])
        except UnknownToolError:
            return None
        if not tool.read_only:  # never repeat a call that changes state
            return None
        arguments = prepare_arguments(tool, object_or_empty(source.get("arguments")))
        if not arguments.ok:  # the tool's schema changed since: nothing to refresh with
            return None
        origin = _origin(thread, context, "refresh")
        outcome = await self.caller.call(tool, arguments.checked(), origin=origin)
        return outcome.rendered if outcome.ok else None

    # -- calls a stream may abandon ---------------------------------------------------------

    async def _stream_call(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        tool: ToolInfo,
        arguments: CheckedArguments,
        origin: CallOrigin,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The call's events (live progress, then its widget); an interrupted call leaves an error item."""
        item_id = self.store.generate_item_id("message", thread, context)
        async with self._saved_if_interrupted(thread, context, tool, item_id):
            async for event in self.caller.stream(thread.id, tool, arguments, lambda: item_id, origin=origin):
                yield event

    @contextlib.asynccontextmanager
    async def _saved_if_interrupted(
        self, thread: ThreadMetadata, context: RequestContext, tool: ToolInfo, item_id: str
    ) -> AsyncGenerator[None, None]:
        """If the stream is cancelled during the call (the gateway stopping, the client gone),
        save an error item where the call's widget would have been, so the thread says so."""
        try:
            yield
        except (asyncio.CancelledError, GeneratorExit):
            rendered = self.renderer.error(
                f"{tool.label}: interrupted",
                f"{tool.qualified} was still running when this conversation's stream ended (the "
                "gateway stopped, or the page was closed). The call was cancelled, but it may have "
                "run: check before trying again.",
                tool=tool,
            )
            with anyio.CancelScope(shield=True), anyio.move_on_after(SAVE_TIMEOUT_S):
                try:
                    await self.store.add_thread_item(
                        thread.id, widget_item(item_id, thread.id, rendered), context
                    )
                except Exception as exc:
                    logger.warning("could not save the interruption of %s: %s", tool.qualified, exc)
            raise

    async def _load_widget(self, thread_id: str, item_id: str, context: RequestContext) -> WidgetItem | None:
        try:
            item = await self.store.load_item(thread_id, item_id, context)
        except Exception:  # the origin may have been deleted since: not an error for the person
            return None
        return item if isinstance(item, WidgetItem) else None

    # -- helpers --------------------------------------------------------------------------

    def _widget_done(
        self, thread: ThreadMetadata, context: RequestContext, rendered: Rendered
    ) -> ThreadStreamEvent:
        item_id = self.store.generate_item_id("message", thread, context)
        return ThreadItemDoneEvent(item=widget_item(item_id, thread.id, rendered))

    def _message(self, thread: ThreadMetadata, context: RequestContext, text: str) -> ThreadStreamEvent:
        return ThreadItemDoneEvent(
            item=AssistantMessageItem(
                id=self.store.generate_item_id("message", thread, context),
                thread_id=thread.id,
                created_at=datetime.now(),
                content=[AssistantMessageContent(text=text)],
            )
        )


def _origin(
    thread: ThreadMetadata, context: RequestContext, via: str, *, confirmed_by: str | None = None
) -> CallOrigin:
    """Who is calling, from which thread, and how: what the audit log records."""
    return CallOrigin(user_id=context.user_id, thread_id=thread.id, via=via, confirmed_by=confirmed_by)


def _message_text(message: UserMessageItem) -> str:
    return " ".join(part.text for part in message.content).strip()


def _dump(item: WidgetItem) -> Any:
    return item.widget.model_dump(mode="json", exclude_none=True)


def _replaced(item: WidgetItem, rendered: Rendered) -> WidgetItem:
    return item.model_copy(update={"widget": rendered.widget, "copy_text": rendered.copy_text})


def _refused(message: str) -> NoticeEvent:
    return NoticeEvent(level="danger", title="Action refused", message=message)
