"""MCP content blocks as widget parts: text, images, audio, embedded resources, resource links.

Also the last resort for data nothing else understands: a JSON code block, cut to size.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import (
    AudioContent,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from gateway.render.parts import Context, Part
from gateway.render.widget import caption, clip, clip_with_note, markdown, note, row, text

MAX_IMAGE_CHARS = 2_000_000
"""Base64 characters of an image shown inline; bigger images are described, not embedded."""
_PREVIEW_CHARS = 1500
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


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
        return link_part(block)
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


def link_part(block: ResourceLink) -> Part:
    """A link to a resource the server holds: name, uri, type, description."""
    label = block.title or block.name
    nodes = [
        row(
            {"type": "Icon", "name": "external-link", "color": "secondary"},
            text(clip(label, 120), weight="semibold"),
            gap=2,
            align="center",
        ),
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
