"""The questions servers asked that wait for the person, in this gateway process.

A question is a widget item in its thread (saved, so a reload shows it again); its buttons send
``question.answer`` actions. An answer is taken only if this process issued the question (its
random id is waiting here), for the item that shows it, in the same thread, from the person
whose call asked it. A form's answer is checked against the requested schema first; problems
re-show the form in place. The answer resumes the call: its result follows in the answer's
stream. A question nobody answers within the server's `ask_timeout` is answered `cancel` for
the person; a parked call then finishes unattended and its result is saved to the thread.

**Replicas.** A call waits in the process that started it. The answer must reach that
process: an answer that reaches another replica (or this one after a restart) finds no
question waiting, and the person is told so; the call it belonged to times out as above.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
from chatkit.store import Store
from chatkit.types import (
    NoticeEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
)

from gateway.call_run import Asked, CallRun
from gateway.calls import widget_item
from gateway.mcp.validation import validate_arguments
from gateway.protocol import SAVE_TIMEOUT_S
from gateway.render.forms import coerce_form_values
from gateway.render.questions import answered_widget, question_widget
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext
from gateway.vocabulary.actions import FORM_KEY
from gateway.vocabulary.json import is_object
from gateway.vocabulary.questions import ANSWERS, Question, Reply
from gateway.vocabulary.tools import ToolInfo

logger = logging.getLogger(__name__)

NOT_WAITING = (
    "This question is no longer waiting for an answer: the call that asked it has ended (it "
    "timed out, was stopped, or the gateway restarted), or it waits on another gateway replica."
)


class Questions:
    """Questions waiting for the person, by id; answers them and carries their calls on."""

    def __init__(self, store: Store[RequestContext]) -> None:
        self.store = store
        self._waiting: dict[str, Asked] = {}
        self._background: set[asyncio.Task[None]] = set()

    def ask(
        self, question: Question, *, run: CallRun | None, context: RequestContext, timeout: float
    ) -> Asked:
        """Register `question` (of `run`, or of a call whose stream waits): its reply future is
        answered by the person, or `cancel` after `timeout` seconds, or when the call ends first."""
        loop = asyncio.get_running_loop()
        asked = Asked(question, loop.create_future(), run, context)
        self._waiting[question.id] = asked
        timer = loop.call_later(timeout, self._expire, asked, timeout)

        def settled(_reply: asyncio.Future[Reply]) -> None:
            timer.cancel()
            self._waiting.pop(question.id, None)

        asked.reply.add_done_callback(settled)
        if run is not None:
            run.task.add_done_callback(lambda _task: self._call_ended(asked))
        return asked

    def _expire(self, asked: Asked, timeout: float) -> None:
        note = f"Nobody answered within {timeout:g} s, so the server was told it was cancelled."
        self._close(asked, note)

    def _call_ended(self, asked: Asked) -> None:
        """The call ended while its question waited (it timed out, failed, or was stopped)."""
        self._close(asked, "The call ended before an answer came.")

    def _close(self, asked: Asked, note: str) -> None:
        """Answer `cancel` for the person; a parked call nobody carries is finished unattended."""
        if asked.reply.done():
            return
        reply = Reply("cancel", note=note)
        asked.reply.set_result(reply)
        run = asked.run
        if run is not None and run.parked is asked and not run.carried and asked.item_id:
            run.carried = True  # adopted: nobody else may finish it
            self._start(self._finish_unattended(asked, run, reply))

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _finish_unattended(self, asked: Asked, run: CallRun, reply: Reply) -> None:
        """Close the question's card and save what the call shows from here on, with no stream."""
        context, thread_id = asked.context, asked.thread_id
        try:
            thread = await self.store.load_thread(thread_id, context)
            closed = widget_item(asked.item_id, thread_id, answered_widget(asked.question, reply))
            await self.store.save_item(thread_id, closed, context)
            async for event in run.events(lambda: self.store.generate_item_id("message", thread, context)):
                if isinstance(event, ThreadItemDoneEvent):
                    await self.store.add_thread_item(thread_id, event.item, context)
                elif isinstance(event, ThreadItemReplacedEvent):
                    await self.store.save_item(thread_id, event.item, context)
                elif isinstance(event, ThreadItemRemovedEvent):
                    with contextlib.suppress(Exception):
                        await self.store.delete_thread_item(thread_id, event.item_id, context)
        except Exception:
            logger.exception("could not save the end of a call whose question went unanswered")
            await run.cancel()

    async def answer(
        self,
        thread: ThreadMetadata,
        payload: dict[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
        *,
        guard: Callable[[ToolInfo], AbstractAsyncContextManager[None]],
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Take the person's answer to a question, then carry its call on in this stream
        (`guard(tool)` saves an error item if the stream is cut off while it does)."""
        qid, kind = payload.get("question"), payload.get("answer")
        asked = self._waiting.get(qid) if isinstance(qid, str) else None
        if kind not in ANSWERS:
            yield NoticeEvent(level="danger", message="This answer was not one the question offered.")
            return
        if (
            asked is None
            or sender is None
            or sender.id != asked.item_id
            or thread.id != asked.thread_id
            or context.user_id != asked.context.user_id
        ):
            yield NoticeEvent(level="warning", message=NOT_WAITING)
            return
        question = asked.question
        reply = Reply(kind)
        if kind == "accept" and question.kind == "form":
            values, problems = _form_answer(question, payload.get(FORM_KEY))
            if problems:  # the person fixes the form; the question keeps waiting
                shown = question_widget(question, problems=problems)
                yield ThreadItemReplacedEvent(item=_replaced(sender, shown))
                return
            reply = Reply("accept", content=values)
        if asked.reply.done():  # answered meanwhile (another click, the timeout)
            yield NoticeEvent(level="warning", message=NOT_WAITING)
            return
        run = asked.run
        if run is not None:
            run.carried = True  # this stream carries the call from here: nobody else may
        asked.reply.set_result(reply)
        answered = ThreadItemReplacedEvent(item=_replaced(sender, answered_widget(question, reply)))
        if run is None:
            yield answered
            return
        async with guard(run.tool):
            try:
                yield answered
            except BaseException:  # cut off before the call's events: it goes, as with any stream
                run.carried = False
                run.task.cancel()
                raise
            async for event in run.events(lambda: self.store.generate_item_id("message", thread, context)):
                yield event

    async def close(self) -> None:
        """Cancel every parked call (the gateway is stopping); their questions' cards say so."""
        waiting = list(self._waiting.values())
        note = "The gateway stopped before an answer came."
        for asked in waiting:
            if not asked.reply.done():
                asked.reply.set_result(Reply("cancel", note=note))
        for task in list(self._background):
            task.cancel()
        async with anyio.create_task_group() as tasks:
            for asked in waiting:
                tasks.start_soon(self._closed_for_shutdown, asked, note)

    async def _closed_for_shutdown(self, asked: Asked, note: str) -> None:
        if asked.run is not None:
            await asked.run.cancel()
        if asked.item_id:
            closed = answered_widget(asked.question, Reply("cancel", note=note))
            with anyio.move_on_after(SAVE_TIMEOUT_S), contextlib.suppress(Exception):
                item = widget_item(asked.item_id, asked.thread_id, closed)
                await self.store.save_item(asked.thread_id, item, asked.context)


def _form_answer(question: Question, submitted: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed values of a form question's submit, and per-field problems."""
    schema = question.schema or {}
    values, problems = coerce_form_values(schema, submitted if is_object(submitted) else {})
    if not problems:
        problems = validate_arguments(schema, values)
    return values, problems


def _replaced(item: WidgetItem, rendered: Rendered) -> WidgetItem:
    return item.model_copy(update={"widget": rendered.widget, "copy_text": rendered.copy_text})
