"""GatewayServer: the ChatKit server whose answers are MCP tool calls rendered as widgets.

It decides nothing itself: `gateway.planning.decisions` decides what a typed command or a
widget action leads to (catalog, form, confirmation, call), and the model planner
(`gateway.planning.model`) answers plain text when a model is configured. This module carries
those decisions out as ChatKit events: widgets, in-place replacements, notices. Every call
goes through `ToolCaller`, so every result is rendered and audited the same way.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from chatkit.actions import Action
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    HiddenContextItem,
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

from gateway.calls import CallOrigin, CallOutcome, ToolCaller, widget_item
from gateway.chat_calls import CALL_ACTIONS, ChatCalls
from gateway.chat_offerings import Offerings
from gateway.config import ClientToolConfig, ModelConfig
from gateway.errors import StoreUnavailableError, UnknownToolError
from gateway.planning.arguments import prepare_arguments
from gateway.planning.decisions import (
    AskConfirmation,
    Call,
    Cancel,
    MessageDecision,
    Refuse,
    Say,
    ShowCatalog,
    ShowForm,
    ShowValue,
    plan_action,
    plan_message,
)
from gateway.planning.history import action_note, note_item
from gateway.planning.model import ModelPlanner
from gateway.protocol import ProtocolServer
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext
from gateway.vocabulary.actions import TOOL_CANCEL, TOOL_CONFIRM
from gateway.vocabulary.json import object_or_empty

logger = logging.getLogger(__name__)


class Claims(Protocol):
    """Single-use tokens shared by every replica (the store's claims table)."""

    async def claim(self, key: str, user_id: str) -> bool:
        """True for the first caller of `key`, False for every later one."""
        ...

    async def taken(self, key: str) -> bool:
        """True once anyone has claimed `key` (claims nothing)."""
        ...


class GatewayServer(ProtocolServer):
    """ChatKit server over the MCP tool registry: commands and widgets without a model, a conversation with one."""

    def __init__(self, store: Store[RequestContext], caller: ToolCaller, claims: Claims) -> None:
        super().__init__(store)
        self.caller = caller
        self.claims = claims
        self.registry = caller.registry
        self.offerings = Offerings(caller, store, lambda: self.model)  # MCP prompts and resources
        self.calls = ChatCalls(store, caller)
        """Calls as thread events, with the questions their servers ask and the tasks they run."""
        self.questions = self.calls.questions
        self.model: ModelPlanner | None = None
        """The model that holds conversations, when one is configured (else the command planner)."""

    def use_model(self, config: ModelConfig | None, client_tools: Sequence[ClientToolConfig] = ()) -> None:
        """Hold conversations with this model from the next message on (None: commands only)."""
        if config is None:
            self.model = None
        elif self.model is None or (self.model.config, self.model.client_tools) != (
            config,
            list(client_tools),
        ):
            self.model = ModelPlanner(config, client_tools, self.caller, self.store, self.questions)

    @property
    def renderer(self) -> Renderer:
        """The caller's renderer: a config reload replaces it, and the next request uses the new one."""
        return self.caller.renderer

    # -- messages -------------------------------------------------------------------------

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Answer a message: the model's turn, or what the command planner decided."""
        model = self.model  # a reload may swap it: this turn keeps the one it started with
        text = _message_text(input_user_message) if input_user_message is not None else None
        decision = plan_message(text, self.registry, model=model is not None) if text is not None else None
        if decision is None:  # plain text for the model, or a client tool's output it goes on from
            if model is not None:
                async for event in model.respond(thread, text, context):
                    yield event
            return
        if not thread.title and text:
            thread.title = text[:80]
        async for event in self._carry_out(thread, context, decision):
            yield event

    async def _carry_out(
        self, thread: ThreadMetadata, context: RequestContext, decision: MessageDecision
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Show what the planner decided for a typed message (a catalog, a form, a confirmation, a call)."""
        match decision:
            case ShowCatalog():
                registry = self.registry
                catalog = self.renderer.catalog(registry.tools(), registry.servers(), registry.prompts())
                yield self._widget_done(thread, context, catalog)
            case Say(text=text):
                yield self._message(thread, context, text)
            case ShowForm(tool=tool, values=values, problems=problems):
                yield self._widget_done(
                    thread, context, self.renderer.form(tool, values=values, problems=problems)
                )
            case AskConfirmation(tool=tool, values=values):
                yield self._widget_done(thread, context, self.renderer.confirm(tool, values))
            case Call(tool=tool, arguments=arguments, via=via):
                async for event in self.calls.stream(
                    thread, context, tool, arguments, _origin(thread, context, via)
                ):
                    yield event
            case _:  # MCP prompts and resources
                async for event in self.offerings.carry_out(thread, context, decision):
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
        handle = self.offerings.action if self.offerings.handles(action.type) else self._handle_action
        async for event in handle(thread, action, sender, context):
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
                if not isinstance(event.item, HiddenContextItem):
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
        if action.type in CALL_ACTIONS:  # answers and cancels, checked against the calls running here
            async for event in self.calls.action(thread, action.type, payload, sender, context):
                yield event
            return
        decision = plan_action(action.type, payload, _dump(sender) if sender else None, self.registry)
        answer = f"confirm/{thread.id}/{sender.id}" if sender else None  # the card's one answer
        if isinstance(decision, Refuse):
            # A click that lost the race finds the card already replaced by the answer, which
            # no longer fires its action: it was answered, not forged.
            if answer and action.type in (TOOL_CONFIRM, TOOL_CANCEL) and await self._answered(answer):
                yield _ANSWERED
            else:
                yield _refused(decision.message)
            return
        assert sender is not None and answer is not None, "plan_action refuses an action no widget sent"
        # One answer per confirmation card, however many clicks and replicas race for it.
        if action.type in (TOOL_CONFIRM, TOOL_CANCEL) and not await self.claims.claim(
            answer, context.user_id
        ):
            yield _ANSWERED
            return
        match decision:
            case Cancel():
                yield ThreadItemRemovedEvent(item_id=sender.id)
                yield NoticeEvent(level="info", message="Cancelled: nothing was called.")
            case ShowForm(tool=tool, values=values, problems=problems, in_place=in_place, fixed=fixed):
                form = self.renderer.form(tool, values=values, problems=problems, fixed=fixed)
                if in_place:  # re-show the submitted form in place, with the problems
                    yield ThreadItemReplacedEvent(item=_replaced(sender, form))
                else:
                    yield self._widget_done(thread, context, form)
            case AskConfirmation(tool=tool, values=values, source=source):
                origin = {**(source or {}), "item_id": sender.id}
                yield self._widget_done(thread, context, self.renderer.confirm(tool, values, source=origin))
            case Call():
                async for event in self._action_call(thread, sender, decision, context):
                    yield event
            case ShowValue(label=label, text=text, as_data=as_data):  # calls nothing
                yield self._widget_done(
                    thread, context, self.renderer.full_value(label, text, as_data=as_data)
                )

    async def _answered(self, answer: str) -> bool:
        """Whether a confirmation card's answer is claimed; False when the store cannot say."""
        try:
            return await self.claims.taken(answer)
        except StoreUnavailableError:
            return False  # the refusal stands; the store's outage is reported by the store

    async def _action_call(
        self, thread: ThreadMetadata, sender: WidgetItem, call: Call, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Run an action's call: a read-only answer as a new widget; a change shown in place."""
        confirmed_by = context.user_id if call.confirmed else None
        origin = _origin(thread, context, call.via, confirmed_by=confirmed_by)
        tool = call.tool
        if tool.read_only:  # nothing changes: show the answer as a new widget
            async for event in self.calls.stream(thread, context, tool, call.arguments, origin):
                if isinstance(event, ThreadItemDoneEvent) and isinstance(event.item, WidgetItem):
                    note = self._action_note(thread, context, call, event.item.copy_text)
                    if note is not None:
                        yield note
                yield event
            return
        item_id = self.store.generate_item_id("message", thread, context)
        run = self.calls.run(thread, context, tool, call.arguments, origin)
        async with self.calls.saved_if_interrupted(thread, context, tool, item_id):
            async for event in run.events(self.calls.new_id(thread, context), result_id=item_id, final=False):
                yield event
        if run.parked is not None:  # the server asked the person: the answer's stream goes on
            return
        outcome = run.outcome
        note = self._action_note(thread, context, call, outcome.rendered.copy_text)
        if note is not None:
            yield note
        if not outcome.ok:
            yield ThreadItemDoneEvent(item=widget_item(item_id, thread.id, outcome.rendered))
            return
        async for event in self._show_new_state(thread, sender, call.source, outcome, context):
            yield event

    def _action_note(
        self, thread: ThreadMetadata, context: RequestContext, call: Call, shown: str | None
    ) -> ThreadStreamEvent | None:
        """Hidden context for the model: what a person did through a widget, and what came of it."""
        if self.model is None:
            return None
        content = action_note(call.tool, call.arguments.values, call.via, shown)
        return ThreadItemDoneEvent(
            item=note_item(self.store.generate_item_id("message", thread, context), thread.id, content)
        )

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


_ANSWERED = NoticeEvent(level="warning", message="This confirmation was already answered.")


def _refused(message: str) -> NoticeEvent:
    return NoticeEvent(level="danger", title="Action refused", message=message)
