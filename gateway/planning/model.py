"""The model planner: a conversation with an OpenAI-compatible model over the MCP tools.

Built on openai-agents and `chatkit.agents`: the thread's newest items become the model's input
(`history`), the registry's tools its function tools (`model_tools`), and the run's events
stream into the thread through `stream_agent_response`, reply text token by token. With
`model.base_url` the model is spoken to through the Chat Completions API (Ollama, vLLM,
LiteLLM, ...), else through OpenAI's Responses API. The openai client retries 429, 5xx and
lost connections with backoff; whatever still fails ends the turn with an error card that
says what to do, and the thread stays usable. Each turn's token usage is logged and added up
in the thread's metadata; a new thread gets a short title from the model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from agents import (
    Agent,
    Model,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    set_tracing_disabled,
)
from agents.usage import Usage
from chatkit.agents import stream_agent_response  # pyright: ignore[reportUnknownVariableType]  # its context parameter is an unparameterised AgentContext
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientToolCallItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
    WorkflowItem,
)

from gateway.calls import ToolCaller, widget_item
from gateway.config import ClientToolConfig, ModelConfig
from gateway.planning.history import HistoryConverter, load_history
from gateway.planning.model_errors import EmptyReply, explain
from gateway.planning.model_tools import ModelTools, TurnContext, stop_when_asked
from gateway.planning.model_transport import openai_client
from gateway.questions import Questions
from gateway.store.context import RequestContext

logger = logging.getLogger(__name__)

set_tracing_disabled(True)  # traces would otherwise be exported to OpenAI


class _OrphanedStreamWaits(logging.Filter):
    """chatkit's `stream_agent_response` merges the run's events with the tools' queue and
    leaves its wait on the one still pending when its consumer stops (the person pressed stop).
    That wait later ends with StopAsyncIteration, which asyncio reports at garbage collection as
    an error; it is the end of an iterator nobody reads any more, not a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        orphaned = record.exc_info is not None and isinstance(record.exc_info[1], StopAsyncIteration)
        return not (orphaned and str(record.msg).startswith("Task exception was never retrieved"))


_ASYNCIO_LOGGER = logging.getLogger("asyncio")
if not any(isinstance(f, _OrphanedStreamWaits) for f in _ASYNCIO_LOGGER.filters):
    _ASYNCIO_LOGGER.addFilter(_OrphanedStreamWaits())

DEFAULT_INSTRUCTIONS = (
    "You are the assistant of an MCP gateway: you act through the tools you are given. Each tool "
    "result is shown to the user as a widget, so do not repeat it at length; answer the question "
    "or summarise in a sentence or two. A tool that changes or deletes data may first need the "
    "user's confirmation in a widget: when a tool's output says so, tell the user in one sentence. "
    "Hidden context notes tell you what the user did through widgets."
)
TITLE_INSTRUCTIONS = (
    "Write a title of at most six words for a conversation that begins with the user's message. "
    "Answer with the title alone: no quotes, no full stop."
)
FAKE_ID = "__fake_id__"
"""The item id every Chat Completions message arrives with (openai-agents' placeholder)."""
_TITLE_CHARS = 80


class ModelPlanner:
    """Answers messages with a model turn over the registry's tools."""

    def __init__(
        self,
        config: ModelConfig,
        client_tools: Sequence[ClientToolConfig],
        caller: ToolCaller,
        store: Store[RequestContext],
        questions: Questions | None = None,
    ) -> None:
        self.config = config
        self.client_tools = list(client_tools)
        self.caller = caller
        self.store = store
        self.tools = ModelTools(caller, questions)
        self._model: tuple[asyncio.AbstractEventLoop, Model] | None = None

    def model(self) -> Model:
        """The agents SDK model; its openai client belongs to the event loop that made it."""
        loop = asyncio.get_running_loop()
        if self._model is None or self._model[0] is not loop:
            client = openai_client(self.config)
            model: Model = (
                OpenAIChatCompletionsModel(model=self.config.model, openai_client=client)
                if self.config.base_url
                else OpenAIResponsesModel(model=self.config.model, openai_client=client)
            )
            self._model = (loop, model)
        return self._model[1]

    async def respond(
        self, thread: ThreadMetadata, text: str | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """One model turn: `text` was just added to the thread (None: a client tool answered)."""
        turn = TurnContext(thread=thread, store=self.store, request_context=context)
        ids = _RealIds(turn.new_id, lambda: turn.generate_id("tool_call"))
        usage: Usage | None = None
        failed = False
        try:
            agent = Agent[TurnContext](
                name="gateway",
                instructions=self.config.instructions or DEFAULT_INSTRUCTIONS,
                model=self.model(),
                tools=list(self.tools.function_tools(self.caller.registry.tools(), self.client_tools)),
                model_settings=ModelSettings(temperature=self.config.temperature, include_usage=True),
                tool_use_behavior=stop_when_asked,
            )
            items = await load_history(self.store, thread, context, self.config.history_items)
            model_input = await HistoryConverter().to_agent_input(items)
            run = Runner.run_streamed(agent, model_input, context=turn, max_turns=self.config.max_turns)
        except Exception as exc:  # no client (no API key), or history the converter refused
            failed = True
            async for event in self._failed(thread, turn, ids, exc):
                yield event
        else:
            ended = False
            try:
                async for event in stream_agent_response(turn, run):
                    yield ids.rewrite(event)
                ended = True
                if not ids.shown and turn.stop is None:
                    raise EmptyReply("the model's reply held no text and no tool call")
            except Exception as exc:
                failed = ended = True
                for event in turn.drain():  # what the tools had finished when the run failed
                    yield ids.rewrite(event)
                async for event in self._failed(thread, turn, ids, exc):
                    yield event
            finally:
                if not ended:  # the person stopped the stream, or left: keep what the tools finished
                    turn.abandoned = True
                    for event in turn.drain():
                        if isinstance(event, ThreadItemDoneEvent):
                            await turn.save(event.item)
                turn.release()
                if not run.is_complete:
                    run.cancel()
            usage = run.context_wrapper.usage
        if text and not thread.title:
            thread.title = text[:_TITLE_CHARS] if failed else await self._title(text, thread)
        if usage is not None:
            _count_usage(thread, usage)

    async def _failed(
        self, thread: ThreadMetadata, turn: TurnContext, ids: _RealIds, exc: Exception
    ) -> AsyncIterator[ThreadStreamEvent]:
        """End the turn: keep what was said, close the open workflow, and say what went wrong."""
        heading, message = explain(exc, self.config)
        logger.warning("model turn in thread %s failed: %s: %s", thread.id, type(exc).__name__, exc)
        unfinished = ids.unfinished()
        if unfinished is not None:
            yield ThreadItemDoneEvent(item=unfinished)
        if turn.workflow_item is not None:
            yield ThreadItemDoneEvent(item=turn.workflow_item)
            turn.workflow_item = None
        rendered = self.caller.renderer.error(heading, message)
        yield ThreadItemDoneEvent(item=widget_item(turn.new_id(), thread.id, rendered))

    async def _title(self, text: str, thread: ThreadMetadata) -> str:
        """A short title from the model; the message's start if the model cannot give one."""
        agent = Agent[Any](
            name="title",
            instructions=TITLE_INSTRUCTIONS,
            model=self.model(),
            model_settings=ModelSettings(temperature=self.config.temperature, include_usage=True),
        )
        try:
            result = await Runner.run(agent, text[:2000], max_turns=1)
        except Exception as exc:
            logger.info("no title from the model for thread %s (%s): using the message", thread.id, exc)
            return text[:_TITLE_CHARS]
        _count_usage(thread, result.context_wrapper.usage, turn=False)
        title = str(result.final_output or "").strip().strip("\"'“”").splitlines()
        return (title[0].strip() if title and title[0].strip() else text)[:_TITLE_CHARS]


class _RealIds:
    """Gives each Chat Completions message and client tool call a store id (they all arrive as
    `__fake_id__`), and
    keeps the text of the message being streamed, to save it if the turn fails midway."""

    def __init__(self, new_id: Callable[[], str], new_call_id: Callable[[], str]) -> None:
        self._new_id = new_id
        self._new_call_id = new_call_id
        self._current: AssistantMessageItem | None = None
        self._texts: dict[int, str] = {}
        self.shown = 0
        """Items the turn showed: messages with text, widgets, workflows, client tool calls."""

    def rewrite(self, event: ThreadStreamEvent) -> ThreadStreamEvent:
        match event:
            case ThreadItemAddedEvent(item=AssistantMessageItem() as item):
                if item.id == FAKE_ID:
                    item.id = self._new_id()
                self._current, self._texts = item, {}
            case ThreadItemUpdatedEvent(item_id=item_id, update=update) if self._current is not None:
                if item_id == FAKE_ID:
                    event.item_id = self._current.id
                if isinstance(update, AssistantMessageContentPartTextDelta):
                    index = update.content_index
                    self._texts[index] = self._texts.get(index, "") + update.delta
            case ThreadItemDoneEvent(item=AssistantMessageItem() as item):
                if item.id == FAKE_ID:
                    item.id = self._current.id if self._current is not None else self._new_id()
                self._current = None
                self.shown += any(part.text.strip() for part in item.content)
            case ThreadItemDoneEvent(item=ClientToolCallItem() as item):
                if item.id == FAKE_ID:  # a second one in the thread would collide in the store
                    item.id = self._new_call_id()
                self.shown += 1
            case ThreadItemDoneEvent(item=WidgetItem() | WorkflowItem()):
                self.shown += 1
            case _:
                pass
        return event

    def unfinished(self) -> AssistantMessageItem | None:
        """The message cut off by a failure, with what had arrived of it (None when empty)."""
        if self._current is None or not "".join(self._texts.values()).strip():
            return None
        content = [AssistantMessageContent(text=self._texts[i]) for i in sorted(self._texts)]
        item = self._current.model_copy(update={"content": content, "created_at": datetime.now()})
        self._current = None
        return item


def _count_usage(thread: ThreadMetadata, usage: Usage, *, turn: bool = True) -> None:
    """Log a turn's token usage and add it to the thread's running totals (its metadata)."""
    if turn:
        logger.info(
            "model turn in thread %s: %d requests, %d input + %d output tokens",
            thread.id,
            usage.requests,
            usage.input_tokens,
            usage.output_tokens,
        )
    totals: dict[str, Any] = dict(thread.metadata.get("usage") or {})
    for key, value in (
        ("requests", usage.requests),
        ("input_tokens", usage.input_tokens),
        ("output_tokens", usage.output_tokens),
        ("total_tokens", usage.total_tokens),
        ("turns", 1 if turn else 0),
    ):
        totals[key] = int(totals.get(key, 0)) + value
    if turn:
        totals["last_turn"] = {
            "requests": usage.requests,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
        }
    thread.metadata = {**thread.metadata, "usage": totals}
