"""What the command line prints: the config summary, the tool table, a result as text."""

from __future__ import annotations

import json
from typing import Any

from mcp.types import AudioContent, CallToolResult, ImageContent, ResourceLink, TextContent

from gateway.config import GatewayConfig
from gateway.vocabulary.names import typed_name
from gateway.vocabulary.tools import ServerStatus, ToolInfo
from gateway.vocabulary.words import plural


def summary(config: GatewayConfig) -> str:
    servers = config.mcp_servers
    named = ", ".join(f"{name} ({s.transport})" for name, s in servers.items()) or "none"
    parts = [
        f"{plural(len(servers), 'MCP server')}: {named}",
        f"store {config.store.url.split(':', 1)[0]}",
        _model(config),
        "auth on" if config.auth else "no auth",
    ]
    return "; ".join(parts)


def _model(config: GatewayConfig) -> str:
    model = config.model
    if model is None:
        return "no model (slash commands and forms)"
    where = f"Chat Completions at {model.base_url}" if model.base_url else "OpenAI Responses API"
    client = f", {plural(len(config.client_tools), 'client tool')}" if config.client_tools else ""
    return f"model {model.model} ({where}{client})"


def tool_flags(tool: ToolInfo) -> list[str]:
    hints = tool.annotations
    if hints is None:
        return []
    named = [
        (hints.read_only_hint, "read-only"),
        (hints.destructive_hint, "destructive"),
        (hints.idempotent_hint, "idempotent"),
        (hints.open_world_hint, "open-world"),
    ]
    return [label for value, label in named if value]


def tool_json(tool: ToolInfo) -> dict[str, Any]:
    return {
        "server": tool.server,
        "name": tool.name,
        "qualified": tool.qualified,
        "model_name": tool.model_name,
        "title": tool.title,
        "description": tool.description,
        "flags": tool_flags(tool),
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
    }


def table(servers: list[ServerStatus], tools: list[ToolInfo]) -> str:
    blocks = [server_block(server, [t for t in tools if t.server == server.name]) for server in servers]
    return "\n".join(blocks) or "no MCP servers configured"


def server_block(server: ServerStatus, tools: list[ToolInfo], *, answered: bool = True) -> str:
    """One server's line, then a line per tool, names as `gateway call` takes them.

    `answered=False`: the server did not answer within its bound (`server.error` says so)."""
    detail = {
        "up": f"{plural(server.tool_count, 'tool')}, protocol {server.protocol_version}",
        "disabled": "disabled in the config",
    }.get(server.state, server.error or "")
    state = server.state if answered else "not answering"
    lines = [f"{server.name} [{state}] {server.transport}: {detail}"]
    names = {t.qualified: typed_name(t.server, t.name) for t in tools}
    width = max((len(n) for n in names.values()), default=0)
    for tool in tools:
        flags = ", ".join(tool_flags(tool))
        title = tool.title or tool.description.split("\n", 1)[0][:60]
        lines.append(f"  {names[tool.qualified]:<{width}}  {title}{f'  [{flags}]' if flags else ''}".rstrip())
    return "\n".join(lines)


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def render(result: CallToolResult) -> str:
    if result.structured_content is not None:
        return json.dumps(result.structured_content, indent=2, ensure_ascii=False)
    lines: list[str] = []
    for block in result.content:
        if isinstance(block, TextContent):
            lines.append(block.text)
        elif isinstance(block, ImageContent | AudioContent):
            lines.append(f"[{block.type} {block.mime_type}, {plural(len(block.data) * 3 // 4, 'byte')}]")
        elif isinstance(block, ResourceLink):
            lines.append(f"[resource link {block.uri}]")
        else:
            lines.append(f"[{block.type}]")
    return "\n".join(lines)
