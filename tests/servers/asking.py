"""A Python MCP server whose tools ask the client things, in whichever protocol era it speaks.

    python -m tests.servers.asking

With mcp 2.x it speaks 2026-07-28, where a question is an `input_required` result the client
answers by retrying the call (the SDK's `Resolve(...)` does both eras).

- `book_table {restaurant}`: asks who the table is for (an elicitation form: name, seats).
- `summarise {text}`: asks the client's model for a one-line summary (sampling).
- `where_am_i`: lists the client's roots.
- `noisy {steps}`: logs a debug line, a warning and an error, then answers.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context, Elicit, ListRoots, MCPServer, Resolve, Sample
from mcp.types import CreateMessageResult, ListRootsResult, SamplingMessage, TextContent
from pydantic import BaseModel, Field


class Guest(BaseModel):
    name: str = Field(description="Whose name the table is under")
    seats: int = Field(default=2, ge=1, le=12, description="How many people")


def ask_guest() -> Elicit[Guest]:
    return Elicit("Who is the table for?", Guest)


def ask_model(text: str) -> Sample:
    message = SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarise: {text}"))
    return Sample([message], max_tokens=60, system_prompt="Answer in one line.")


def ask_roots() -> ListRoots:
    return ListRoots()


def build() -> MCPServer:
    """The server."""
    mcp = MCPServer("asking")

    @mcp.tool(description="Book a table; asks who it is for.")
    async def book_table(
        restaurant: str, guest: Annotated[ElicitationResult[Guest], Resolve(ask_guest)]
    ) -> str:
        if guest.action == "accept":
            return f"Booked {restaurant} for {guest.data.name}, {guest.data.seats} seats."
        return f"No booking at {restaurant}: the person chose {guest.action}."

    @mcp.tool(description="Summarise a text with the client's model.")
    async def summarise(text: str, reply: Annotated[CreateMessageResult, Resolve(ask_model)]) -> str:
        content = reply.content
        said = content.text if isinstance(content, TextContent) else "(not text)"
        return f"Summary by {reply.model}: {said}"

    @mcp.tool(description="The client's roots.")
    async def where_am_i(roots: Annotated[ListRootsResult, Resolve(ask_roots)]) -> str:
        return "Roots: " + ", ".join(f"{r.name}={r.uri}" for r in roots.roots) if roots.roots else "No roots."

    @mcp.tool(description="Log a debug line, a warning and an error, then answer.")
    async def noisy(ctx: Context) -> str:
        await ctx.debug("starting the noisy work")
        await ctx.warning("the disk is almost full")
        await ctx.error("one record could not be read")
        return "done, with warnings"

    return mcp


if __name__ == "__main__":
    build().run()
