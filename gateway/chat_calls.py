"""Tool calls as a thread's events: the streams that carry them, and the actions that reach
into a call while it runs.

A call runs as a `CallRun` (`gateway.call_run`): live progress, its MCP task's status, its
server's log lines and questions, then its result. This module starts runs for a thread,
saves an error item where a call's widget would have been when its stream is cut off, and
takes the two actions aimed at a running call:

- ``question.answer``: the person's answer to a server's question (`gateway.questions`);
- ``task.cancel``: stop a running MCP task, taken only for a task this process runs for that
  thread, from the card that shows it, by the person whose call it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import anyio
from chatkit.store import Store
from chatkit.types import NoticeEvent, ThreadMetadata, ThreadStreamEvent, WidgetItem

from gateway.call_run import Asked, CallRun, RunningTasks
from gateway.calls import CallOrigin, ToolCaller, interrupted_text, widget_item
from gateway.errors import ToolCallError
from gateway.mcp.tasks import cancel_task
from gateway.protocol import SAVE_TIMEOUT_S
from gateway.questions import Questions
from gateway.store.context import RequestContext
from gateway.vocabulary.actions import TASK_CANCEL
from gateway.vocabulary.questions import QUESTION_ANSWER, Question
from gateway.vocabulary.tools import CheckedArguments, ToolInfo

logger = logging.getLogger(__name__)

CALL_ACTIONS = frozenset({QUESTION_ANSWER, TASK_CANCEL})


class ChatCalls:
    """Starts the chat's calls and takes the actions aimed at calls in flight."""

    def __init__(self, store: Store[RequestContext], caller: ToolCaller) -> None:
        self.store = store
        self.caller = caller
        self.questions = Questions(store)
        """What servers asked the person, waiting here for the answer."""
        self.tasks = RunningTasks()

    def new_id(self, thread: ThreadMetadata, context: RequestContext) -> Callable[[], str]:
        """Makes store ids for new items of `thread`."""
        return lambda: self.store.generate_item_id("message", thread, context)

    def run(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        tool: ToolInfo,
        arguments: CheckedArguments,
        origin: CallOrigin,
    ) -> CallRun:
        """Start a call whose server may ask the person questions in this thread."""
        timeout = self.caller.registry.ask_timeout(tool.server)

        def ask(run: CallRun, question: Question) -> Asked:
            return self.questions.ask(question, run=run, context=context, timeout=timeout)

        return CallRun(self.caller, thread.id, tool, arguments, origin=origin, ask=ask, tasks=self.tasks)

    async def stream(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        tool: ToolInfo,
        arguments: CheckedArguments,
        origin: CallOrigin,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The call's events (live progress, then its widget); an interrupted call leaves an error item."""
        item_id = self.store.generate_item_id("message", thread, context)
        run = self.run(thread, context, tool, arguments, origin)
        async with self.saved_if_interrupted(thread, context, tool, item_id):
            async for event in run.events(self.new_id(thread, context), result_id=item_id):
                yield event

    @contextlib.asynccontextmanager
    async def saved_if_interrupted(
        self, thread: ThreadMetadata, context: RequestContext, tool: ToolInfo, item_id: str
    ) -> AsyncGenerator[None, None]:
        """If the stream is cancelled during the call (the gateway stopping, the client gone),
        save an error item where the call's widget would have been, so the thread says so."""
        try:
            yield
        except (asyncio.CancelledError, GeneratorExit):
            rendered = self.caller.renderer.error(*interrupted_text(tool), tool=tool)
            with anyio.CancelScope(shield=True), anyio.move_on_after(SAVE_TIMEOUT_S):
                try:
                    await self.store.add_thread_item(
                        thread.id, widget_item(item_id, thread.id, rendered), context
                    )
                except Exception as exc:
                    logger.warning("could not save the interruption of %s: %s", tool.qualified, exc)
            raise

    async def action(
        self,
        thread: ThreadMetadata,
        kind: str,
        payload: dict[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Take an answer to a question, or a task's Cancel."""
        if kind == QUESTION_ANSWER:

            def guard(tool: ToolInfo) -> contextlib.AbstractAsyncContextManager[None]:
                return self.saved_if_interrupted(thread, context, tool, self.new_id(thread, context)())

            async for event in self.questions.answer(thread, payload, sender, context, guard=guard):
                yield event
            return
        sender_id = sender.id if sender else None
        run = self.tasks.find(
            payload.get("server"), payload.get("task"), thread.id, sender_id, context.user_id
        )
        if run is None or run.task_state is None:
            yield NoticeEvent(
                level="warning", message="This task is no longer running here: nothing to cancel."
            )
            return
        try:
            client = await self.caller.registry.client_for(run.tool.server)
            status = await cancel_task(client, run.task_state.task_id)
        except ToolCallError as exc:
            status, reason = None, str(exc)
        else:
            reason = "it refused" if status is None else f"it says the task is {status}"
        if status == "cancelled":
            yield NoticeEvent(level="info", message=f"Cancelled {run.tool.qualified}.")
        else:
            yield NoticeEvent(
                level="warning", message=f"{run.tool.server} did not cancel the task: {reason}."
            )
