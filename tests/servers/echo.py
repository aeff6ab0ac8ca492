"""A small MCP server that returns whatever it is given, for rendering and action tests.

    python -m tests.servers.echo

- `echo {value}`: answers with `value` as its structured content.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer


def build() -> MCPServer:
    """The server."""
    mcp = MCPServer("echo")

    @mcp.tool(title="Echo", description="Answer with the value given, as structured content.")
    async def echo(value: dict[str, Any]) -> dict[str, Any]:
        return value

    return mcp


if __name__ == "__main__":
    build().run()
