"""MCP content blocks as widget parts: text, images, audio, embedded resources, resource links.

Also the last resort for data nothing else understands: a JSON code block, cut to size.

Content annotations decide who sees a block and in which order (`for_person`, `for_model`):

- `audience`: a block whose audience is given and leaves out "user" (`["assistant"]`) is not
  shown to the person: not in the widget, not in its copy_text. One whose audience leaves out
  "assistant" (`["user"]`) is not put in the text the model is given (`model_text`); the model
  still reads the widget's copy_text, i.e. what the person was shown. A missing or empty
  audience means everyone.
- `priority` (0..1, 1 = most important): the person's blocks are shown highest priority first.
  A block without one counts as 0.5, the middle of the scale: the spec's "no statement", so a
  block a server marks unimportant (below 0.5) goes after unannotated content and one it marks
  important goes before. The sort is stable: equal priorities keep the server's order. The
  model's text keeps the server's order.

`Renderer.result` applies `for_person` once, before rules, templates and generic rendering,
so all of them (and the copy_text) see the same blocks in the same order.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import Any

from mcp.types import (
    AudioContent,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from gateway.render.parts import Context, OfferBudget, Part
from gateway.render.text import Shape, as_markdown, fenced, hidden_note, json_in_text, shape_of, shown_text
from gateway.render.widget import Node, button, caption, clip, markdown, note, row, spacer, text
from gateway.vocabulary.actions import MAX_SHOWN_VALUE, show_value_action
from gateway.vocabulary.offerings import read_resource_action

MAX_IMAGE_CHARS = 2_000_000
"""Base64 characters of an image shown inline; bigger images are described, not embedded."""
_PREVIEW_CHARS = 1500
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
DEFAULT_PRIORITY = 0.5
"""The priority of a block that states none (see the module docstring)."""


def _annotation(block: Any, name: str) -> Any:
    annotations = getattr(block, "annotations", None)
    return getattr(annotations, name, None) if annotations is not None else None


def is_for(block: Any, role: str) -> bool:
    """Whether `role` ("user" or "assistant") is in the block's audience (a missing or empty
    audience is everyone)."""
    audience = _annotation(block, "audience")
    if not isinstance(audience, (list, tuple)) or not audience:
        return True
    return role in audience


def priority(block: Any) -> float:
    """The block's priority, DEFAULT_PRIORITY when it states none (or none in 0..1)."""
    value = _annotation(block, "priority")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        return DEFAULT_PRIORITY
    return float(value)


def for_person(blocks: Sequence[Any]) -> list[Any]:
    """The blocks the person is shown, highest priority first (stable for equal priorities)."""
    return sorted((b for b in blocks if is_for(b, "user")), key=priority, reverse=True)


def for_model(blocks: Sequence[Any]) -> list[Any]:
    """The blocks the model is given, in the server's order (user-only ones left out)."""
    return [b for b in blocks if is_for(b, "assistant")]


def person_view(result: CallToolResult) -> CallToolResult:
    """`result` with its content as the person is shown it (`for_person`); the same object when
    nothing changes."""
    shown = for_person(result.content)
    if len(shown) == len(result.content) and all(a is b for a, b in zip(shown, result.content, strict=True)):
        return result
    return result.model_copy(update={"content": shown})


def model_text(blocks: Sequence[Any], *, assistant_only: bool = False) -> str | None:
    """The text the model is given of a result's content (None when there is none): its text
    blocks, and a text form of the other blocks meant for the assistant alone, which no widget
    (so no copy_text) describes. `assistant_only`: only the blocks the person is not shown."""
    texts: list[str] = []
    for block in for_model(blocks):
        hidden = not is_for(block, "user")
        if assistant_only and not hidden:
            continue
        if isinstance(block, TextContent):
            texts.append(block.text)
        elif hidden:
            texts.append(_text_form(block))
    return "\n".join(texts) or None


def _text_form(block: Any) -> str:
    """A non-text block as text, for the model."""
    if isinstance(block, (ImageContent, AudioContent)):
        return f"[{block.type} ({block.mime_type}, {byte_size(block.data)})]"
    if isinstance(block, EmbeddedResource):
        res = block.resource
        head = f"[resource {res.uri} ({res.mime_type or 'unknown type'})]"
        if isinstance(res, TextResourceContents):
            return f"{head}\n{res.text}"
        return f"{head[:-1]}, {byte_size(res.blob)}]"
    if isinstance(block, ResourceLink):
        described = f": {block.description}" if block.description else ""
        return f"[link {block.title or block.name} <{block.uri}>{described}]"
    try:
        return json.dumps(
            block.model_dump(mode="json", by_alias=True, exclude_none=True)
            if hasattr(block, "model_dump")
            else block,
            ensure_ascii=False,
            default=str,
        )
    except (TypeError, ValueError, RecursionError):
        return repr(block)


def block_part(block: Any, ctx: Context) -> Part:
    """A part for one content block of any type (unknown ones as JSON)."""
    if isinstance(block, TextContent):
        return text_part(block.text, ctx)
    if isinstance(block, ImageContent):
        return image_part(block.data, block.mime_type, "Image returned by " + ctx.tool.label)
    if isinstance(block, AudioContent):
        return audio_part(block)
    if isinstance(block, EmbeddedResource):
        return resource_part(block, ctx)
    if isinstance(block, ResourceLink):
        return link_part(block, ctx.tool.server)
    dumped = (
        block.model_dump(mode="json", by_alias=True, exclude_none=True)
        if hasattr(block, "model_dump")
        else block
    )
    return json_part(dumped, ctx)


def text_part(value: str, ctx: Context, *, label: str = "Text", shape: Shape | None = None) -> Part:
    """Text with its lines kept (`text.as_markdown`), cut to render.max_text_chars with a note
    of how much is left out and a button that shows it all. `shape`: what the text is, when
    the caller knows (a rule that says Markdown)."""
    if not value.strip():
        return Part([caption("(empty text)", color="tertiary")], "")
    return Part(
        text_nodes(value, ctx.max_text_chars, label=label, shape=shape, budget=ctx.offers),
        clip(" ".join(value.split()), 300),
    )


def text_nodes(
    value: str,
    limit: int,
    *,
    label: str = "Text",
    shape: Shape | None = None,
    budget: OfferBudget | None = None,
) -> list[Node]:
    """The nodes of `text_part`: the Markdown, then what the cut leaves out (`cut_nodes`)."""
    shown = shown_text(value, limit)
    return [
        markdown(as_markdown(shown.text, shape or shape_of(value))),
        *cut_nodes(value, shown.hidden, label, budget),
    ]


def cut_nodes(value: str, hidden: int, label: str, budget: OfferBudget | None = None) -> list[Node]:
    """Under a value cut for display: how much is hidden, and a "Show all" button (for values
    up to MAX_SHOWN_VALUE characters) that shows the whole of it in the thread."""
    if hidden <= 0:
        return []
    if len(value) > MAX_SHOWN_VALUE:
        return [note(f"…{hidden_note(hidden)} (too long to show in the chat).")]
    if budget is not None and not budget.take(len(value)):
        return [
            note(
                f"…{hidden_note(hidden)} (this widget offers no more in full; the inspector has the raw result)."
            )
        ]
    return [
        row(
            note(f"…{hidden_note(hidden)}."),
            button("Show all", show_value_action(label, value), size="sm", variant="ghost"),
            gap=2,
            align="center",
        )
    ]


def byte_size(data: str) -> str:
    """The size of the bytes base64 `data` holds, in words."""
    stripped = "".join(data[-8:].split())
    size = len(data) * 3 // 4 - (len(stripped) - len(stripped.rstrip("=")))
    return f"{size:,} bytes" if size < 1024 else f"{size / 1024:,.0f} KB"


def image_part(data: str, mime_type: str, alt: str) -> Part:
    """An image as a data URL (or a note when it is too big or not an image)."""
    mime = mime_type.strip().lower()
    if not _MIME.match(mime) or not mime.startswith("image/") or not _BASE64.match(data[:10_000]):
        return Part(
            [note(f"An attachment of type {clip(mime_type, 60)!r} that cannot be shown here.")],
            f"Attachment ({clip(mime_type, 60)})",
        )
    if len(data) > MAX_IMAGE_CHARS:
        return Part(
            [note(f"An image ({mime}, {byte_size(data)}) too large to show here.")],
            f"Image ({mime}, {byte_size(data)})",
        )
    src = f"data:{mime};base64,{''.join(data.split())}"
    image = {"type": "Image", "src": src, "alt": alt, "fit": "contain", "frame": True, "maxHeight": 360}
    return Part([image], f"Image ({mime}, {byte_size(data)})")


def audio_part(block: AudioContent) -> Part:
    """Audio cannot play in a widget: say what it is."""
    described = f"Audio clip ({clip(block.mime_type, 60)}, {byte_size(block.data)})"
    return Part(
        [
            row(
                {"type": "Icon", "name": "play", "color": "secondary"},
                caption(described + ": not playable in this view."),
                gap=2,
                align="center",
            )
        ],
        described,
    )


def resource_part(block: EmbeddedResource, ctx: Context) -> Part:
    """An embedded resource: its uri and type, and a preview of its contents."""
    res = block.resource
    mime = res.mime_type or "unknown type"
    name = res.uri.rstrip("/").rsplit("/", 1)[-1] or res.uri
    nodes = [
        row(
            {"type": "Icon", "name": "document", "color": "secondary"},
            text(clip(name, 120), weight="semibold"),
            gap=2,
            align="center",
        ),
        caption(clip(res.uri, 300)),
        caption(mime, color="tertiary"),
    ]
    if isinstance(res, TextResourceContents):
        nodes += _preview(res.text, mime, ctx)
    elif mime.startswith("image/"):
        nodes.extend(image_part(res.blob, mime, name).nodes)
    elif (decoded := decoded_text(res.blob, mime)) is not None:
        nodes += [caption("Text sent as a blob", color="tertiary"), *_preview(decoded, mime, ctx)]
    else:
        nodes.append(note(f"Binary content, {byte_size(res.blob)}."))
    return Part(nodes, f"Resource {clip(res.uri, 200)} ({mime})")


def _preview(value: str, mime: str, ctx: Context) -> list[Node]:
    """An embedded resource's text: Markdown as Markdown, JSON as a code block, other text by shape."""
    limit = min(ctx.max_text_chars, _PREVIEW_CHARS)
    if mime in ("text/markdown", "text/x-markdown"):
        return text_nodes(value, limit, label="Resource", shape="markdown", budget=ctx.offers)
    if mime == "application/json" or mime.endswith("+json"):
        shown = shown_text(value, limit)
        return [markdown(fenced(shown.text, "json")), *cut_nodes(value, shown.hidden, "Resource", ctx.offers)]
    return text_nodes(value, limit, label="Resource", budget=ctx.offers)


_TEXT_MIMES = ("application/json", "application/xml", "application/yaml", "application/javascript")


def decoded_text(blob: str, mime: str) -> str | None:
    """A base64 blob of a text type (text/*, JSON, XML, YAML) as the UTF-8 text it is, else None."""
    base = mime.split(";")[0].strip()
    if not (base.startswith("text/") or base in _TEXT_MIMES or base.endswith(("+json", "+xml"))):
        return None
    if len(blob) > 4 * MAX_SHOWN_VALUE:
        return None
    try:
        return base64.b64decode(blob, validate=True).decode("utf-8")
    except ValueError:  # not base64, or not UTF-8 (binascii.Error and UnicodeDecodeError are ValueErrors)
        return None


def link_part(block: ResourceLink, server: str | None = None) -> Part:
    """A link to a resource the server holds: name, uri, type, description, and (given the
    `server` whose result holds it) an Open button that reads it into the thread."""
    label = block.title or block.name
    head = [
        {"type": "Icon", "name": "external-link", "color": "secondary"},
        text(clip(label, 120), weight="semibold"),
    ]
    if server is not None:  # the gateway issues the read: the browser cannot name another URI
        head += [
            spacer(),
            button("Open", read_resource_action(server, block.uri), size="sm", variant="outline"),
        ]
    nodes = [
        row(*head, gap=2, align="center"),
        caption(clip(block.uri, 300)),
    ]
    if block.description:
        nodes.append(caption(clip(block.description, 300)))
    details = [d for d in (block.mime_type, f"{block.size:,} bytes" if block.size is not None else None) if d]
    if details:
        nodes.append(caption(" · ".join(details), color="tertiary"))
    return Part(nodes, f"Link: {clip(label, 120)} <{clip(block.uri, 200)}>")


def json_part(data: Any, ctx: Context, heading: str | None = None) -> Part:
    """Any value as an indented JSON code block, cut to render.max_text_chars."""
    try:
        dumped = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        dumped = repr(data)
    shown = shown_text(dumped, ctx.max_text_chars)
    nodes = ([text(heading, weight="semibold")] if heading else []) + [markdown(fenced(shown.text, "json"))]
    nodes += cut_nodes(dumped, shown.hidden, heading or "JSON", ctx.offers)
    return Part(nodes, clip(" ".join(dumped.split()), 300))


def full_value(label: str, value: str) -> tuple[list[Node], str]:
    """The whole of a value a widget cut (a "Show all" click): raw JSON as a JSON code block,
    other text with its lines kept. Nodes and summary, for a card."""
    shown = shown_text(value, MAX_SHOWN_VALUE)
    body = (
        fenced(shown.text, "json")
        if json_in_text(value) is not None
        else as_markdown(shown.text, shape_of(value))
    )
    nodes: list[Node] = [
        text(clip(label, 200), weight="semibold"),
        markdown(body),
        *cut_nodes(value, shown.hidden, label),
    ]
    return nodes, f"{clip(label, 120)} in full: {clip(' '.join(value.split()), 300)}"
