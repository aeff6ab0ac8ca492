"""An MCPServer with one tool that waits: `wait(seconds=0.5)`, what `bench.concurrency` calls 64 times at once.

.venv/bin/python -m bench.slow_server   (stdio)
"""

from __future__ import annotations

import anyio
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("slow")


@mcp.tool()
async def wait(seconds: float = 0.5) -> str:
    """Sleep `seconds` without blocking the server, then say so."""
    await anyio.sleep(seconds)
    return f"waited {seconds} s"


if __name__ == "__main__":
    mcp.run()
