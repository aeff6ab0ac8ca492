"""MCP prompts and resources in the chat: carrying out what `gateway.planning.offerings` decided.

The server hands this module the typed commands about prompts and resources (`/resources`,
`/read <uri>`, `/<server>.<prompt> ...`) and the actions of its widgets (`resource.read`,
`resource.list`, `prompt.form`, `prompt.get`), and adds the servers' prompts to the catalog.
Every answer is a widget (or a short message); a failure is an error card that says why. An
action runs only if the gateway issued it in the widget that sends it (checked by the planner).

With a model configured, a prompt's messages are shown and then given to the model as the
person's request (a hidden note holding their text), and the model answers them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from chatkit.actions import Action
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    NoticeEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
)
from mcp.types import Prompt, ReadResourceResult

from gateway import safe_json
from gateway.calls import ToolCaller, widget_item
from gateway.mcp import offerings as mcp
from gateway.planning.history import note_item
from gateway.planning.model import ModelPlanner
from gateway.planning.offerings import (
    ListResources,
    OfferingDecision,
    ReadResource,
    Refuse,
    RunPrompt,
    Say,
    plan_offering_action,
)
from gateway.render import offerings as render
from gateway.render.widget import Rendered
from gateway.store.context import RequestContext
from gateway.vocabulary.json import object_or_empty
from gateway.vocabulary.offerings import OFFERING_ACTIONS
from gateway.watching import ResourceWatch, Shown

logger = logging.getLogger(__name__)

PROMPT_NOTE = (
    "The user ran the prompt {name} of the MCP server {server}. Its messages follow: act on them "
    "as the user's request.\n\n{text}"
)


class Offerings:
    """Prompts and resources for one GatewayServer."""

    def __init__(
        self, caller: ToolCaller, store: Store[RequestContext], model: Callable[[], ModelPlanner | None]
    ) -> None:
        self.caller = caller
        self.store = store
        self.model = model
        """The model configured now (None: commands only); prompts go to it when there is one."""
        self.watch = ResourceWatch(store, lambda: caller.registry, self.rendered_resource)
        """The resources read into threads, re-rendered when they change."""

    @staticmethod
    def handles(action_type: str) -> bool:
        """Whether an action is about prompts or resources (else it is a tool action)."""
        return action_type in OFFERING_ACTIONS

    @property
    def registry(self) -> mcp.Offerer:
        """The registry (client_for, servers, redact): the caller's, whichever it is now."""
        return self.caller.registry

    # -- actions --------------------------------------------------------------------------------

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """A prompt or resource action, if the gateway issued it in `sender`."""
        dumped = sender.widget.model_dump(mode="json", exclude_none=True) if sender is not None else None
        decision = plan_offering_action(action.type, object_or_empty(action.payload), dumped)
        if isinstance(decision, Refuse):
            yield NoticeEvent(level="danger", title="Action refused", message=decision.message)
            return
        async for event in self.carry_out(thread, context, decision, sender=sender):
            yield event

    # -- decisions ------------------------------------------------------------------------------

    async def carry_out(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        decision: OfferingDecision,
        *,
        sender: WidgetItem | None = None,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """Show what a command or an action about prompts or resources asked for."""
        match decision:
            case Say(text=message):
                yield self._message(thread, context, message)
            case ListResources(server=server, cursor=cursor):
                yield self._widget(thread, context, await self._listing(server, cursor))
            case ReadResource():
                rendered, server = await self._read(decision)
                item = widget_item(self._new_id(thread, context), thread.id, rendered)
                yield ThreadItemDoneEvent(item=item)
                if server is not None:  # a resource that changes is re-rendered in place
                    await self.watch.watch(server, decision.uri, Shown(thread.id, item.id, context))
            case RunPrompt():
                async for event in self._prompt(thread, context, decision, self.model(), sender):
                    yield event

    async def _listing(self, server: str | None, cursor: str | None) -> Rendered:
        names = [server] if server is not None else mcp.up_servers(self.registry)
        known = {s.name for s in self.registry.servers()}
        listings: list[tuple[str, Any]] = []
        for name in names:
            if name not in known:
                listings.append((name, f"There is no server named {name!r}."))
                continue
            try:
                listings.append((name, await mcp.list_resources(self.registry, name, cursor)))
            except mcp.OfferingError as exc:
                listings.append((name, str(exc)))
        return render.resource_listing(listings)

    async def _read(self, decision: ReadResource) -> tuple[Rendered, str | None]:
        """The resource's widget, and the server it was read from (None: an error card)."""
        uri = decision.uri
        if decision.server is not None:
            candidates = [decision.server]
        else:
            candidates = await mcp.servers_for_uri(self.registry, uri)
        if not candidates:
            return self.caller.renderer.error(
                "No server holds this resource",
                f"No server lists {uri} or has a template it fits. Name the server: "
                "/read <server> <uri> (type /resources to see them).",
            ), None
        problem = ""
        for server in candidates:
            try:
                result = await mcp.read_resource(self.registry, server, uri)
            except mcp.OfferingError as exc:
                problem = str(exc)
                continue
            return self.rendered_resource(server, uri, result), server
        return self.caller.renderer.error("Could not read the resource", problem), None

    def rendered_resource(self, server: str, uri: str, result: ReadResourceResult) -> Rendered:
        """A resource's contents as a widget."""
        config = self.caller.renderer.config
        return render.resource_contents(
            server, uri, result, max_text_chars=config.max_text_chars, max_items=config.max_items
        )

    async def _prompt(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        decision: RunPrompt,
        model: ModelPlanner | None,
        sender: WidgetItem | None,
    ) -> AsyncIterator[ThreadStreamEvent]:
        found = self._find_prompt(decision)
        if isinstance(found, str):
            yield self._message(thread, context, found)
            return
        server, prompt = found
        declared = {a.name for a in prompt.arguments or []}
        values = {k: v for k, v in decision.arguments.items() if k in declared}
        problems = dict(decision.problems)
        for key in decision.arguments:
            if key not in declared:
                problems[key] = f"the prompt {prompt.name} takes no argument {key!r}"
        asked = bool(decision.arguments) or decision.in_place
        missing = [a.name for a in prompt.arguments or [] if a.required and not values.get(a.name)]
        if decision.form or problems or missing:
            if asked:
                problems.update({name: "This argument is required." for name in missing})
            safe = {k: v for k, v in values.items() if safe_json.first_problem(v) is None}
            suggestions = await mcp.prompt_suggestions(self.registry, server, prompt, safe)
            form = render.prompt_form(
                server,
                prompt,
                values=safe_json.scrub(values),  # shown back to the person: storable text
                problems=safe_json.scrub(problems),
                suggestions=suggestions,
            )
            if decision.in_place and sender is not None:
                update = {"widget": form.widget, "copy_text": form.copy_text}
                yield ThreadItemReplacedEvent(item=sender.model_copy(update=update))
            else:
                yield self._widget(thread, context, form)
            return
        try:
            result = await mcp.get_prompt(self.registry, server, prompt.name, values)
        except mcp.OfferingError as exc:
            yield self._widget(
                thread, context, self.caller.renderer.error(f"{prompt.name}: no prompt", str(exc))
            )
            return
        config = self.caller.renderer.config
        shown = render.prompt_messages(
            server, prompt, values, result, max_text_chars=config.max_text_chars, max_items=config.max_items
        )
        yield self._widget(thread, context, shown)
        if model is None:
            return
        text = render.prompt_text(result)
        note = PROMPT_NOTE.format(name=prompt.name, server=server, text=text)
        yield ThreadItemDoneEvent(item=note_item(self._new_id(thread, context), thread.id, note))
        async for event in model.respond(thread, text, context):
            yield event

    def _find_prompt(self, decision: RunPrompt) -> tuple[str, Prompt] | str:
        """The server and prompt a decision names, or what to say when there is none."""
        name, server = decision.prompt, decision.server
        known = {s.name for s in self.registry.servers()}
        unknown = decision.unknown or f"There is no prompt {name} on {server or 'any server'} any more."
        listed = self.registry.prompts()
        if server is not None and server in known:
            status = next(s for s in self.registry.servers() if s.name == server)
            if status.state != "up":
                down = f"Server {server} is not available: {status.error or status.state}."
                return f"{decision.unknown} ({down})" if decision.unknown else down
            prompt = next((p for p in listed.get(server, []) if p.name == name), None)
            return (server, prompt) if prompt is not None else unknown
        if server is not None:  # not a server name: the dotted name may be a prompt's own
            name = f"{server}.{name}"
        found = [(s, p) for s, prompts in listed.items() for p in prompts if p.name == name]
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(f"/{s}.{p.name}" for s, p in found)
            return f"Several servers offer a prompt called {name}: {names}. Use one of these names."
        return unknown

    # -- helpers --------------------------------------------------------------------------------

    def _new_id(self, thread: ThreadMetadata, context: RequestContext) -> str:
        return self.store.generate_item_id("message", thread, context)

    def _widget(
        self, thread: ThreadMetadata, context: RequestContext, rendered: Rendered
    ) -> ThreadStreamEvent:
        return ThreadItemDoneEvent(item=widget_item(self._new_id(thread, context), thread.id, rendered))

    def _message(self, thread: ThreadMetadata, context: RequestContext, text: str) -> ThreadStreamEvent:
        return ThreadItemDoneEvent(
            item=AssistantMessageItem(
                id=self._new_id(thread, context),
                thread_id=thread.id,
                created_at=datetime.now(),
                content=[AssistantMessageContent(text=text)],
            )
        )
