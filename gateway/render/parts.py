"""The pieces a result widget is assembled from, and how they are assembled.

A `Part` is one section of a result (a list, an object card, an image…) with its own summary;
`compose()` makes a ListView when the whole result is one list, else a Card of the sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.render.widget import Node, Rendered, card, divider, finish, finish_summary
from gateway.vocabulary.tools import ToolInfo

OFFERED_PER_WIDGET = 250_000
"""Characters of cut values one widget carries for its "Show all" buttons, all buttons together:
each button holds its whole value, and a card of twenty cut fields must not weigh megabytes."""


@dataclass
class OfferBudget:
    """What is left of a widget's OFFERED_PER_WIDGET."""

    left: int = OFFERED_PER_WIDGET

    def take(self, size: int) -> bool:
        """Whether a value of `size` characters may still be offered (and count it if so)."""
        if size > self.left:
            return False
        self.left -= size
        return True


@dataclass(frozen=True)
class Context:
    """Everything about the call being rendered that a part may need."""

    tool: ToolInfo
    arguments: dict[str, Any]
    source: dict[str, Any]
    """The call that produced the widget: goes into every tool action the widget issues."""
    siblings: Sequence[ToolInfo] = ()
    max_items: int = 20
    max_text_chars: int = 4000
    offers: OfferBudget = field(default_factory=OfferBudget)
    """Shared by every part of one widget (a Context is made per rendering)."""


def detached_context(
    server: str, name: str, label: str | None, *, max_text_chars: int, max_items: int
) -> Context:
    """A rendering context for content that is no tool's result (a prompt's messages, a resource,
    a value shown in full): the parts want a tool to name, so `server.name` stands in for one."""
    info = ToolInfo(server=server, name=name, model_name=f"{server}__{name}", title=label)
    return Context(tool=info, arguments={}, source={}, max_items=max_items, max_text_chars=max_text_chars)


@dataclass
class Part:
    """One section of a result widget."""

    nodes: list[Node]
    """The section's components, for a Card."""
    copy: str
    """Its plain-text summary."""
    list_items: list[Node] | None = None
    """For a list: ListViewItems, used when the list is the whole result."""
    status: str | None = None
    """For a list: the header of the ListView."""
    extra: dict[str, Any] = field(default_factory=dict[str, Any])


def summary_of(parts: Sequence[Part]) -> str:
    """The copy_text `compose` gives these parts."""
    return finish_summary(" | ".join(p.copy for p in parts if p.copy))


def compose(parts: Sequence[Part]) -> Rendered:
    """One widget from the parts: a ListView for a lone list, else a Card of sections."""
    copy = " | ".join(p.copy for p in parts if p.copy)
    if len(parts) == 1 and parts[0].list_items is not None:
        only = parts[0]
        root: Node = {"type": "ListView", "children": only.list_items}
        if only.status:
            root["status"] = {"text": only.status, "icon": "notebook"}
        return finish(root, copy)
    children: list[Node] = []
    for index, part in enumerate(parts):
        if index:
            children.append(divider())
        children.extend(part.nodes)
    return finish(card(*children), copy)
