"""`.widget` templates (ChatKit's own format) from one directory, compiled once.

A `.widget` file is JSON `{"version": "1.0", "name", "template", "jsonSchema"}` whose
`template` is Jinja (StrictUndefined) emitting a widget as JSON; chatkit's `WidgetTemplate`
builds it. Templates are compiled here with a loader rooted at the templates directory, so a
template may `{% include "other.widget" %}` (the included file's `template` text) or a plain
Jinja file: several tools can share one body, as the todo task card does.

Tool templates are found by name, `<server>.<tool>.widget`, among the files present when the
library was created: a tool name never becomes a path, so a server cannot make the gateway
read files outside the directory.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import orjson
from chatkit.widgets import DynamicWidgetRoot, WidgetTemplate
from jinja2 import Environment, FunctionLoader, StrictUndefined
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from gateway.vocabulary.json import is_object
from gateway.wire import remember

logger = logging.getLogger(__name__)


def tojson(value: Any, indent: int | None = None) -> Markup:
    """Jinja's `tojson` for templates that write JSON, not HTML: a list row calls it a dozen
    times, so it is orjson's: keys sorted as Jinja's are, no HTML escapes (JSON text needs none). Whatever orjson
    refuses (a lone surrogate, a huge integer, a key that is no string) takes Jinja's own path."""
    if indent is None:
        try:
            return Markup(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
        except (orjson.JSONEncodeError, TypeError):
            pass
    return htmlsafe_json_dumps(value, indent=indent, sort_keys=True)  # Jinja's default policy


class TemplateError(Exception):
    """A template file could not be read or compiled."""


class TemplateLibrary:
    """The `.widget` templates of one directory, compiled once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._env = Environment(
            undefined=StrictUndefined, loader=FunctionLoader(self._source), autoescape=False
        )
        self._env.filters["tojson"] = tojson
        self._templates: dict[str, WidgetTemplate] = {}
        self.broken: dict[str, str] = {}
        """Files that failed to load, with why (logged once, rendered generically)."""
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("*.widget")):
                try:
                    self._templates[path.name] = self._compile(path)
                except TemplateError as exc:
                    self.broken[path.name] = str(exc)
                    logger.warning("widget template %s is broken and will not be used: %s", path, exc)

    def names(self) -> list[str]:
        """The file names of the loaded templates."""
        return sorted(self._templates)

    def for_tool(self, server: str, tool: str) -> WidgetTemplate | None:
        """The template named after a tool, if the directory has one."""
        return self._templates.get(f"{server}.{tool}.widget")

    def load(self, relative: str) -> WidgetTemplate:
        """A template named by config (may sit in a subdirectory); raises TemplateError."""
        if relative in self._templates:
            return self._templates[relative]
        path = self._inside(relative)
        if path is None or not path.is_file():
            raise TemplateError(f"no template file {relative!r} in {self.directory}")
        template = self._compile(path)
        self._templates[relative] = template
        return template

    def build(self, template: WidgetTemplate, data: dict[str, Any]) -> DynamicWidgetRoot:
        """The widget a template makes from `data` (raises whatever the template raises).

        What `WidgetTemplate.build` does, keeping the parsed JSON: the widget's wire bytes
        come from it, with no walk of the validated widget (gateway.wire)."""
        rendered = template.template.render(**data)
        try:
            parsed = orjson.loads(rendered)
        except orjson.JSONDecodeError:  # NaN, or an integer beyond 64 bits: the json module reads those
            parsed = json.loads(rendered)
        widget = DynamicWidgetRoot.model_validate(parsed)
        remember(widget, parsed)
        return widget

    def _inside(self, relative: str) -> Path | None:
        path = (self.directory / relative).resolve()
        return path if path.is_relative_to(self.directory) else None

    def _compile(self, path: Path) -> WidgetTemplate:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if not is_object(payload) or not isinstance(payload.get("template"), str):
                raise TemplateError(
                    f"{path.name} is not a .widget file: expected JSON with a 'template' string"
                )
            compiled = self._env.from_string(payload["template"])
            return WidgetTemplate(
                {
                    "version": payload.get("version", "1.0"),
                    "name": payload.get("name", path.stem),
                    "template": compiled,
                    "jsonSchema": payload.get("jsonSchema", {}),
                }
            )
        except TemplateError:
            raise
        except Exception as exc:  # bad JSON, bad Jinja, unsupported version: all mean "unusable"
            raise TemplateError(f"{path.name}: {exc}") from exc

    def _source(self, name: str) -> str | None:
        """Jinja's loader: an included `.widget` gives its template text, other files their text."""
        path = self._inside(name)
        if path is None or not path.is_file():
            return None
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".widget":
            payload = json.loads(raw)
            return payload["template"] if is_object(payload) else None
        return raw
