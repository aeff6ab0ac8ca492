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

from gateway.render.parts import Context, Part
from gateway.render.widget import button, caption, clip, clip_with_note, markdown, note, row, spacer, text
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
        return f"[{block.type} ({block.mime_type}, {_size(len(block.data))})]"
    if isinstance(block, EmbeddedResource):
        res = block.resource
        head = f"[resource {res.uri} ({res.mime_type or 'unknown type'})]"
        if isinstance(res, TextResourceContents):
            return f"{head}\n{res.text}"
        return f"{head[:-1]}, {_size(len(res.blob))}]"
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


def text_part(value: str, ctx: Context) -> Part:
    """Text as Markdown, cut to render.max_text_chars."""
    if not value.strip():
        return Part([caption("(empty text)", color="tertiary")], "")
    return Part([markdown(clip_with_note(value, ctx.max_text_chars))], clip(value, 300))


def _size(base64_chars: int) -> str:
    size = base64_chars * 3 // 4
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
            [note(f"An image ({mime}, {_size(len(data))}) too large to show here.")],
            f"Image ({mime}, {_size(len(data))})",
        )
    src = f"data:{mime};base64,{''.join(data.split())}"
    image = {"type": "Image", "src": src, "alt": alt, "fit": "contain", "frame": True, "maxHeight": 360}
    return Part([image], f"Image ({mime}, {_size(len(data))})")


def audio_part(block: AudioContent) -> Part:
    """Audio cannot play in a widget: say what it is."""
    described = f"Audio clip ({clip(block.mime_type, 60)}, {_size(len(block.data))})"
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


def _fenced(body: str, lang: str = "") -> str:
    """`body` in a Markdown code fence longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


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
        limit = min(ctx.max_text_chars, _PREVIEW_CHARS)
        preview = clip_with_note(res.text, limit)
        if mime in ("text/markdown", "text/x-markdown"):
            nodes.append(markdown(preview))
        else:
            lang = "json" if mime == "application/json" else ""
            nodes.append(markdown(_fenced(preview, lang)))
    else:
        if mime.startswith("image/"):
            nodes.extend(image_part(res.blob, mime, name).nodes)
        else:
            nodes.append(note(f"Binary content, {_size(len(res.blob))}."))
    return Part(nodes, f"Resource {clip(res.uri, 200)} ({mime})")


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
    body = clip_with_note(dumped, ctx.max_text_chars)
    nodes = ([text(heading, weight="semibold")] if heading else []) + [markdown(_fenced(body, "json"))]
    return Part(nodes, clip(" ".join(dumped.split()), 300))
