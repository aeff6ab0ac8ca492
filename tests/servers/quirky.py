"""A small MCP server with the behaviours fault tests need: slow calls, its pid, a changing tool list.

    python -m tests.servers.quirky [--marker FILE] [--transport stdio|http --port P]

- `sleep {seconds}`: appends "started" to the marker file, sleeps; if cancelled, appends "cancelled".
- `block {seconds}`: appends "blocking", then blocks the whole process (it reads nothing meanwhile).
- `exit_midway`: appends "ran" to the marker file, then exits without answering.
- `pid`: the server's process id (so a test can kill it).
- `grow`: registers a new tool `extra_<n>` and notifies clients that the tool list changed.
- `progress {steps}`: reports progress `steps` times.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from pathlib import Path

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel


class Slept(BaseModel):
    slept: float


def note(marker: Path | None, what: str) -> None:
    """Append a line to the marker file (the test's view of what the server did)."""
    if marker is not None:
        with marker.open("a") as out:
            out.write(what + "\n")


def build(marker: Path | None) -> MCPServer:
    """The server; `marker` records cancellations."""
    mcp = MCPServer("quirky")
    grown: list[str] = []

    @mcp.tool(title="Sleep", description="Sleep for a number of seconds, then answer.")
    async def sleep(seconds: float) -> Slept:
        note(marker, "started")
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            note(marker, "cancelled")
            raise
        return Slept(slept=seconds)

    @mcp.tool(title="Block", description="Block the whole server for a number of seconds.")
    async def block(seconds: float) -> Slept:
        note(marker, "blocking")
        time.sleep(seconds)  # on purpose in the event loop: the process reads and answers nothing
        return Slept(slept=seconds)

    @mcp.tool(title="Exit midway", description="Do the work, then exit before answering.")
    async def exit_midway() -> str:
        note(marker, "ran")
        os._exit(3)

    @mcp.tool(title="Process id", description="The server's process id.")
    async def pid() -> int:
        return os.getpid()

    @mcp.tool(title="Grow", description="Add a tool and announce that the tool list changed.")
    async def grow(ctx: Context) -> str:
        name = f"extra_{len(grown) + 1}"
        grown.append(name)

        async def extra() -> str:
            return name

        mcp.add_tool(extra, name=name, description=f"A tool added at run time ({name}).")
        await ctx.notify_tools_changed()  # 2026-07-28 clients listening on subscriptions/listen
        with contextlib.suppress(Exception):  # handshake-era clients get the classic notification
            await ctx.session.send_tool_list_changed()
        return name

    @mcp.tool(title="Progress", description="Report progress a number of times, then answer.")
    async def progress(steps: int, ctx: Context) -> str:
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps, f"step {step} of {steps}")
            await asyncio.sleep(0.05)
        return f"did {steps} steps"

    return mcp


def main() -> None:
    """Serve over stdio or HTTP."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--marker", type=Path)
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = build(args.marker)
    if args.transport == "http":
        server.run("streamable-http", host="127.0.0.1", port=args.port, streamable_http_path="/mcp")
    else:
        server.run()


if __name__ == "__main__":
    main()
