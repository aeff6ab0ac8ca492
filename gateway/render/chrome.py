"""The gateway's own widgets: the tool catalog, live progress, and destructive-call confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.render.data import compact, is_scalar
from gateway.render.widget import (
    Node,
    Rendered,
    badge,
    badge_color,
    box,
    button,
    caption,
    card,
    clip,
    col,
    divider,
    finish,
    humanize,
    note,
    row,
    scalar_text,
    spacer,
    text,
    title,
)
from gateway.vocabulary.actions import (
    TOOL_CONFIRM,
    cancel_action,
    open_form_action,
    task_cancel_action,
    tool_call_action,
)
from gateway.vocabulary.names import quoted, typed_name
from gateway.vocabulary.tools import ServerStatus, ToolInfo
from gateway.vocabulary.words import plural

PROGRESS_TEXT_ID = "progress-text"
"""The id of the progress card's text node (stable, so updates can stream into it)."""
_TOOLS_PER_SERVER = 60
_DESCRIPTION_CHARS = 160


# -- catalog ----------------------------------------------------------------------------------


def catalog(tools: Sequence[ToolInfo], servers: Sequence[ServerStatus]) -> Rendered:
    """Every server with its state, and every tool with a button that opens its form."""
    return finish(*catalog_root(tools, servers))


def catalog_root(tools: Sequence[ToolInfo], servers: Sequence[ServerStatus]) -> tuple[Node, str]:
    """The catalog's root node and summary, for a caller that adds to it before `finish`."""
    by_server: dict[str, list[ToolInfo]] = {}
    for tool in tools:
        by_server.setdefault(tool.server, []).append(tool)
    statuses = {s.name: s for s in servers}
    names = list(statuses) + [n for n in by_server if n not in statuses]

    children: list[Node] = [row(title("Tools"), spacer(), caption(_on(tools, names)), align="center")]
    lines: list[str] = []
    for index, name in enumerate(names):
        if index:
            children.append(divider())
        status = statuses.get(name)
        server_tools = sorted(by_server.get(name, []), key=lambda t: t.name)
        children.extend(_server_nodes(name, status, server_tools))
        state = status.state if status else "up"
        reason = f": {status.error}" if status and status.error else ""
        listed = ", ".join(quoted(t.name) for t in server_tools[:20]) + (
            ", …" if len(server_tools) > 20 else ""
        )
        counted = plural(len(server_tools), "tool") + (f": {listed}" if listed else "")
        lines.append(f"{name} ({state}{reason}; {counted})")
    if not names:
        children.append(text("No MCP servers are configured.", color="secondary"))
    copy = f"{_on(tools, names)}. " + "; ".join(lines)
    return card(*children, size="lg"), copy


def _on(tools: Sequence[ToolInfo], servers: Sequence[str]) -> str:
    """ "7 tools on 1 server"."""
    return f"{plural(len(tools), 'tool')} on {plural(len(servers), 'server')}"


def _server_nodes(name: str, status: ServerStatus | None, tools: list[ToolInfo]) -> list[Node]:
    state = status.state if status else "up"
    count = status.tool_count if status and status.tool_count else len(tools)
    head = row(
        {"type": "Icon", "name": "cube", "color": "secondary"},
        text(name, weight="semibold"),
        badge(state, badge_color(state)),
        spacer(),
        caption(plural(count, "tool") + (f" · {status.transport}" if status else "")),
        gap=2,
        align="center",
    )
    nodes: list[Node] = [head]
    if status and status.error:
        nodes.append(caption(clip(status.error, 300), color="danger"))
    for tool in tools[:_TOOLS_PER_SERVER]:
        nodes.append(_tool_row(tool))
    if len(tools) > _TOOLS_PER_SERVER:
        more = plural(len(tools) - _TOOLS_PER_SERVER, "more tool")
        nodes.append(note(f"…and {more}: type /<tool> to use them."))
    if not tools and state == "up":
        nodes.append(caption("This server lists no tools.", color="tertiary"))
    return nodes


def _tool_row(tool: ToolInfo) -> Node:
    line: list[Node] = [text(tool.label, weight="medium")]
    if tool.read_only:
        line.append(badge("read-only", "info"))
    if tool.destructive:
        line.append(badge("destructive", "danger"))
    info: list[Node] = [row(*line, gap=2, align="center", wrap="wrap")]
    if tool.description:
        info.append(caption(clip(" ".join(tool.description.split()), _DESCRIPTION_CHARS)))
    info.append(caption(typed_name(tool.server, tool.name), color="tertiary"))  # what to type after /
    open_form = button("Open", open_form_action(tool.qualified), size="sm", variant="outline")
    return row(col(*info, gap=0, flex=1), open_form, gap=3, align="center")


# -- progress ---------------------------------------------------------------------------------


def progress(tool: ToolInfo, done: float, total: float | None, message: str | None) -> Rendered:
    """A card showing how far a running call is: a bar when the total is known."""
    step = _progress_text(done, total)
    line = f"{step} — {message}" if message else step
    children: list[Node] = [
        row(
            {"type": "Icon", "name": "clock", "color": "secondary"},
            text(tool.label, weight="semibold"),
            spacer(),
            caption("Running…"),
            gap=2,
            align="center",
        ),
        text(clip(line, 300), id=PROGRESS_TEXT_ID),
    ]
    if total:
        pct = max(0.0, min(100.0, 100.0 * done / total))
        bar = box(
            box(height=8, width=f"{pct:.0f}%", radius="full", background="blue-500"),
            height=8,
            radius="full",
            background="surface-tertiary",
            width="100%",
        )
        children.append(row(box(bar, flex=1), badge(f"{pct:.0f}%", "info"), gap=2, align="center"))
    return finish(card(*children), f"{tool.label}: {line}")


def _progress_text(done: float, total: float | None) -> str:
    if total and float(done).is_integer() and float(total).is_integer() and total <= 1000:
        return f"Step {int(done)} of {int(total)}"
    if total:
        return f"{max(0.0, min(100.0, 100.0 * done / total)):.0f}% done"
    return f"Working… ({scalar_text(done)} so far)"


# -- confirmation -----------------------------------------------------------------------------


def confirm(tool: ToolInfo, arguments: dict[str, Any], *, source: dict[str, Any] | None = None) -> Rendered:
    """ "Delete task 3?": the arguments, a Confirm that runs the call, a Cancel that drops it."""
    label = humanize(tool.label) if tool.title is None else tool.label
    scalars = [v for v in arguments.values() if is_scalar(v) and v is not None]
    question = f"{label} {scalar_text(scalars[0])}?" if len(arguments) == 1 and scalars else f"{label}?"
    children: list[Node] = [
        row(badge("Confirm", "warning"), title(clip(question, 200)), gap=2, align="center"),
        caption(f"{tool.qualified} may change or delete data. Check the arguments, then confirm."),
    ]
    for key, value in list(arguments.items())[:20]:
        shown = scalar_text(value) if is_scalar(value) else compact(value, 200)
        children.append(
            row(box(caption(humanize(key)), width=140), text(clip(shown, 300)), gap=3, align="start")
        )
    if not arguments:
        children.append(caption("(no arguments)", color="tertiary"))
    root = card(
        *children,
        confirm={
            "label": label,
            "action": tool_call_action(tool.qualified, arguments, source=source, action_type=TOOL_CONFIRM),
        },
        cancel={"label": "Cancel", "action": cancel_action()},
    )
    args = ", ".join(f"{k}={compact(v, 60)}" for k, v in arguments.items())
    return finish(root, f"Confirm {tool.qualified}({args})?")


_TASK_BADGES = {
    "working": ("working", "info"),
    "input_required": ("waiting for input", "warning"),
    "completed": ("completed", "success"),
    "failed": ("failed", "danger"),
    "cancelled": ("cancelled", "secondary"),
}


def task_card(tool: ToolInfo, task_id: str, status: str, message: str | None) -> Rendered:
    """A running MCP task: its status live, and Cancel while it may still be stopped."""
    label, color = _TASK_BADGES.get(status, (status, "secondary"))
    head = row(title(tool.label), badge(label, color), gap=2, align="center")
    children: list[Node] = [head, caption(f"Task {task_id} on {tool.server}")]
    if message:
        children.append(text(message))
    if status in ("working", "input_required"):
        children.append(
            row(button("Cancel", task_cancel_action(tool.server, task_id), style="secondary"), justify="end")
        )
    said = f": {message}" if message else ""
    return finish(card(*children, size="sm"), f"{tool.qualified} task {status}{said}")
