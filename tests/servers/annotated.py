"""A small MCP server whose results carry content annotations (audience, priority).

    python -m tests.servers.annotated

- `report`: text blocks for the assistant alone, for the user alone, and with priorities
  (served out of priority order), plus an image for the assistant alone.
- `measure`: structured content, a JSON echo of it, and a text for the assistant alone.
- `whisper`: only content for the assistant.
"""

from __future__ import annotations

import base64
from typing import Literal

from mcp.server.mcpserver import MCPServer
from mcp.types import Annotations, CallToolResult, ContentBlock, ImageContent, TextContent

ASSISTANT_ONLY = "ASSISTANT-ONLY: the cache key is 7f3a9"
USER_ONLY = "USER-ONLY: your report is ready"
LOW = "LOW: footnote at priority 0.1"
PLAIN = "PLAIN: no annotations at all"
HIGH = "HIGH: headline at priority 0.9"
BOTH = "BOTH: for user and assistant at priority 0.6"
MEASURE_NOTE = "ASSISTANT-ONLY: the sensor was recalibrated at 04:00"
WHISPER = "ASSISTANT-ONLY: nothing here is for the user"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 20).decode()

Role = Literal["user", "assistant"]


def _text(value: str, *, audience: list[Role] | None = None, priority: float | None = None) -> TextContent:
    annotations = (
        None if audience is None and priority is None else Annotations(audience=audience, priority=priority)
    )
    return TextContent(type="text", text=value, annotations=annotations)


def build() -> MCPServer:
    """The server."""
    mcp = MCPServer("annotated")

    @mcp.tool(title="Report", description="Text blocks with audiences and priorities.")
    async def report() -> CallToolResult:
        content: list[ContentBlock] = [
            _text(LOW, priority=0.1),
            _text(ASSISTANT_ONLY, audience=["assistant"], priority=1.0),
            _text(PLAIN),
            _text(USER_ONLY, audience=["user"], priority=0.5),
            _text(HIGH, priority=0.9),
            _text(BOTH, audience=["user", "assistant"], priority=0.6),
            ImageContent(
                type="image",
                data=PNG,
                mime_type="image/png",
                annotations=Annotations(audience=["assistant"]),
            ),
        ]
        return CallToolResult(content=content)

    @mcp.tool(title="Measure", description="Structured content with a note for the assistant.")
    async def measure() -> CallToolResult:
        return CallToolResult(
            content=[
                _text('{"temperature": 21.5, "unit": "C"}'),
                _text(MEASURE_NOTE, audience=["assistant"]),
            ],
            structured_content={"temperature": 21.5, "unit": "C"},
        )

    @mcp.tool(title="Whisper", description="Content for the assistant alone.")
    async def whisper() -> CallToolResult:
        return CallToolResult(content=[_text(WHISPER, audience=["assistant"], priority=1.0)])

    return mcp


if __name__ == "__main__":
    build().run()
