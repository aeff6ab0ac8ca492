"""An MCPServer with many small tools, `tool_000` … `tool_499`, for `bench.turn_scaling`.

Each tool takes a couple of typed parameters (three signatures in turn, so the input schemas
differ), has a one-line description, and answers with a short text. `--offset` numbers the
tools from another start, so several of these servers side by side expose distinct names.

.venv/bin/python -m bench.many_tools_server [--tools 500] [--offset 0] [--name many]   (stdio)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer


def lookup(key: str, limit: int = 10) -> str:
    """Look `key` up and return at most `limit` matches."""
    return f"lookup {key!r}: 0 of {limit} matches"


def measure(value: float, precise: bool = False) -> str:
    """Measure `value`, precisely or not."""
    return f"measured {value:.3f}" if precise else f"measured {value:.1f}"


def tag(label: str, color: Literal["red", "green", "blue"] = "green") -> str:
    """Tag something with `label` in `color`."""
    return f"tagged {label} {color}"


SHAPES: list[tuple[Callable[..., Any], str]] = [
    (lookup, "Look a key up in table {n} and return up to `limit` matches."),
    (measure, "Measure a value with instrument {n}."),
    (tag, "Attach a colored label with tagger {n}."),
]


def build(tools: int, offset: int = 0, name: str = "many") -> MCPServer:
    """A server named `name` with tools `tool_{offset:03d}` … `tool_{offset + tools - 1:03d}`."""
    server = MCPServer(name)
    for n in range(offset, offset + tools):
        fn, description = SHAPES[n % len(SHAPES)]
        server.add_tool(fn, name=f"tool_{n:03d}", description=description.format(n=n))
    return server


def main() -> None:
    """Parse the arguments and serve over stdio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tools", type=int, default=500)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--name", default="many")
    args = parser.parse_args()
    build(args.tools, args.offset, args.name).run()


if __name__ == "__main__":
    main()
