"""What the model is told of a thread: its newest items, as model input.

User and assistant messages go as they are. A tool call the model made is kept in the thread
as a hidden note holding the call and what the model was given back (`tool_call_note`), and
goes to the model as that call and its output, so a later turn sees it as its own earlier
call. The widget it produced is not sent again. Other widgets (from slash commands) go as
their `copy_text`. What a person did through a widget (completing a task, confirming a delete)
is a hidden note too (`action_note`), so "what did I just finish?" has an answer. Workflow
items, which only show progress, are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from agents import TResponseInputItem
from chatkit.agents import ThreadItemConverter
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageItem,
    HiddenContextItem,
    ThreadItem,
    ThreadMetadata,
    WidgetItem,
    WorkflowItem,
)

from gateway.store.context import RequestContext
from gateway.vocabulary.json import is_object
from gateway.vocabulary.tools import ToolInfo

TOOL_CALL_NOTE = "gateway.tool_call"
"""The key of the hidden note that records one tool call the model made."""

_ARGUMENT_CHARS = 2000


async def load_history(
    store: Store[RequestContext], thread: ThreadMetadata, context: RequestContext, limit: int
) -> list[ThreadItem]:
    """The thread's newest `limit` items, oldest first."""
    page = await store.load_thread_items(thread.id, None, limit, "desc", context)
    return list(reversed(page.data))


def note_item(item_id: str, thread_id: str, content: Any) -> HiddenContextItem:
    """A hidden note: kept in the thread and sent to the model, never shown to the person."""
    return HiddenContextItem(id=item_id, thread_id=thread_id, created_at=datetime.now(), content=content)


def tool_call_note(call_id: str, name: str, arguments: str, output: str, widget_id: str | None) -> Any:
    """The hidden note's content for one model tool call (JSON, kept in the thread)."""
    return {
        TOOL_CALL_NOTE: {
            "call_id": call_id,
            "name": name,
            "arguments": arguments,
            "output": output,
            "widget_id": widget_id,
        }
    }


def action_note(tool: ToolInfo, arguments: dict[str, Any], via: str, shown: str | None) -> str:
    """The hidden note for a call a person made through a widget."""
    how = {"confirm": "confirmed and ran", "form": "submitted a form that ran"}.get(
        via, "clicked a button that ran"
    )
    text = json.dumps(arguments, ensure_ascii=False, default=str)[:_ARGUMENT_CHARS]
    return f"Through a widget, the user {how} {tool.qualified} with {text}. The result shown: {shown or '(nothing)'}"


class HistoryConverter(ThreadItemConverter):
    """Thread items → model input, as the module docstring says."""

    def __init__(self) -> None:
        self._answered_widgets: set[str] = set()

    async def to_agent_input(
        self, thread_items: Sequence[ThreadItem] | ThreadItem
    ) -> list[TResponseInputItem]:
        """Model input for `thread_items` (oldest first)."""
        items = list(thread_items) if isinstance(thread_items, Sequence) else [thread_items]
        self._answered_widgets = {
            note["widget_id"]
            for item in items
            if (note := _tool_call(item)) is not None and isinstance(note.get("widget_id"), str)
        }
        return await super().to_agent_input(items)

    async def assistant_message_to_input(self, item: AssistantMessageItem) -> TResponseInputItem | None:
        # The SDK's default sends `output_text` parts, which the Chat Completions path refuses.
        text = "".join(part.text for part in item.content)
        return (
            cast(TResponseInputItem, {"type": "message", "role": "assistant", "content": text})
            if text
            else None
        )

    async def widget_to_input(self, item: WidgetItem) -> TResponseInputItem | None:
        # The SDK's default sends the widget's JSON; its copy_text says the same in far fewer tokens.
        if item.id in self._answered_widgets:
            return None  # a model tool call's widget: its note carries what the model was given
        shown = item.copy_text or "(a widget without text)"
        return cast(
            TResponseInputItem,
            {
                "type": "message",
                "role": "user",
                "content": f"[The gateway showed the user a widget: {shown}]",
            },
        )

    async def workflow_to_input(self, item: WorkflowItem) -> list[TResponseInputItem]:
        return []

    async def hidden_context_to_input(
        self, item: HiddenContextItem
    ) -> list[TResponseInputItem] | TResponseInputItem | None:
        note = _tool_call(item)
        if note is None:
            return await super().hidden_context_to_input(item)
        call: TResponseInputItem = cast(
            TResponseInputItem,
            {
                "type": "function_call",
                "call_id": str(note["call_id"]),
                "name": str(note["name"]),
                "arguments": str(note["arguments"]),
            },
        )
        output: TResponseInputItem = cast(
            TResponseInputItem,
            {"type": "function_call_output", "call_id": str(note["call_id"]), "output": str(note["output"])},
        )
        return [call, output]


def _tool_call(item: ThreadItem) -> dict[str, Any] | None:
    if not isinstance(item, HiddenContextItem) or not is_object(item.content):
        return None
    note = item.content.get(TOOL_CALL_NOTE)
    return note if is_object(note) else None
