"""The one way out: every tool result, error, form, catalog, progress and confirmation widget.

A result is rendered by the first config rule that matches it, else by the template named
after its tool (`<server>.<tool>.widget`), else generically. A rule or template that fails on
a result logs a warning and falls back to generic rendering; generic rendering that fails
falls back to a JSON code block. Nothing a server returns can make `result()` raise.

Before any of them, the result's content is cut to what the person is shown, in the order
they are shown it (`blocks.person_view`: content annotations `audience` and `priority`), so
rules, templates, generic rendering and the copy_text all agree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from chatkit.widgets import WidgetTemplate
from mcp.types import CallToolResult, Prompt, TextContent

from gateway import safe_json
from gateway.config.render import RenderConfig, RenderRule
from gateway.errors import ConfigError
from gateway.render import chrome
from gateway.render.blocks import full_value, json_part, person_view
from gateway.render.builtins import render_builtin
from gateway.render.data import result_data
from gateway.render.forms import build_form
from gateway.render.generic import data_part, error_card, render_result, summarize_result
from gateway.render.offerings import with_prompts
from gateway.render.parts import Context, compose, detached_context
from gateway.render.templates import TemplateError, TemplateLibrary
from gateway.render.text import json_in_text
from gateway.render.widget import COPY_TEXT_CHARS, Rendered, card, clip, finish, finish_summary, text
from gateway.vocabulary.actions import MAX_SHOWN_ITEMS
from gateway.vocabulary.tools import ServerStatus, ToolInfo

logger = logging.getLogger(__name__)


class Renderer:
    """Turns MCP results and tool schemas into ChatKit widgets."""

    def __init__(self, config: RenderConfig, base_dir: Path) -> None:
        self.config = config
        self.templates = TemplateLibrary(base_dir / config.templates_dir)
        for index, rule in enumerate(config.rules):
            if rule.template:
                try:
                    self.templates.load(rule.template)
                except TemplateError as exc:
                    raise ConfigError(f"render.rules[{index}].template: {exc}") from None

    # -- results ----------------------------------------------------------------------------

    def result(
        self,
        tool: ToolInfo,
        arguments: dict[str, Any],
        result: CallToolResult,
        *,
        siblings: Sequence[ToolInfo] = (),
    ) -> Rendered:
        """The widget for a tool result: rules, then the tool's template, then generic
        (each given only the content blocks the person is shown, highest priority first)."""
        ctx = Context(
            tool=tool,
            arguments=dict(arguments),
            source={"tool": tool.qualified, "arguments": dict(arguments)},
            siblings=tuple(siblings),
            max_items=self.config.max_items,
            max_text_chars=self.config.max_text_chars,
        )
        try:
            result = person_view(result)
            return self._result(result, ctx)
        except Exception as exc:
            logger.exception("rendering a result of %s failed; showing it as JSON", tool.qualified)
            return self._last_resort(result, ctx, because=f"rendering failed: {exc}")

    def _result(self, result: CallToolResult, ctx: Context) -> Rendered:
        data = result_data(result)
        for index, rule in enumerate(self.config.rules):
            if rule.matches(ctx.tool, result, data):
                rendered = self._by_rule(index, rule, result, data, ctx)
                if isinstance(rendered, Rendered):
                    return rendered
                return self._generic(result, ctx, because=f"render.rules[{index}] failed: {rendered}")
        if not result.is_error:
            template = self.templates.for_tool(ctx.tool.server, ctx.tool.name)
            if template is not None:
                name = f"{ctx.tool.server}.{ctx.tool.name}.widget"
                rendered = self._by_template(name, template, result, data, ctx)
                if isinstance(rendered, Rendered):
                    return replace(rendered, chosen_by=f"template {name} (named after the tool)")
                return self._generic(result, ctx, because=f"template {name} failed: {rendered}")
        return self._generic(result, ctx)

    def _by_rule(
        self, index: int, rule: RenderRule, result: CallToolResult, data: Any, ctx: Context
    ) -> Rendered | str:
        """The rule's widget, or why it could not make one."""
        if rule.template:
            rendered = self._by_template(rule.template, self.templates.load(rule.template), result, data, ctx)
            if isinstance(rendered, Rendered):
                return replace(rendered, chosen_by=f"render.rules[{index}]: template {rule.template}")
            return rendered
        if rule.renderer:
            try:
                rendered = render_builtin(rule, result, data, ctx)
            except Exception as exc:
                logger.warning(
                    "render.rules[%d] (%s) could not render %s: %s; rendering generically",
                    index, rule.renderer, ctx.tool.qualified, exc,
                )  # fmt: skip
                return f"the {rule.renderer} renderer could not render it: {exc}"
            return replace(rendered, chosen_by=f"render.rules[{index}]: built-in renderer {rule.renderer}")
        return "the rule names no template or renderer"

    def _by_template(
        self, name: str, template: WidgetTemplate, result: CallToolResult, data: Any, ctx: Context
    ) -> Rendered | str:
        """The template's widget, or why it could not make one."""
        payload = {
            "result": data,
            "arguments": ctx.arguments,
            "tool": ctx.tool.qualified,
            "server": ctx.tool.server,
            "source": ctx.source,
            "content": [b.model_dump(by_alias=True, mode="json", exclude_none=True) for b in result.content],
            "is_error": result.is_error,
        }
        try:
            widget = self.templates.build(template, payload)
        except Exception as exc:
            logger.warning(
                "template %s failed for %s: %s; rendering generically", name, ctx.tool.qualified, exc
            )
            return str(exc) or type(exc).__name__
        return Rendered(widget=widget, copy_text=self._summary(result, ctx))

    def _summary(self, result: CallToolResult, ctx: Context) -> str:
        """copy_text for a template's widget: the server's own one-line text when it wrote one
        beside structured content, else the generic summary (without building the generic widget)."""
        texts = [b.text.strip() for b in result.content if isinstance(b, TextContent)]
        if (
            result.structured_content is not None
            and len(texts) == 1
            and 0 < len(texts[0]) <= COPY_TEXT_CHARS
            and not texts[0].startswith(("{", "["))  # a JSON echo of the structured content is no summary
        ):
            return finish_summary(texts[0])
        try:
            return summarize_result(result, ctx)
        except Exception:
            logger.exception("summarising a %s result failed", ctx.tool.qualified)
            return f"Result of {ctx.tool.qualified}"

    def _generic(self, result: CallToolResult, ctx: Context, *, because: str | None = None) -> Rendered:
        try:
            rendered = render_result(result, ctx)
        except Exception as exc:
            logger.exception(
                "generic rendering of a %s result failed; showing it as JSON", ctx.tool.qualified
            )
            return self._last_resort(result, ctx, because=f"generic rendering failed: {exc}")
        shape = "error result" if result.is_error else "output schema and result shape"
        chosen = f"generic rendering ({shape})"
        return replace(rendered, chosen_by=f"{chosen}, because {because}" if because else chosen)

    def _last_resort(self, result: CallToolResult, ctx: Context, *, because: str) -> Rendered:
        try:
            dumped = result.model_dump(by_alias=True, mode="json", exclude_none=True)
            rendered = compose([json_part(dumped, ctx, heading=f"{ctx.tool.label} returned:")])
        except Exception:  # even the dump failed: say so rather than break the chat
            message = f"{ctx.tool.qualified} returned a result that could not be shown."
            rendered = finish(card(text(message)), message)
        return replace(rendered, chosen_by=f"the result as JSON, because {because}")

    # -- the gateway's own widgets ----------------------------------------------------------

    def full_value(self, label: str, value: str, *, as_data: bool = False) -> Rendered:
        """The whole of a value a result widget cut, asked for with its "Show all" button:
        text in full, or (`as_data`) every item of a cut list, rendered."""
        data = json_in_text(value) if as_data else None
        if data is None:
            nodes, summary = full_value(label, value)
            return finish(card(*nodes), summary)
        ctx = detached_context(
            "gateway", "show_all", label, max_text_chars=self.config.max_text_chars, max_items=MAX_SHOWN_ITEMS
        )
        part = data_part(data, ctx, {}, {})
        heading = f"{label}: all {len(data):,}"
        if part.list_items is not None:
            part.status = heading
        else:
            part.nodes.insert(0, text(heading, weight="semibold"))
        return compose([part])

    def error(self, title: str, message: str, *, tool: ToolInfo | None = None) -> Rendered:
        """An error card: a call that produced no result, or anything else gone wrong."""
        return replace(
            error_card(title, message, tool, max_chars=self.config.max_text_chars),
            chosen_by="the gateway's error card (the call produced no result)",
        )

    def form(
        self,
        tool: ToolInfo,
        *,
        values: dict[str, Any] | None = None,
        problems: dict[str, str] | None = None,
        fixed: dict[str, Any] | None = None,
    ) -> Rendered:
        """The form that calls `tool`, prefilled with `values`, showing `problems` per field
        (`fixed`: the arguments it holds fixed, when known; see `build_form`)."""
        try:
            # Values come back from the person: shown again, they must be storable text.
            return build_form(tool, values=safe_json.scrub(values or {}), problems=problems, fixed=fixed)
        except Exception:
            logger.exception("building the form of %s failed", tool.qualified)
            return self.error(
                f"{tool.label}: no form",
                "This tool's input schema could not be turned into a form.",
                tool=tool,
            )

    def catalog(
        self,
        tools: Sequence[ToolInfo],
        servers: Sequence[ServerStatus],
        prompts: Mapping[str, Sequence[Prompt]] | None = None,
    ) -> Rendered:
        """Every server and tool, each tool with a button that opens its form; with `prompts`,
        a section listing every server's prompts too."""
        if prompts is None:
            return chrome.catalog(tools, servers)
        return with_prompts(*chrome.catalog_root(tools, servers), prompts)

    def progress(self, tool: ToolInfo, progress: float, total: float | None, message: str | None) -> Rendered:
        """A live progress card for a running call."""
        return chrome.progress(tool, progress, total, clip(message, COPY_TEXT_CHARS) if message else None)

    def confirm(
        self, tool: ToolInfo, arguments: dict[str, Any], *, source: dict[str, Any] | None = None
    ) -> Rendered:
        """A confirmation card for a destructive call."""
        return chrome.confirm(tool, arguments, source=source)
