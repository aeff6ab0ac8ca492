"""Render rules from config: the first rule that matches a tool result picks its widget."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ResultMatch(BaseModel):
    """Conditions on the result's shape; every condition given must hold."""

    model_config = ConfigDict(extra="forbid")

    has_keys: list[str] = Field(default_factory=list)
    """structuredContent is an object holding all these keys."""
    is_error: bool | None = None
    """Match only error (True) or only successful (False) results."""
    content_type: Literal["text", "image", "audio", "resource", "resource_link"] | None = None
    """Some content block is of this type."""


class RuleMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    server: str = "*"
    """Glob on the server name."""
    tool: str = "*"
    """Glob on the tool name."""
    result: ResultMatch | None = None


class RenderRule(BaseModel):
    """`match` → either a `.widget` template or a built-in renderer with options."""

    model_config = ConfigDict(extra="forbid")

    match: RuleMatch = Field(default_factory=RuleMatch)
    template: str | None = None
    """A .widget file, relative to `render.templates_dir`."""
    renderer: Literal["card", "list", "table", "chart", "markdown", "json"] | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class RenderConfig(BaseModel):
    """The `render:` section of config.yaml."""

    model_config = ConfigDict(extra="forbid")

    templates_dir: str = "widgets"
    """Where `<server>.<tool>.widget` templates live (relative to the config file)."""
    max_items: int = Field(default=20, ge=1)
    """Rows shown for a list before the rest is summarised."""
    max_text_chars: int = Field(default=4000, ge=100)
    """Text longer than this is cut, with a note of what was left out."""
    rules: list[RenderRule] = Field(default_factory=list)
