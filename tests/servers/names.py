"""A small MCP server whose tool names need quotes, with tools that do and do not change things.

    python -m tests.servers.names --marker FILE

- `say hello {who?}` (read-only): answers "hello, <who>" ("world" when no one is named).
- `stamp` (no arguments, changes something): appends a line to the marker file, says how many now.
- `count stamps` (no arguments, read-only): says how many stamps the marker file holds.
- `peek` (no arguments, read-only): the same, by a name that needs no quotes.
- `say "hi"` (read-only): a name with quotes in it.
- `wipe` (no arguments, destructive): empties the marker file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False)
DESTROYS = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True)


def build(marker: Path) -> MCPServer:
    """The server; `stamp` writes to `marker`."""
    mcp = MCPServer("names")

    def stamps() -> int:
        return len(marker.read_text().splitlines()) if marker.exists() else 0

    @mcp.tool(name="say hello", description="Greet someone.", annotations=READ_ONLY)
    async def say_hello(who: str = "world") -> str:
        return f"hello, {who}"

    @mcp.tool(name="stamp", description="Add a stamp (changes the marker file).", annotations=WRITES)
    async def stamp() -> str:
        with marker.open("a") as out:
            out.write("stamped\n")
        return f"stamped ({stamps()} in all)"

    @mcp.tool(name="count stamps", description="How many stamps there are.", annotations=READ_ONLY)
    async def count_stamps() -> str:
        return f"stamps so far: {stamps()}"

    @mcp.tool(name="peek", description="How many stamps there are.", annotations=READ_ONLY)
    async def peek() -> str:
        return f"peeked: {stamps()}"

    @mcp.tool(name='say "hi"', description="Say hi.", annotations=READ_ONLY)
    async def say_hi() -> str:
        return "hi there"

    @mcp.tool(name="wipe", description="Remove every stamp.", annotations=DESTROYS)
    async def wipe() -> str:
        marker.write_text("")
        return "wiped"

    return mcp


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--marker", type=Path, required=True)
    build(parser.parse_args().marker).run()
