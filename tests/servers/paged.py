"""A low-level MCP server that pages `tools/list`: `python -m tests.servers.paged [COUNT] [PAGE]`.

It lists COUNT tools (`tool_000` …) PAGE at a time behind opaque cursors, as the SDK's
MCPServer never does. Each tool echoes its own name. `bad_point` declares an output schema
and returns structured content that breaks it (the client must notice); `no_point` declares
it and returns none; `odd_point` declares an output schema that is not valid JSON Schema;
`bom_point` returns a mark that breaks its schema's `pattern` by Python's reading of `\\s` only.
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.types import (
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
)

POINT = {
    "type": "object",
    "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
    "required": ["x", "y"],
}


MARK = {
    "type": "object",
    "properties": {"mark": {"type": "string", "pattern": "^\\s$"}},
    "required": ["mark"],
}
"""ECMA's `\\s` (jsonschema_rs) matches U+FEFF, Python's (the SDK's jsonschema) does not."""


def build_server(count: int, page: int) -> Server[Any]:
    """A server with `count` numbered tools listed `page` at a time, plus `bad_point`."""
    width = len(str(count - 1))
    tools = [
        Tool(
            name=f"tool_{i:0{width}d}",
            description=f"Numbered tool {i}",
            input_schema={"type": "object", "properties": {"note": {"type": "string"}}},
        )
        for i in range(count)
    ]
    tools.append(Tool(name="bad_point", input_schema={"type": "object"}, output_schema=POINT))
    tools.append(Tool(name="no_point", input_schema={"type": "object"}, output_schema=POINT))
    tools.append(
        Tool(
            name="odd_point", input_schema={"type": "object"}, output_schema={"type": "object", "required": 3}
        )
    )

    tools.append(Tool(name="bom_point", input_schema={"type": "object"}, output_schema=MARK))

    async def list_tools(_ctx: Any, params: PaginatedRequestParams | None) -> ListToolsResult:
        start = int(params.cursor) if params and params.cursor else 0
        end = start + page
        return ListToolsResult(tools=tools[start:end], next_cursor=str(end) if end < len(tools) else None)

    async def call_tool(_ctx: Any, params: CallToolRequestParams) -> CallToolResult:
        if params.name == "bad_point":
            return CallToolResult(
                content=[TextContent(type="text", text="x=nope")], structured_content={"x": "nope"}
            )
        if params.name == "bom_point":
            return CallToolResult(
                content=[TextContent(type="text", text="bom")], structured_content={"mark": "\ufeff"}
            )
        if params.name == "odd_point":
            return CallToolResult(content=[TextContent(type="text", text="{}")], structured_content={})
        return CallToolResult(content=[TextContent(type="text", text=params.name)])

    return Server("paged", on_list_tools=list_tools, on_call_tool=call_tool)


async def _serve(count: int, page: int) -> None:
    server = build_server(count, page)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    count, page = ([int(a) for a in sys.argv[1:3]] + [300, 25][len(sys.argv[1:3]) :])[:2]
    anyio.run(_serve, count, page)
