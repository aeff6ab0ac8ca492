"""The ChatKit protocol as the gateway speaks it: the SDK's request handling, faster and stricter.

`ProtocolServer.process()` parses a request with an adapter built once (the SDK builds one
per request, about 4 ms), refuses what the gateway does not offer (attachments, audio), and
resolves the thread and items a request names before answering, so a missing or foreign one
is a 404 rather than a 200 whose stream breaks. Widget events serialize in one linear walk
(gateway.wire). The SDK's clean-up after a cancelled stream runs shielded from the
cancellation in progress. What the gateway answers is `GatewayServer`'s (gateway.server).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio
from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.types import (
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    ChatKitReq,
    ClientToolCallItem,
    InputTranscribeReq,
    ItemsFeedbackReq,
    ThreadItem,
    ThreadMetadata,
    ThreadsAddClientToolOutputReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    is_streaming_req,
)
from pydantic import BaseModel, TypeAdapter

from gateway.errors import StoreUnavailableError
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


SAVE_TIMEOUT_S = 3.0
"""How long saving what a cancelled stream leaves behind may hold a shutdown."""


class Unsupported(ValueError):
    """A valid ChatKit request for a feature this gateway does not offer (answered with 400)."""


class _NoOutageTracebacks(logging.Filter):
    """The SDK logs every failure inside a stream with its traceback; a store outage is already
    reported once, by the store, and would otherwise flood the log with one per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StoreUnavailableError))


_SDK_LOGGER = logging.getLogger("chatkit")
if not any(isinstance(f, _NoOutageTracebacks) for f in _SDK_LOGGER.filters):
    _SDK_LOGGER.addFilter(_NoOutageTracebacks())


class ProtocolServer(ChatKitServer[RequestContext]):
    """The SDK's server with the gateway's request handling; `respond` and `action` are the subclass's."""

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
        await self._check_targets(parsed, context)
        if not is_streaming_req(parsed):
            return NonStreamingResult(await self._process_non_streaming(parsed, context))
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
        except (asyncio.CancelledError, StoreUnavailableError):
            raise  # a store outage is reported once, by the store
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
            case ItemsFeedbackReq():  # the SDK's default answers 200 for items that are not the caller's
                await self.store.load_thread(request.params.thread_id, context)
                for item_id in request.params.item_ids:
                    await self.store.load_item(request.params.thread_id, item_id, context)
            case _:
                pass

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: RequestContext
    ) -> None:
        """The SDK's own clean-up (a hidden note for later turns), shielded from the cancellation
        in progress, which would otherwise abort its writes at their first await."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(SAVE_TIMEOUT_S):
            try:
                await super().handle_stream_cancelled(thread, pending_items, context)
            except Exception as exc:
                logger.warning("could not save what a cancelled stream left: %s", exc)
