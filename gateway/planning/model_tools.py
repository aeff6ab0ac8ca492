"""The model's tools: every registry tool (and each configured client tool) as a function tool.

A model's call goes through the one planner (`plan_model_call`): arguments that fail the
tool's schema show its form with the problems, a destructive tool shows a confirmation card,
and only then does the call run, through the same `ToolCaller` as a slash command (audit,
rendering, error cards). While it runs it is a task in a workflow item (running, then done
or failed); its widget is streamed from inside the call; the model is given the widget's
`copy_text` and the structured content, bounded. A form or a confirmation ends the turn:
the person answers in the widget, and the model learns the outcome in the next turn.

A client tool is run by the browser: the call becomes a pending client tool call and the turn
ends; the browser's `threads.add_client_tool_output` resumes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import anyio
from agents import FunctionTool, RunContextWrapper, ToolsToFinalOutputResult
from agents.tool import FunctionToolResult
from agents.tool_context import ToolContext
from chatkit.agents import AgentContext, ClientToolCall
from chatkit.types import (
    CustomTask,
    ProgressUpdateEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    Workflow,
    WorkflowItem,
    WorkflowTaskUpdated,
)
from pydantic import BaseModel, PrivateAttr

from gateway.calls import CallOrigin, CallOutcome, ToolCaller, interrupted_text, widget_item
from gateway.config import ClientToolConfig
from gateway.errors import UnknownToolError
from gateway.mcp.channel import CallChannel
from gateway.planning.decisions import AskConfirmation, Call, ShowForm, plan_model_call
from gateway.planning.history import note_item, tool_call_note
from gateway.protocol import SAVE_TIMEOUT_S
from gateway.questions import Questions
from gateway.render.blocks import model_text
from gateway.render.questions import answered_widget, question_widget
from gateway.store.context import RequestContext
from gateway.vocabulary.json import is_object
from gateway.vocabulary.questions import Question, Reply
from gateway.vocabulary.tools import ToolInfo

logger = logging.getLogger(__name__)

OUTPUT_CHARS = 8000
"""The most of one tool result the model is given (its copy text and structured content)."""


class TurnContext(AgentContext[RequestContext]):
    """One model turn: the SDK's agent context, and what the gateway's tools decide during it."""

    stop: str | None = None
    """Why the turn ends after this round of tool calls (a widget waits for the person)."""
    abandoned: bool = False
    """The stream is gone (the person stopped it, or left): what tools finish goes straight to the store."""
    _one_call_at_a_time: asyncio.Lock = PrivateAttr(default_factory=asyncio.Lock)

    def new_id(self) -> str:
        """A store id for a new item of this thread."""
        return self.store.generate_item_id("message", self.thread, self.request_context)

    async def emit(self, event: ThreadStreamEvent) -> None:
        """Send an event into the turn's stream; once the stream is gone, save finished items instead."""
        if not self.abandoned:
            await self.stream(event)
        elif isinstance(event, ThreadItemDoneEvent):
            await self.save(event.item)

    async def save(self, item: ThreadItem) -> None:
        """Store an item now, whatever cancellation is under way (bounded in time)."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(SAVE_TIMEOUT_S):
            try:
                await self.store.add_thread_item(self.thread.id, item, self.request_context)
            except Exception as exc:
                logger.warning("could not save %s of an abandoned model turn: %s", item.type, exc)

    def release(self) -> None:
        """Wake the SDK's consumer if it still waits on the queue (it stopped early): with an
        ordinary event, so its orphaned wait ends without an exception nobody retrieves."""
        self._events.put_nowait(ProgressUpdateEvent(text=""))  # pyright: ignore[reportPrivateUsage]

    def drain(self) -> list[ThreadStreamEvent]:
        """Events the tools queued that the SDK's consumer has not taken (it stopped early)."""
        taken: list[ThreadStreamEvent] = []
        while True:
            try:
                event = self._events.get_nowait()  # pyright: ignore[reportPrivateUsage]
            except asyncio.QueueEmpty:
                return taken
            if isinstance(event, BaseModel):  # not the SDK's end-of-queue marker
                taken.append(event)


class ModelTools:
    """Builds the function tools of one turn from the registry's tools and the client tools."""

    def __init__(self, caller: ToolCaller, questions: Questions | None = None) -> None:
        self.caller = caller
        self.questions = questions
        self._built: dict[str, tuple[ToolInfo, FunctionTool]] = {}
        """Each tool's function tool, kept while the registry keeps the same ToolInfo (until a
        change of its server's tools): building one costs about 20 µs, 10 ms a turn at 500 tools."""

    def function_tools(
        self, tools: Sequence[ToolInfo], client_tools: Sequence[ClientToolConfig]
    ) -> list[FunctionTool]:
        """The model's tools: MCP tools under their model names, then the client tools."""
        built: dict[str, tuple[ToolInfo, FunctionTool]] = {}
        for tool in tools:
            known = self._built.get(tool.qualified)
            built[tool.qualified] = (
                known if known is not None and known[0] is tool else (tool, self._mcp_tool(tool))
            )
        self._built = built
        offered = [function for _, function in built.values()]
        taken = {tool.name for tool in offered}
        offered += [_client_tool(spec) for spec in client_tools if spec.name not in taken]
        return offered

    def _mcp_tool(self, tool: ToolInfo) -> FunctionTool:
        qualified = tool.qualified

        async def invoke(ctx: ToolContext[TurnContext], arguments: str) -> str:
            return await self._invoke(ctx, qualified, arguments)

        description = tool.description or tool.label
        return FunctionTool(
            name=tool.model_name,
            description=description[:1024],
            params_json_schema=model_schema(tool.input_schema),
            on_invoke_tool=invoke,  # pyright: ignore[reportArgumentType]  # the SDK types ctx as ToolContext[Any]
            strict_json_schema=False,  # strict mode rewrites optional arguments and refuses MCP schemas
        )

    async def _invoke(self, ctx: ToolContext[TurnContext], qualified: str, arguments: str) -> str:
        turn = ctx.context
        # One call at a time: each call's workflow task and widget come in order, as they ran.
        async with turn._one_call_at_a_time:  # pyright: ignore[reportPrivateUsage]
            try:
                tool = self.caller.registry.resolve(qualified)
            except UnknownToolError as exc:  # removed by a reload since the turn began
                return json.dumps({"error": str(exc)})
            decision = plan_model_call(tool, arguments)
            widget_id = turn.new_id()
            match decision:
                case ShowForm(values=values, problems=problems):
                    rendered = self.caller.renderer.form(tool, values=values, problems=problems)
                    turn.stop = "form"
                    output = json.dumps(
                        {
                            "not_run": "The arguments did not fit the tool's input schema.",
                            "problems": problems,
                            "next": "The user was shown the tool's form to correct them; the turn ends here.",
                        }
                    )
                case AskConfirmation(values=values):
                    rendered = self.caller.renderer.confirm(tool, values)
                    turn.stop = "confirmation"
                    output = json.dumps(
                        {
                            "not_run": f"{tool.qualified} changes or deletes data: the user must confirm it first.",
                            "next": "A confirmation card was shown; the outcome arrives in the user's next message.",
                        }
                    )
                case Call():
                    try:
                        outcome = await self._call(turn, decision)
                    except asyncio.CancelledError:  # the stream is gone and the run was cancelled
                        await self._interrupted(turn, tool, ctx.tool_call_id, arguments, widget_id)
                        raise
                    rendered, output = outcome.rendered, model_output(outcome)
            await turn.emit(ThreadItemDoneEvent(item=widget_item(widget_id, turn.thread.id, rendered)))
            await turn.emit(
                _note(turn, tool_call_note(ctx.tool_call_id, tool.model_name, arguments, output, widget_id))
            )
            return output

    async def _interrupted(
        self, turn: TurnContext, tool: ToolInfo, call_id: str, arguments: str, widget_id: str
    ) -> None:
        """Leave the thread saying a call was cut short, as the slash-command path does."""
        rendered = self.caller.renderer.error(*interrupted_text(tool), tool=tool)
        output = json.dumps({"interrupted": f"{tool.qualified} was cancelled midway; it may have run."})
        await turn.save(widget_item(widget_id, turn.thread.id, rendered))
        await turn.save(
            _note(turn, tool_call_note(call_id, tool.model_name, arguments, output, widget_id)).item
        )

    async def _call(self, turn: TurnContext, call: Call) -> CallOutcome:
        """The call, shown as the one task of a workflow item while it runs (with the server's
        progress), marked done or failed when it ends; the widget that follows closes it."""
        tool = call.tool
        task = CustomTask(title=f"Calling {tool.qualified}", icon="bolt", status_indicator="loading")
        # A workflow of its own per call: the SDK's shared one is ended by its event consumer,
        # which runs behind the tools, so a second call would land in the first call's workflow.
        workflow = WorkflowItem(
            id=turn.generate_id("workflow"),
            thread_id=turn.thread.id,
            created_at=datetime.now(),
            workflow=Workflow(type="custom", tasks=[task], expanded=False),
        )
        await turn.emit(ThreadItemAddedEvent(item=workflow))

        async def show(update: CustomTask) -> None:
            workflow.workflow.tasks[0] = update
            await turn.stream(
                ThreadItemUpdatedEvent(
                    item_id=workflow.id, update=WorkflowTaskUpdated(task=update, task_index=0)
                )
            )

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            share = f"{progress:g}/{total:g}" if total else f"{progress:g}"
            await show(task.model_copy(update={"content": f"{share}{': ' + message if message else ''}"}))

        origin = CallOrigin(user_id=turn.request_context.user_id, thread_id=turn.thread.id, via="model")
        channel = CallChannel(tool.server, asker=self._asker(turn, tool) if self.questions else None)
        outcome = await self.caller.call(
            tool, call.arguments, origin=origin, progress=on_progress, channel=channel
        )
        await show(
            CustomTask(
                title=tool.qualified + ("" if outcome.ok else " failed"),
                icon="check-circle" if outcome.ok else "bug",
                content=None if outcome.ok else (outcome.error or outcome.rendered.copy_text),
                status_indicator="complete",
            )
        )
        return outcome

    def _asker(self, turn: TurnContext, tool: ToolInfo) -> Callable[[Question], Awaitable[Reply]]:
        """Asks in the turn's stream, which waits for the answer (a model turn cannot park)."""
        questions = self.questions
        assert questions is not None
        timeout = self.caller.registry.ask_timeout(tool.server)

        async def ask(question: Question) -> Reply:
            asked = questions.ask(question, run=None, context=turn.request_context, timeout=timeout)
            asked.thread_id, asked.item_id = turn.thread.id, turn.new_id()
            shown = widget_item(asked.item_id, turn.thread.id, question_widget(question))
            await turn.emit(ThreadItemDoneEvent(item=shown))
            reply = await asked.reply
            if reply.note:  # closed without the person: say so where the question was
                closed = widget_item(asked.item_id, turn.thread.id, answered_widget(question, reply))
                await turn.emit(ThreadItemReplacedEvent(item=closed))
            return reply

        return ask


def _note(turn: TurnContext, content: object) -> ThreadItemDoneEvent:
    return ThreadItemDoneEvent(item=note_item(turn.new_id(), turn.thread.id, content))


def _client_tool(spec: ClientToolConfig) -> FunctionTool:
    async def invoke(ctx: ToolContext[TurnContext], arguments: str) -> str:
        try:
            value = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            return json.dumps({"error": f"the arguments are not valid JSON ({exc}); nothing was sent"})
        ctx.context.client_tool_call = ClientToolCall(
            name=spec.name, arguments=value if is_object(value) else {}
        )
        ctx.context.stop = "client tool"
        return json.dumps({"sent": f"{spec.name} runs in the user's browser; its output arrives next."})

    return FunctionTool(
        name=spec.name,
        description=spec.description or spec.name,
        params_json_schema=model_schema(spec.input_schema),
        on_invoke_tool=invoke,  # pyright: ignore[reportArgumentType]
        strict_json_schema=False,
    )


def stop_when_asked(
    ctx: RunContextWrapper[TurnContext], results: list[FunctionToolResult]
) -> ToolsToFinalOutputResult:
    """The agent's tool-use behaviour: go on after tool calls, unless a widget now waits for the person."""
    del results
    return ToolsToFinalOutputResult(is_final_output=ctx.context.stop is not None, final_output="")


def model_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema as function-calling APIs take it: an object with `properties`."""
    fixed = dict(schema)
    fixed["type"] = "object"
    fixed.setdefault("properties", {})
    return fixed


def model_output(outcome: CallOutcome, limit: int = OUTPUT_CHARS) -> str:
    """What the model is given of a call: what the person saw, and the data, bounded.

    Content annotations (`gateway.render.blocks`): blocks for the assistant alone, which the
    widget and its copy_text leave out, are given to the model: in `text`, or beside structured
    content as `for_assistant`; blocks for the user alone are left out of `text` (the model
    still sees what the person was shown, in `shown_to_user`)."""
    given: dict[str, Any] = {"shown_to_user": outcome.rendered.copy_text}
    result = outcome.result
    if result is None:
        given["error"] = outcome.error or "the call produced no result"
    else:
        if result.is_error:
            given["is_error"] = True
        if result.structured_content is not None:
            given["structured_content"] = result.structured_content
            hidden = model_text(result.content, assistant_only=True)
            if hidden:
                given["for_assistant"] = hidden[: limit // 2]
        else:
            given["text"] = model_text(result.content) or ""
    text = json.dumps(given, ensure_ascii=False, default=str)
    if len(text) <= limit:
        return text
    for key in ("structured_content", "text"):
        if key in given:
            whole = json.dumps(given.pop(key), ensure_ascii=False, default=str)
            room = max(0, limit - len(json.dumps(given)) - 200)
            given[f"{key}_cut"] = whole[:room]
            given["note"] = f"{key} cut to its first {room} of {len(whole)} characters"
    return json.dumps(given, ensure_ascii=False, default=str)[: limit + 400]
