"""Render rules from config: the first rule that matches a tool result picks its widget.

Like starlette's Router: every rule answers `matches()`, the first full match wins, and
generic rendering is the fallback. A rule names either a `.widget` template (relative to
`render.templates_dir`) or a built-in renderer with options; a rule with neither renders
generically (useful to bypass a template named after the tool). Error results only match
rules that ask for them (`result: {is_error: true}`); every other error gets the error card.

```yaml
render:
  rules:
    - match: {server: todo, tool: list_*}
      renderer: list
      options: {items: tasks, fields: [title, status, due_date], title: "{total} tasks"}
    - match: {tool: "*_stats", result: {has_keys: [points]}}
      renderer: chart
      options: {items: points, x: day, series: [visits], type: line}
    - match: {server: docs, result: {content_type: text}}
      renderer: markdown
```

Built-in renderers and their options (all optional; `title` may hold `{key}` placeholders,
filled from the result object):

- `card`: one object as labelled fields. `path` (dotted key of the object; default: the
  result, unwrapped from a single key such as `{"task": {...}}`), `fields` (keys to show, in
  order), `title`.
- `list`: a ListView, one row per object. `items` (dotted key of the list; default: found),
  `fields` (the first title-like or first field is the headline, status-like ones become
  badges, the rest captions), `title`, `empty` (text when the list is empty).
- `table`: table-like rows under a header row. `items`, `fields` (the columns), `title`.
- `chart`: a Chart. `items`, `x` (label/date key), `series` (numeric keys), `type` (bar,
  line or area), `title`.
- `markdown`: text as Markdown. `path` (a string in the result; default: the text content).
- `json`: the result as a JSON code block. `path`, `title`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Literal

from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.vocabulary.tools import ToolInfo

RendererName = Literal["card", "list", "table", "chart", "markdown", "json"]


class ResultMatch(BaseModel):
    """Conditions on the result's shape; every condition given must hold."""

    model_config = ConfigDict(extra="forbid")

    has_keys: list[str] = Field(default_factory=list)
    """structuredContent (or the JSON text) is an object holding all these keys."""
    is_error: bool | None = None
    """True: match only error results. False or unset: only successful ones."""
    content_type: Literal["text", "image", "audio", "resource", "resource_link"] | None = None
    """Some content block is of this type."""

    def matches(self, result: CallToolResult, data: Any) -> bool:
        """True when the result has this shape."""
        if bool(self.is_error) != bool(result.is_error):
            return False
        if self.has_keys and not (isinstance(data, dict) and all(k in data for k in self.has_keys)):
            return False
        return self.content_type is None or any(b.type == self.content_type for b in result.content)


class RuleMatch(BaseModel):
    """Which results a rule applies to: globs on the names, conditions on the shape."""

    model_config = ConfigDict(extra="forbid")

    server: str = "*"
    """Glob on the server name."""
    tool: str = "*"
    """Glob on the tool name."""
    result: ResultMatch | None = None

    def matches(self, tool: ToolInfo, result: CallToolResult, data: Any) -> bool:
        """True when the tool's names match the globs and the result has the shape asked for."""
        if not (fnmatchcase(tool.server, self.server) and fnmatchcase(tool.name, self.tool)):
            return False
        return (self.result or ResultMatch()).matches(result, data)


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    """A heading; `{key}` placeholders are filled from the result object."""


class CardOptions(_Options):
    path: str | None = None
    fields: list[str] | None = None


class ListOptions(_Options):
    items: str | None = None
    fields: list[str] | None = None
    empty: str | None = None


class TableOptions(_Options):
    items: str | None = None
    fields: list[str] | None = None


class ChartOptions(_Options):
    items: str | None = None
    x: str | None = None
    series: list[str] | None = None
    type: Literal["bar", "line", "area"] | None = None


class TextOptions(_Options):
    path: str | None = None


RENDERER_OPTIONS: dict[str, type[_Options]] = {
    "card": CardOptions,
    "list": ListOptions,
    "table": TableOptions,
    "chart": ChartOptions,
    "markdown": TextOptions,
    "json": TextOptions,
}


class RenderRule(BaseModel):
    """`match` → either a `.widget` template or a built-in renderer with options."""

    model_config = ConfigDict(extra="forbid")

    match: RuleMatch = Field(default_factory=RuleMatch)
    template: str | None = None
    """A .widget file, relative to `render.templates_dir`."""
    renderer: RendererName | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> RenderRule:
        if self.template and self.renderer:
            raise ValueError("a rule takes either `template` or `renderer`, not both")
        if self.options and not self.renderer:
            raise ValueError(
                "`options` apply to a built-in `renderer`: name one (card, list, table, chart, markdown, json)"
            )
        if self.renderer:
            self.parsed_options()
        return self

    def parsed_options(self) -> _Options:
        """The options, checked against what the renderer accepts."""
        model = RENDERER_OPTIONS[self.renderer or "json"]
        try:
            return model.model_validate(self.options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "options"
            allowed = ", ".join(model.model_fields)
            raise ValueError(
                f"options.{where}: {first['msg']} (renderer {self.renderer!r} takes: {allowed})"
            ) from None

    def matches(self, tool: ToolInfo, result: CallToolResult, data: Any) -> bool:
        """True when this rule applies to the result."""
        return self.match.matches(tool, result, data)


class RenderConfig(BaseModel):
    """The `render:` section of config.yaml."""

    model_config = ConfigDict(extra="forbid")

    templates_dir: str = "widgets"
    """Where `<server>.<tool>.widget` templates live (relative to the config file)."""
    max_items: int = Field(default=20, ge=1)
    """Rows shown for a list before the rest is summarised."""
    max_text_chars: int = Field(default=4000, ge=100)
    """Text longer than this is cut, with a note of what was left out."""
    rules: list[RenderRule] = Field(default_factory=list[RenderRule])
