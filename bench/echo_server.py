"""A minimal MCPServer with one tool, `echo(text) -> text`: the protocol floor `server_floor` measures against.

.venv/bin/python -m bench.echo_server   (stdio)
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("echo")


@mcp.tool()
async def echo(text: str) -> str:
    """Return `text` unchanged."""
    return text


if __name__ == "__main__":
    mcp.run()
