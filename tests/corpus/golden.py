"""Render recorded corpus results as a chat call does, and compare them with the golden widgets.

    .venv/bin/python -m tests.corpus.golden      # rewrite every golden (as UPDATE_GOLDEN=1 does)

A golden file, `widgets/<server>/<case>.widget.json`, holds what a person gets for the
recorded result: the widget root (serialized as ChatKit sends it) and its copy_text. The
renderer is the production one, built from an empty config (no rules; templates_dir points
nowhere that exists), and each tool is the `ToolInfo` the registry would build from the
listing in `results/<server>/_tools.json`, with the same server's other tools as siblings.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mcp.types import CallToolResult, Tool

from gateway.config.loading import parse_config
from gateway.mcp.naming import ToolIndex
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from gateway.vocabulary.tools import ToolInfo
from tests.corpus.cases import SERVERS

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WIDGETS = HERE / "widgets"


@dataclass(frozen=True)
class Recorded:
    """One recorded case, as the renderer gets it."""

    server: str
    case: str
    tool: str
    arguments: dict[str, Any]
    result: CallToolResult

    @property
    def id(self) -> str:
        return f"{self.server}/{self.case}"

    @property
    def golden(self) -> Path:
        return WIDGETS / self.server / f"{self.case}.widget.json"


def recorded_cases() -> list[Recorded]:
    """Every recorded case, server by server in SERVERS order, cases by name."""
    found: list[Recorded] = []
    for server in SERVERS:
        for path in sorted((RESULTS / server).glob("*.json")):
            if path.name.startswith("_"):
                continue
            data = json.loads(path.read_text())
            result = CallToolResult.model_validate(data["result"])
            found.append(Recorded(server, data["case"], data["tool"]["name"], data["arguments"], result))
    return found


def tools_of(server: str) -> list[Tool]:
    """The server's tools as it listed them when recorded."""
    path = RESULTS / server / "_tools.json"
    return [Tool.model_validate(t) for t in json.loads(path.read_text())] if path.exists() else []


@cache
def tool_index() -> ToolIndex:
    """The registry's index of every recorded server's tools (model names as a gateway with all
    six configured would give them)."""
    return ToolIndex([(server, tools_of(server)) for server in SERVERS])


@cache
def renderer() -> Renderer:
    """The production renderer of a gateway whose config file is empty."""
    config = parse_config({}, config_dir=HERE)
    return Renderer(config.render, config.config_dir)


def tool_info(recorded: Recorded) -> ToolInfo:
    """The tool as the registry knows it."""
    return tool_index().resolve(f"{recorded.server}.{recorded.tool}")


def render(recorded: Recorded) -> Rendered:
    """What ToolCaller.call renders for this result."""
    tool = tool_info(recorded)
    siblings = [t for t in tool_index().tools() if t.server == tool.server and t.name != tool.name]
    return renderer().result(tool, recorded.arguments, recorded.result, siblings=siblings)


def widget_json(rendered: Rendered) -> dict[str, Any]:
    """The golden content: the widget as ChatKit serializes it for the browser, and its copy_text."""
    widget = rendered.widget.model_dump(
        mode="json", by_alias=True, exclude_none=True, context={"exclude_metadata": True}
    )
    return {"copy_text": rendered.copy_text, "widget": widget}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_golden(recorded: Recorded, actual: dict[str, Any]) -> None:
    recorded.golden.parent.mkdir(parents=True, exist_ok=True)
    recorded.golden.write_text(dumps(actual))


def difference(recorded: Recorded, actual: dict[str, Any]) -> str | None:
    """A unified diff of golden → actual, or None when they agree (strings of several lines are
    shown line by line)."""
    if not recorded.golden.exists():
        return f"{recorded.golden} is missing: run with UPDATE_GOLDEN=1 to write it"
    expected = recorded.golden.read_text()
    if json.loads(expected) == actual:
        return None
    lines = difflib.unified_diff(
        dumps(_readable(json.loads(expected))).splitlines(keepends=True),
        dumps(_readable(actual)).splitlines(keepends=True),
        fromfile=f"golden {recorded.golden.relative_to(HERE.parents[1])}",
        tofile="rendered now",
    )
    return "".join(lines)


def _readable(value: Any) -> Any:
    """For the diff only: a string of several lines becomes the list of its lines."""
    if isinstance(value, str) and "\n" in value:
        return value.split("\n")
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def main() -> int:
    cases = recorded_cases()
    for recorded in cases:
        write_golden(recorded, widget_json(render(recorded)))
    names = {f"{r.server}/{r.case}.widget.json" for r in cases}
    for stale in WIDGETS.glob("*/*.widget.json"):
        if f"{stale.parent.name}/{stale.name}" not in names:
            stale.unlink()
    print(f"wrote {len(cases)} goldens under {WIDGETS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
