"""GatewayServer: the ChatKit server whose answers are MCP tool calls rendered as widgets.

`respond()` turns a message into tool calls through the offline command planner; `action()`
and `sync_action()` turn widget clicks and form submits into tool calls, after checking the
gateway issued the action. Both paths call tools through `ToolCaller`, so every result is
rendered the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime
from typing import Any

from chatkit.actions import Action
from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    ChatKitReq,
    ClientToolCallItem,
    InputTranscribeReq,
    NoticeEvent,
    SyncCustomActionResponse,
    ThreadItem,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadsAddClientToolOutputReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    UserMessageItem,
    WidgetItem,
    is_streaming_req,
)
from pydantic import BaseModel, TypeAdapter

from gateway.actions import FORM_KEY, TOOL_CALL, TOOL_CANCEL, TOOL_CONFIRM, TOOL_FORM, was_issued
from gateway.calls import CallOutcome, ToolCaller
from gateway.errors import UnknownToolError
from gateway.mcp.validation import validate_arguments
from gateway.planning.commands import parse_command
from gateway.render.forms import coerce_form_values
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext
from gateway.wire import event_json

logger = logging.getLogger(__name__)

# Built once: the SDK's process() builds this adapter on every request (about 4 ms each).
CHATKIT_REQUEST: TypeAdapter[ChatKitReq] = TypeAdapter(ChatKitReq)

# The fast path reuses the SDK's private request handlers; if a future SDK renames them,
# process() falls back to the SDK's own (slower) implementation instead of breaking.
_FAST_PATH = all(
    hasattr(ChatKitServer, name) for name in ("_process_streaming_impl", "_process_non_streaming")
)


class Unsupported(ValueError):
    """A valid ChatKit request for a feature this gateway does not offer (answered with 400)."""


class GatewayServer(ChatKitServer[RequestContext]):
    """ChatKit server over the MCP tool registry, with no language model needed."""

    def __init__(self, store: Store[RequestContext], caller: ToolCaller) -> None:
        super().__init__(store)
        self.caller = caller
        self.registry = caller.registry
        self.renderer = caller.renderer

    # -- requests -------------------------------------------------------------------------

    async def process(
        self, request: str | bytes | bytearray, context: RequestContext
    ) -> StreamingResult | NonStreamingResult:
        """Parse once with a prebuilt adapter; resolve the thread and item before streaming.

        Raises pydantic.ValidationError for a malformed request and chatkit's NotFoundError
        for a thread or item the caller cannot see, so the app answers 400/404 instead of a
        200 whose stream breaks.
        """
        if not _FAST_PATH:  # pragma: no cover - only on an SDK without the private handlers
            return await super().process(request, context)
        parsed = CHATKIT_REQUEST.validate_json(request)
        if isinstance(parsed, AttachmentsCreateReq | AttachmentsDeleteReq | InputTranscribeReq):
            raise Unsupported(f"{parsed.type} is not supported: this gateway takes no attachments or audio")
        if not is_streaming_req(parsed):
            return NonStreamingResult(await self._process_non_streaming(parsed, context))
        await self._check_targets(parsed, context)
        # The SDK looks the thread and item up before its first event: waiting for that event
        # here turns a missing one into NotFoundError (404) without a second lookup of ours.
        events = self._process_streaming_impl(parsed, context)
        try:
            first: ThreadStreamEvent | None = await anext(events)
        except StopAsyncIteration:
            first = None
        return StreamingResult(self._sse(first, events))

    async def _sse(
        self, first: ThreadStreamEvent | None, events: AsyncIterator[ThreadStreamEvent]
    ) -> AsyncGenerator[bytes, None]:
        """The SSE body: what the SDK's _process_streaming writes, from an already-started stream."""
        try:
            if first is not None:
                yield b"data: " + self._serialize(first) + b"\n\n"
            async for event in events:
                yield b"data: " + self._serialize(event) + b"\n\n"
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Error while generating streamed response")
            raise

    def _serialize(self, obj: BaseModel) -> bytes:
        """Events carrying widgets serialize in one linear walk (see gateway.wire); others as the SDK does."""
        return event_json(obj) or super()._serialize(obj)

    async def _check_targets(self, request: Any, context: RequestContext) -> None:
        """Checks the SDK makes only inside the stream, or answers with an empty one."""
        match request:
            case ThreadsAddClientToolOutputReq():
                await self.store.load_thread(request.params.thread_id, context)
                last = await self.store.load_thread_items(request.params.thread_id, None, 1, "desc", context)
                if not any(isinstance(i, ClientToolCallItem) and i.status == "pending" for i in last.data):
                    raise ValueError(
                        f"thread {request.params.thread_id} has no pending client tool call to answer"
                    )
            case ThreadsRetryAfterItemReq():  # a missing item would give an empty 200 stream
                await self.store.load_item(request.params.thread_id, request.params.item_id, context)
            case _:
                pass

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
        arguments = command.arguments
        problems: dict[str, str] = {}
        if command.problem:
            problems[""] = command.problem
        elif command.raw:
            arguments, problems = coerce_form_values(tool.input_schema, arguments)
        if not problems:
            problems = validate_arguments(tool.input_schema, arguments)
        if problems:
            form = self.renderer.form(tool, values=arguments, problems=problems)
            yield self._widget_done(thread, context, form)
            return
        if tool.destructive:
            yield self._widget_done(thread, context, self.renderer.confirm(tool, arguments))
            return
        async for event in self.caller.stream(thread.id, tool, arguments, self._id_maker(thread, context)):
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
        payload = action.payload if isinstance(action.payload, dict) else {}
        if action.type == TOOL_CANCEL:
            if sender is not None and was_issued(action.type, payload, _dump(sender)):
                yield ThreadItemRemovedEvent(item_id=sender.id)
            yield NoticeEvent(level="info", message="Cancelled: nothing was changed.")
            return
        if action.type not in (TOOL_CALL, TOOL_FORM, TOOL_CONFIRM):
            yield _refused(f"The action type {action.type!r} is not one this gateway handles.")
            return
        if sender is None or not was_issued(action.type, payload, _dump(sender)):
            logger.warning("refused an action the gateway did not issue: %s %r", action.type, payload)
            yield _refused(
                "This action was not issued by the gateway (or was altered), so nothing was called."
            )
            return
        try:
            tool = self.registry.resolve(str(payload.get("tool", "")))
        except UnknownToolError as exc:
            yield _refused(str(exc))
            return
        fixed = _mapping(payload.get("arguments"))
        if action.type == TOOL_FORM:
            yield self._widget_done(thread, context, self.renderer.form(tool, values=fixed))
            return

        submitted = payload.get(FORM_KEY)
        arguments: dict[str, Any] = {}
        problems: dict[str, str] = {}
        if isinstance(submitted, dict):
            arguments, problems = coerce_form_values(tool.input_schema, submitted)
        arguments.update(fixed)  # what the gateway fixed wins over what the form sent
        if not problems:
            problems = validate_arguments(tool.input_schema, arguments)
        if problems:
            form = self.renderer.form(tool, values=arguments, problems=problems)
            if isinstance(submitted, dict):  # re-show the submitted form in place, with the problems
                yield ThreadItemReplacedEvent(item=_replaced(sender, form))
            else:
                yield self._widget_done(thread, context, form)
            return

        source = _mapping(payload.get("source")) or None
        if tool.destructive and action.type != TOOL_CONFIRM:
            origin = {**(source or {}), "item_id": sender.id} if source else {"item_id": sender.id}
            yield self._widget_done(thread, context, self.renderer.confirm(tool, arguments, source=origin))
            return

        if tool.read_only:  # nothing changes: show the answer as a new widget
            async for event in self.caller.stream(
                thread.id, tool, arguments, self._id_maker(thread, context)
            ):
                yield event
            return

        outcome = await self.caller.call(tool, arguments)
        if not outcome.ok:
            yield self._widget_done(thread, context, outcome.rendered)
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
        refreshed = await self._rerun_source(source)
        yield ThreadItemReplacedEvent(item=_replaced(target, refreshed or outcome.rendered))
        yield NoticeEvent(level="info", message=outcome.rendered.copy_text)

    async def _rerun_source(self, source: dict[str, Any] | None) -> Rendered | None:
        """Re-run the read-only call that produced a widget, for its fresh state."""
        if not source or not isinstance(source.get("tool"), str):
            return None
        try:
            tool = self.registry.resolve(source["tool"])
        except UnknownToolError:
            return None
        if not tool.read_only:  # never repeat a call that changes state
            return None
        arguments = _mapping(source.get("arguments"))
        outcome = await self.caller.call(tool, arguments)
        return outcome.rendered if outcome.ok else None

    async def _load_widget(self, thread_id: str, item_id: str, context: RequestContext) -> WidgetItem | None:
        try:
            item = await self.store.load_item(thread_id, item_id, context)
        except Exception:  # the origin may have been deleted since: not an error for the person
            return None
        return item if isinstance(item, WidgetItem) else None

    # -- helpers --------------------------------------------------------------------------

    def _id_maker(self, thread: ThreadMetadata, context: RequestContext):
        return lambda: self.store.generate_item_id("message", thread, context)

    def _widget_done(
        self, thread: ThreadMetadata, context: RequestContext, rendered: Rendered
    ) -> ThreadStreamEvent:
        return ThreadItemDoneEvent(
            item=WidgetItem(
                id=self.store.generate_item_id("message", thread, context),
                thread_id=thread.id,
                created_at=datetime.now(),
                widget=rendered.widget,
                copy_text=rendered.copy_text,
            )
        )

    def _message(self, thread: ThreadMetadata, context: RequestContext, text: str) -> ThreadStreamEvent:
        return ThreadItemDoneEvent(
            item=AssistantMessageItem(
                id=self.store.generate_item_id("message", thread, context),
                thread_id=thread.id,
                created_at=datetime.now(),
                content=[AssistantMessageContent(text=text)],
            )
        )


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (payloads are untrusted)."""
    return value if isinstance(value, dict) else {}


def _message_text(message: UserMessageItem) -> str:
    return " ".join(part.text for part in message.content).strip()


def _dump(item: WidgetItem) -> Any:
    return item.widget.model_dump(mode="json", exclude_none=True)


def _replaced(item: WidgetItem, rendered: Rendered) -> WidgetItem:
    return item.model_copy(update={"widget": rendered.widget, "copy_text": rendered.copy_text})


def _refused(message: str) -> NoticeEvent:
    return NoticeEvent(level="danger", title="Action refused", message=message)
