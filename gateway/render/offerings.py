"""Widgets for MCP prompts and resources: the catalog's prompts, a prompt's form and messages,
resource listings and a resource's contents.

Content is rendered as tool results are (`gateway.render.blocks`): text as Markdown, images
inline as data URLs, embedded resources previewed. A resource's text is Markdown when it is
Markdown or plain text, JSON goes through the generic data renderer, any other text is a code
block, and a blob is an image when it is one, else described by its type and size.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mcp.types import (
    BlobResourceContents,
    EmbeddedResource,
    GetPromptResult,
    Prompt,
    ReadResourceResult,
    TextContent,
    TextResourceContents,
)

from gateway.render.blocks import block_part, byte_size, cut_nodes, decoded_text, image_part, text_nodes
from gateway.render.generic import data_part
from gateway.render.parts import Context, detached_context
from gateway.render.text import fenced, shown_text
from gateway.render.widget import (
    Node,
    Rendered,
    badge,
    button,
    caption,
    card,
    clip,
    col,
    divider,
    finish,
    humanize,
    markdown,
    more_note,
    note,
    row,
    spacer,
    text,
    title,
)
from gateway.vocabulary.actions import form_field_name
from gateway.vocabulary.offerings import list_resources_action, prompt_action, read_resource_action
from gateway.vocabulary.words import counted

_DESCRIPTION_CHARS = 200
_ROWS_SHOWN = 100
_MARKDOWN = frozenset({"", "text/markdown", "text/x-markdown", "text/plain"})

Suggestions = Mapping[str, tuple[list[str], bool]]
"""Argument → (suggested values, whether they are every value the server accepts)."""


def _label(prompt: Prompt) -> str:
    return prompt.title or prompt.name


# -- prompts -----------------------------------------------------------------------------------


def with_prompts(root: Node, copy_text: str, prompts: Mapping[str, Sequence[Prompt]]) -> Rendered:
    """The catalog (`chrome.catalog_root`) with a section listing every server's prompts, each
    with a button to use it."""
    root = dict(root)
    children: list[Node] = list(root.get("children") or [])
    count = sum(len(p) for p in prompts.values())
    children.append(divider())
    children.append(row(title("Prompts"), spacer(), caption(counted(count, "prompts")), align="center"))
    names: list[str] = []
    for server, listed in prompts.items():
        children.append(text(server, weight="semibold"))
        for prompt in listed[:_ROWS_SHOWN]:
            children.append(_prompt_row(server, prompt))
            names.append(f"{server}.{prompt.name}")
        if len(listed) > _ROWS_SHOWN:
            children.append(note(more_note(len(listed) - _ROWS_SHOWN, "more prompts")))
    if not prompts:
        children.append(caption("No server offers prompts.", color="tertiary"))
    children.append(note("Type /resources to browse the servers' resources, /read <uri> to read one."))
    root["children"] = children
    copy = copy_text + (f" Prompts: {', '.join(names)}." if names else "")
    return finish(root, copy)


def _prompt_row(server: str, prompt: Prompt) -> Node:
    info: list[Node] = [text(_label(prompt), weight="medium")]
    if prompt.description:
        info.append(caption(clip(" ".join(prompt.description.split()), _DESCRIPTION_CHARS)))
    arguments = prompt.arguments or []
    usage = f"/{server}.{prompt.name}" + "".join(
        f" {a.name}=…" + ("" if a.required else "?") for a in arguments
    )
    info.append(caption(usage, color="tertiary"))
    action = prompt_action(server, prompt.name, run=not arguments)
    use = button("Run" if not arguments else "Open", action, size="sm", variant="outline")
    return row(col(*info, gap=0, flex=1), use, gap=3, align="center")


def prompt_form(
    server: str,
    prompt: Prompt,
    *,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    suggestions: Suggestions | None = None,
) -> Rendered:
    """The form that gets `prompt`: one text field per argument (a Select when the server's
    completions list every value), prefilled with `values`, marked with `problems`."""
    values = values or {}
    problems = problems or {}
    suggestions = suggestions or {}
    arguments = prompt.arguments or []
    declared = {a.name for a in arguments}
    children: list[Node] = [row(title(_label(prompt)), spacer(), badge(server, "info"), align="center")]
    if prompt.description:
        children.append(caption(clip(prompt.description, 300)))
    general = [f"{k}: {v}" if k else v for k, v in problems.items() if k not in declared]
    if general:
        children.append(col(*(text(m, color="danger", size="sm") for m in general), gap=1))
    body: list[Node] = []
    for argument in arguments:
        name = form_field_name(argument.name)
        label = (argument.title or humanize(argument.name)) + (" *" if argument.required else "")
        nodes: list[Node] = [{"type": "Label", "value": label, "fieldName": name}]
        offered, every = suggestions.get(argument.name, ([], False))
        given = values.get(argument.name)
        if every and (given is None or given in offered):
            select: Node = {
                "type": "Select",
                "name": name,
                "options": [{"value": v, "label": v} for v in offered[:100]],
                "placeholder": f"Choose {humanize(argument.name).lower()}",
            }
            if given is not None:
                select["defaultValue"] = given
            if not argument.required:
                select["clearable"] = True
            nodes.append(select)
        else:
            field: Node = {"type": "Input", "name": name, **({"required": True} if argument.required else {})}
            if given is not None:
                field["defaultValue"] = given
            nodes.append(field)
            if offered:
                nodes.append(caption("Suggestions: " + clip(", ".join(offered[:20]), 300), color="tertiary"))
        if argument.description:
            nodes.append(caption(clip(argument.description, 300)))
        if argument.name in problems:
            nodes.append(caption(problems[argument.name], color="danger"))
        body.append(col(*nodes, gap=1))
    if not arguments:
        body.append(caption("This prompt takes no arguments.", color="tertiary"))
    body.append(row({"type": "Button", "label": "Run", "submit": True, "style": "primary"}, justify="end"))
    action = prompt_action(server, prompt.name, run=True)
    children.append(
        {"type": "Form", "onSubmitAction": action, "direction": "col", "gap": 3, "children": body}
    )
    names = ", ".join(a.name + ("*" if a.required else "") for a in arguments) or "no arguments"
    summary = f"Form for the prompt {server}.{prompt.name} ({names})"
    if problems:
        summary += ". Problems: " + "; ".join(f"{k or 'arguments'}: {v}" for k, v in problems.items())
    return finish(card(*children, size="md"), summary)


def prompt_messages(
    server: str,
    prompt: Prompt,
    arguments: Mapping[str, str],
    result: GetPromptResult,
    *,
    max_text_chars: int,
    max_items: int,
) -> Rendered:
    """A prompt's messages as the server rendered them: each message's role, then its content."""
    ctx = detached_context(
        server, prompt.name, prompt.title, max_text_chars=max_text_chars, max_items=max_items
    )
    children: list[Node] = [
        row(
            {"type": "Icon", "name": "document", "color": "secondary"},
            title(_label(prompt)),
            spacer(),
            badge(server, "info"),
            gap=2,
            align="center",
        )
    ]
    description = result.description or prompt.description
    if description:
        children.append(caption(clip(description, 300)))
    if arguments:
        given = ", ".join(f"{k}={v}" for k, v in arguments.items())
        children.append(caption(clip(given, 300), color="tertiary"))
    copies: list[str] = []
    for message in result.messages[:max_items]:
        part = block_part(message.content, ctx)
        color = "info" if message.role == "user" else "secondary"
        children += [divider(), row(badge(message.role, color)), *part.nodes]
        copies.append(f"{message.role}: {part.copy}")
    if len(result.messages) > max_items:
        children.append(note(more_note(len(result.messages) - max_items, "more messages")))
    if not result.messages:
        children.append(caption("The prompt has no messages.", color="tertiary"))
    copy = f"Prompt {server}.{prompt.name}: " + " | ".join(copies)
    return finish(card(*children, size="lg"), copy)


def prompt_text(result: GetPromptResult) -> str:
    """A prompt's messages as one text (for a model): text as it is, resources with their text."""
    lines: list[str] = []
    for message in result.messages:
        content = message.content
        if isinstance(content, TextContent):
            body = content.text
        elif isinstance(content, EmbeddedResource):
            res = content.resource
            body = f"[resource {res.uri}]" + (
                f"\n{res.text}" if isinstance(res, TextResourceContents) else f" ({byte_size(res.blob)})"
            )
        else:
            body = f"[{content.type}]"
        lines.append(body if message.role == "user" else f"(assistant) {body}")
    return "\n\n".join(lines)


# -- resources ---------------------------------------------------------------------------------


def resource_listing(listings: Sequence[tuple[str, Any]]) -> Rendered:
    """Each server's resources (each with Read) and templates; `listings` pairs a server with
    its `ResourcePage`, or with why it could not list them (a sentence)."""
    resource_count = sum(len(page.resources) for _, page in listings if not isinstance(page, str))
    template_count = sum(len(page.templates) for _, page in listings if not isinstance(page, str))
    children: list[Node] = [
        row(
            title("Resources"),
            spacer(),
            caption(f"{counted(resource_count, 'resources')}, {counted(template_count, 'templates')}"),
            align="center",
        )
    ]
    copies: list[str] = []
    for index, (server, page) in enumerate(listings):
        if index:
            children.append(divider())
        children.append(
            row(
                {"type": "Icon", "name": "cube", "color": "secondary"}, text(server, weight="semibold"), gap=2
            )
        )
        if isinstance(page, str):
            children.append(caption(clip(page, 300), color="danger"))
            copies.append(f"{server}: {page}")
            continue
        for resource in page.resources[:_ROWS_SHOWN]:
            info: list[Node] = [text(clip(resource.title or resource.name, 120), weight="medium")]
            if resource.description:
                info.append(caption(clip(" ".join(resource.description.split()), _DESCRIPTION_CHARS)))
            details = " · ".join(d for d in (resource.uri, resource.mime_type) if d)
            info.append(caption(clip(details, 300), color="tertiary"))
            read = button("Read", read_resource_action(server, resource.uri), size="sm", variant="outline")
            children.append(row(col(*info, gap=0, flex=1), read, gap=3, align="center"))
        if len(page.resources) > _ROWS_SHOWN:
            left = len(page.resources) - _ROWS_SHOWN
            children.append(note(more_note(left, "more resources: type /read <uri> to read one")))
        if page.next_cursor:
            more = button(
                "More", list_resources_action(server, page.next_cursor), size="sm", variant="outline"
            )
            children.append(row(spacer(), more))
        if page.templates:
            children.append(text("Templates", weight="semibold", size="sm"))
        for template in page.templates[:_ROWS_SHOWN]:
            info = [text(clip(template.title or template.name, 120), weight="medium")]
            if template.description:
                info.append(caption(clip(" ".join(template.description.split()), _DESCRIPTION_CHARS)))
            info.append(caption(clip(template.uri_template, 300), color="tertiary"))
            children.append(col(*info, gap=0))
        if page.templates:
            children.append(note("Fill a template in and type /read <uri> to read it."))
        if not page.resources and not page.templates:
            children.append(caption("This server lists no resources.", color="tertiary"))
        listed = ", ".join(r.uri for r in page.resources[:20]) + (", …" if len(page.resources) > 20 else "")
        copies.append(
            f"{server}: {len(page.resources)} resources"
            + (f" ({listed})" if listed else "")
            + (
                f", templates {', '.join(t.uri_template for t in page.templates[:10])}"
                if page.templates
                else ""
            )
        )
    if not listings:
        children.append(caption("No server is up.", color="tertiary"))
    return finish(card(*children, size="lg"), "Resources. " + "; ".join(copies))


def resource_contents(
    server: str, uri: str, result: ReadResourceResult, *, max_text_chars: int, max_items: int
) -> Rendered:
    """What reading `uri` returned: Markdown, JSON, code, an image, or a described blob."""
    name = uri.rstrip("/").rsplit("/", 1)[-1] or uri
    ctx = detached_context(
        server, "read", f"Resource {name}", max_text_chars=max_text_chars, max_items=max_items
    )
    children: list[Node] = [
        row(
            {"type": "Icon", "name": "document", "color": "secondary"},
            title(clip(name, 120)),
            spacer(),
            badge(server, "info"),
            gap=2,
            align="center",
        ),
        caption(clip(uri, 300), color="tertiary"),
    ]
    copies: list[str] = []
    for index, content in enumerate(result.contents[:max_items]):
        mime = (content.mime_type or "").strip().lower()
        if len(result.contents) > 1 or content.uri != uri:
            if index:
                children.append(divider())
            children.append(caption(clip(" · ".join(d for d in (content.uri, mime) if d), 300)))
        if isinstance(content, TextResourceContents):
            children += _text_nodes(content.text, mime, ctx)
            copies.append(clip(" ".join(content.text.split()), 300))
        else:
            children += _blob_nodes(content, mime, name, ctx)
            copies.append(f"{mime or 'binary'}, {byte_size(content.blob)}")
    if len(result.contents) > max_items:
        children.append(note(more_note(len(result.contents) - max_items, "more contents")))
    if not result.contents:
        children.append(caption("The resource is empty.", color="tertiary"))
    return finish(card(*children, size="lg"), f"Resource {uri} ({server}): " + " | ".join(copies))


def _text_nodes(value: str, mime: str, ctx: Context) -> list[Node]:
    if not value.strip():
        return [caption("(empty text)", color="tertiary")]
    if mime in _MARKDOWN:
        return text_nodes(value, ctx.max_text_chars, label="Resource", shape="markdown", budget=ctx.offers)
    if mime == "application/json" or mime.endswith("+json"):
        try:
            return data_part(json.loads(value), ctx, {}, {}).nodes
        except (ValueError, RecursionError):
            pass  # not JSON after all: shown as code below
    if mime in ("", "text/plain"):  # plain text: by its shape, its lines kept
        return text_nodes(value, ctx.max_text_chars, label="Resource", budget=ctx.offers)
    lang = mime.rsplit("/", 1)[-1].removeprefix("x-").split("+")[0].split(";")[0]
    shown = shown_text(value, ctx.max_text_chars)
    return [
        markdown(fenced(shown.text, lang if lang.isalnum() else "")),
        *cut_nodes(value, shown.hidden, "Resource", ctx.offers),
    ]


def _blob_nodes(content: BlobResourceContents, mime: str, name: str, ctx: Context) -> list[Node]:
    if mime.startswith("image/"):
        return image_part(content.blob, mime, name).nodes
    decoded = decoded_text(content.blob, mime)
    if decoded is not None:  # text sent as a blob: shown as the text it is
        return [caption(f"Text sent as a blob ({mime})", color="tertiary"), *_text_nodes(decoded, mime, ctx)]
    return [caption(f"Binary content: {mime or 'unknown type'}, {byte_size(content.blob)}.")]
