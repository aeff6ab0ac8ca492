"""One chat call's life as thread events, which may span several streams.

A call shows its progress live and ends with its result widget. When its server asks the
person something (an elicitation form, a URL to visit, a sampling approval), the question is
saved as a widget item and the call *parks*: the stream that started it ends, the call keeps
waiting (its deadline paused), and the stream of the request that carries the answer takes
it up again (`gateway.questions`). A page reload meanwhile loses nothing: the question is in
the thread, and the call waits for its answer until the server's `ask_timeout`.

A stream that goes away while it carries the call (not while the call is parked) cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from chatkit.types import (
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    WidgetRootUpdated,
)

from gateway.calls import CallOrigin, CallOutcome, ToolCaller, widget_item
from gateway.mcp.channel import CallChannel, LogLine
from gateway.mcp.tasks import TaskState
from gateway.render.chrome import task_card
from gateway.render.questions import question_widget
from gateway.render.widget import Rendered, badge, caption, card, finish, row, text
from gateway.store.context import RequestContext
from gateway.vocabulary.questions import Question, Reply
from gateway.vocabulary.tools import CheckedArguments, ToolInfo


@dataclass(eq=False)
class Asked:
    """A question a call is waiting on, and where its reply goes."""

    question: Question
    reply: asyncio.Future[Reply]
    run: CallRun | None
    """The parked call that goes on once it is answered (None: a call whose stream waits)."""
    context: RequestContext
    """Whose call it is: only they may answer, and a call that finishes unattended is saved as theirs."""
    thread_id: str = ""
    item_id: str = ""
    """The question's widget item."""


class CallRun:
    """A call in flight, whose events any stream can carry on with."""

    def __init__(
        self,
        caller: ToolCaller,
        thread_id: str,
        tool: ToolInfo,
        arguments: CheckedArguments,
        *,
        origin: CallOrigin,
        ask: Callable[[CallRun, Question], Asked],
        tasks: RunningTasks | None = None,
    ) -> None:
        """`ask` registers a question of this call (`gateway.questions`)."""
        self.thread_id = thread_id
        self.tool = tool
        self._renderer = caller.renderer
        self._updates: asyncio.Queue[Rendered | Asked | LogLine | TaskState] = asyncio.Queue()
        self._ask = ask
        self._tasks = tasks
        self.user_id = origin.user_id
        self.task_state: TaskState | None = None
        self.task_item_id: str | None = None
        """The card of the call's MCP task, when the tool runs as one."""
        self.parked: Asked | None = None
        """The question the call waits on while no stream carries it."""
        self.carried = False
        """A stream is carrying the call's events now."""
        self.progress_id: str | None = None
        channel = CallChannel(
            tool.server,
            asker=self._question,
            logger=self._updates.put_nowait,
            on_task=self._updates.put_nowait,
        )
        self.task = asyncio.ensure_future(
            caller.call(tool, arguments, origin=origin, progress=self._progress, channel=channel)
        )
        self.task.add_done_callback(self._ended)

    def _ended(self, _task: asyncio.Future[CallOutcome]) -> None:
        if self._tasks is not None and self.task_state is not None:
            self._tasks.discard(self.task_state)

    @property
    def outcome(self) -> CallOutcome:
        """The finished call's outcome."""
        return self.task.result()

    async def _progress(self, progress: float, total: float | None, message: str | None) -> None:
        self._updates.put_nowait(self._renderer.progress(self.tool, progress, total, message))

    async def _question(self, question: Question) -> Reply:
        asked = self._ask(self, question)
        self._updates.put_nowait(asked)
        # Shielded: a call that ends while asking leaves the reply to `gateway.questions`.
        return await asyncio.shield(asked.reply)

    async def events(
        self, new_id: Callable[[], str], *, result_id: str | None = None, final: bool = True
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Events until the call ends (its result widget, at `result_id`, unless not `final`) or
        parks on a question (the question's widget, saved)."""
        self.carried, self.parked = True, None
        try:
            while not (self.task.done() and self._updates.empty()):
                update = await self._next()
                if update is None:
                    continue
                if isinstance(update, Asked):
                    if update.reply.done():  # answered for the person already (it timed out)
                        continue
                    async for event in self._park(update, new_id):
                        yield event
                    return
                if isinstance(update, LogLine):
                    if update.severe:
                        yield ThreadItemDoneEvent(item=widget_item(new_id(), self.thread_id, _log(update)))
                    continue
                if isinstance(update, TaskState):
                    yield self._task_shown(update, new_id)
                    continue
                if self.progress_id is None:
                    self.progress_id = new_id()
                    yield ThreadItemAddedEvent(item=widget_item(self.progress_id, self.thread_id, update))
                else:
                    yield ThreadItemUpdatedEvent(
                        item_id=self.progress_id, update=WidgetRootUpdated(widget=update.widget)
                    )
            rendered = self.outcome.rendered
            if self.task_state is not None and self.task_state.status == "cancelled" and not self.outcome.ok:
                rendered = task_card(
                    self.tool, self.task_state.task_id, "cancelled", "The task was cancelled."
                )
            if final and self.task_item_id is not None:  # the task's card becomes its result
                if self.progress_id is not None:
                    yield ThreadItemRemovedEvent(item_id=self.progress_id)
                yield ThreadItemReplacedEvent(item=widget_item(self.task_item_id, self.thread_id, rendered))
            elif final:
                item_id = self.progress_id or result_id or new_id()
                yield ThreadItemDoneEvent(item=widget_item(item_id, self.thread_id, rendered))
            elif self.progress_id is not None:
                yield ThreadItemRemovedEvent(item_id=self.progress_id)
            self.progress_id = None
        finally:
            self.carried = False
            if self.parked is None and not self.task.done():  # the stream went away: so does the call
                await self.cancel()

    def _task_shown(self, state: TaskState, new_id: Callable[[], str]) -> ThreadStreamEvent:
        """The task's card, saved when it first appears (its Cancel button needs a stored sender)."""
        self.task_state = state
        item = task_card(self.tool, state.task_id, state.status, state.message)
        if self.task_item_id is None:
            self.task_item_id = new_id()
            if self._tasks is not None:
                self._tasks.add(state, self)
            return ThreadItemDoneEvent(item=widget_item(self.task_item_id, self.thread_id, item))
        return ThreadItemReplacedEvent(item=widget_item(self.task_item_id, self.thread_id, item))

    async def _next(self) -> Rendered | Asked | LogLine | TaskState | None:
        """The next update; None when the call ended with nothing left to show."""
        getter = asyncio.ensure_future(self._updates.get())
        try:
            await asyncio.wait({self.task, getter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getter.done():
                getter.cancel()
        if not getter.cancelled() and getter.done():
            update = getter.result()
            if isinstance(update, Rendered):  # a fast server may outrun the browser: show the newest
                while not self._updates.empty() and isinstance(self._updates._queue[0], Rendered):  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
                    update = self._updates.get_nowait()
            return update
        return None

    async def _park(self, asked: Asked, new_id: Callable[[], str]) -> AsyncIterator[ThreadStreamEvent]:
        if self.progress_id is not None:  # a new stream shows progress afresh after the answer
            yield ThreadItemRemovedEvent(item_id=self.progress_id)
            self.progress_id = None
        asked.thread_id, asked.item_id = self.thread_id, new_id()
        self.parked = asked
        rendered = question_widget(asked.question)
        yield ThreadItemDoneEvent(item=widget_item(asked.item_id, self.thread_id, rendered))

    async def cancel(self) -> None:
        """Cancel the call on the server, and wait for it to end."""
        if not self.task.done():
            self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


class RunningTasks:
    """The MCP tasks this process's chat calls are running, by server and task id: what a
    task card's Cancel may stop."""

    def __init__(self) -> None:
        self._runs: dict[tuple[str, str], CallRun] = {}

    def add(self, task: TaskState, run: CallRun) -> None:
        """Keep `run` as the call running `task`."""
        self._runs[(task.server, task.task_id)] = run

    def discard(self, task: TaskState) -> None:
        """Forget a task whose call ended."""
        self._runs.pop((task.server, task.task_id), None)

    def find(
        self, server: Any, task_id: Any, thread_id: str, item_id: str | None, user_id: str
    ) -> CallRun | None:
        """The run of that task, if it runs in that thread, shown in that item, for that person."""
        key = (server, task_id)
        run = self._runs.get(key) if isinstance(server, str) and isinstance(task_id, str) else None
        if run is None or (run.thread_id, run.task_item_id, run.user_id) != (thread_id, item_id, user_id):
            return None
        return run


def _log(line: LogLine) -> Rendered:
    color = "danger" if line.level not in ("warning", "notice") else "warning"
    head = row(
        badge(line.level, color),
        caption(f"{line.server}" + (f" · {line.logger}" if line.logger else "")),
        gap=2,
    )
    return finish(
        card(head, text(line.text, size="sm"), size="sm"), f"{line.server} log ({line.level}): {line.text}"
    )
