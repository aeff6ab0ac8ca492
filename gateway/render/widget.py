"""The renderer's output (`Rendered`) and the small constructors every widget is built from.

Widgets are plain dicts (chatkit's named widget classes are deprecated), validated once at the
end by `finish()` into a `DynamicWidgetRoot`. Only props that exist on chatkit's components are
used here, with values from their Literal types.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from chatkit.widgets import DynamicWidgetRoot

from gateway.wire import remember

Node = dict[str, Any]
"""One widget component as a dict (`{"type": "Text", "value": ...}`)."""

COPY_TEXT_CHARS = 600
"""copy_text is a summary for people and models, not a dump: longer summaries are cut."""


@dataclass(frozen=True)
class Rendered:
    """A widget and the short plain-text summary that goes with it."""

    widget: DynamicWidgetRoot
    copy_text: str
    chosen_by: str = "generic"
    """Which path made the widget (a config rule, a template, generic rendering), in words: the
    inspector shows it beside the result."""


def finish_summary(copy_text: str) -> str:
    """A summary as widgets carry it: one line, cut to COPY_TEXT_CHARS."""
    return clip(" ".join(copy_text.split()), COPY_TEXT_CHARS) or "(empty result)"


def finish(root: Node, copy_text: str) -> Rendered:
    """Validate a root dict (Card, ListView or Basic) and pair it with its summary.

    The dict is the widget's JSON already: gateway.wire keeps it as the widget's bytes, so
    streaming and storing the widget never walks the validated tree."""
    widget = DynamicWidgetRoot.model_validate(root)
    remember(widget, root)
    return Rendered(widget=widget, copy_text=finish_summary(copy_text))


# -- components ------------------------------------------------------------------------------


def text(value: str, **props: Any) -> Node:
    """A Text node."""
    return {"type": "Text", "value": value, **props}


def title(value: str, **props: Any) -> Node:
    """A Title node (small by default: widgets sit inside a chat)."""
    return {"type": "Title", "value": value, "size": "sm", **props}


def caption(value: str, **props: Any) -> Node:
    """A Caption node."""
    return {"type": "Caption", "value": value, **props}


def markdown(value: str) -> Node:
    """A Markdown node."""
    return {"type": "Markdown", "value": value}


def badge(label: str, color: str = "secondary") -> Node:
    """A Badge; `color` is one of chatkit's badge tokens."""
    return {"type": "Badge", "label": label, "color": color}


def row(*children: Node, **props: Any) -> Node:
    """A horizontal container."""
    return {"type": "Row", "children": list(children), **props}


def col(*children: Node, **props: Any) -> Node:
    """A vertical container."""
    return {"type": "Col", "children": list(children), **props}


def box(*children: Node, **props: Any) -> Node:
    """A generic container (used for fixed-width label cells and bar segments)."""
    return {"type": "Box", "children": list(children), **props}


def card(*children: Node, **props: Any) -> Node:
    """A Card root."""
    return {"type": "Card", "children": list(children), **props}


def divider() -> Node:
    """A Divider."""
    return {"type": "Divider"}


def spacer() -> Node:
    """A Spacer (pushes the following siblings to the end of a row)."""
    return {"type": "Spacer"}


def button(label: str, action: dict[str, Any], **props: Any) -> Node:
    """A Button that sends `action` (an ActionConfig dict from gateway.vocabulary.actions)."""
    return {"type": "Button", "label": label, "onClickAction": action, **props}


def note(value: str) -> Node:
    """A quiet caption saying what was left out or what comes next."""
    return caption(value, color="tertiary")


# -- text helpers -----------------------------------------------------------------------------


def clip(value: str, limit: int) -> str:
    """`value` cut to `limit` characters, ending in an ellipsis when it was cut."""
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + "…"


def clip_with_note(value: str, limit: int) -> str:
    """`value` cut to `limit` characters, with a note of how much was left out."""
    if len(value) <= limit:
        return value
    return f"{value[:limit].rstrip()}\n\n…({len(value) - limit:,} more characters not shown)"


def more_note(left_out: int, noun: str = "more") -> str:
    """The note under a cut list: "…and 980 more"."""
    return f"…and {left_out:,} {noun}"


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def humanize(name: str) -> str:
    """`due_date`, `dueDate` or `due-date` → "Due date"."""
    words = _CAMEL.sub(" ", name).replace("_", " ").replace("-", " ").split()
    if not words:
        return name
    phrase = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return phrase[0].upper() + phrase[1:]


def scalar_text(value: Any) -> str:
    """How a scalar reads in a widget: None → "—", True → "yes", 2.50 → "2.5"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    return str(value)


_SUCCESS = {"completed", "complete", "done", "success", "succeeded", "ok", "active", "up", "open", "passed"}
_DANGER = {
    "failed",
    "failure",
    "error",
    "high",
    "critical",
    "urgent",
    "down",
    "blocked",
    "closed",
    "cancelled",
}
_WARNING = {"pending", "in_progress", "in progress", "medium", "waiting", "running", "warning", "todo"}
_INFO = {"low", "info", "new", "draft", "connecting"}


def badge_color(value: Any) -> str:
    """A badge colour for a status-like value (unknown values stay neutral)."""
    word = str(value).strip().lower()
    if word in _SUCCESS:
        return "success"
    if word in _DANGER:
        return "danger"
    if word in _WARNING:
        return "warning"
    if word in _INFO:
        return "info"
    return "secondary"
