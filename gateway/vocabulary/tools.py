"""What the gateway knows about one MCP tool and one MCP server, independent of sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from mcp.types import Tool, ToolAnnotations

ServerState = Literal["connecting", "up", "down", "disabled"]


@dataclass(frozen=True, kw_only=True)
class ToolInfo:
    """One discovered tool, as listed by its server."""

    server: str
    """The configured server name (the key under `mcp_servers`)."""
    name: str
    """The tool's own name on its server."""
    model_name: str
    """`server__tool`, sanitised to ^[a-zA-Z0-9_-]{1,64}$ and unique in the registry."""
    title: str | None = None
    """The human title (tool.title, else annotations.title), if the server gave one."""
    description: str = ""
    """The description the server gave."""
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    """JSON schema of the arguments."""
    output_schema: dict[str, Any] | None = None
    """JSON schema of structuredContent, when declared."""
    annotations: ToolAnnotations | None = None
    """Hints: read-only, destructive, idempotent, open-world."""
    task_support: str = "forbidden"
    """Whether the tool runs as an MCP task: forbidden, optional or required (2025-11-25)."""

    @classmethod
    def from_tool(cls, server: str, tool: Tool, model_name: str | None = None) -> ToolInfo:
        """What the gateway keeps of a listed tool (`model_name` defaults to `server__tool`)."""
        annotations = tool.annotations
        return cls(
            server=server,
            name=tool.name,
            model_name=model_name or f"{server}__{tool.name}",
            title=tool.title or (annotations.title if annotations else None),
            description=tool.description or "",
            input_schema=dict(tool.input_schema) or {"type": "object"},
            output_schema=dict(tool.output_schema) if tool.output_schema is not None else None,
            annotations=annotations,
            task_support=(tool.execution.task_support if tool.execution else None) or "forbidden",
        )

    @property
    def qualified(self) -> str:
        """`server.tool`: the name people use in slash commands, config rules and logs."""
        return f"{self.server}.{self.name}"

    @property
    def label(self) -> str:
        """What to show a person: the title when there is one, else the name."""
        return self.title or self.name

    @property
    def destructive(self) -> bool:
        """True when the server says the tool may destroy data (asks for confirmation)."""
        return bool(self.annotations and self.annotations.destructive_hint)

    @property
    def read_only(self) -> bool:
        """True when the server says the tool changes nothing."""
        return bool(self.annotations and self.annotations.read_only_hint)


@dataclass(frozen=True, kw_only=True)
class ServerStatus:
    """A server's health as the registry sees it."""

    name: str
    state: ServerState
    transport: str
    """stdio, streamable-http or sse."""
    tool_count: int = 0
    error: str | None = None
    """Why the server is down, in a sentence."""
    protocol_version: str | None = None
    """The negotiated protocol version, once connected."""


@dataclass(frozen=True, kw_only=True)
class ServerDetails:
    """Everything the gateway knows of one server, for people debugging it (the inspector)."""

    status: ServerStatus
    endpoint: str
    """How it is reached: the command line of a stdio server, the URL of a remote one (redacted)."""
    server_info: dict[str, Any] | None = None
    """What the server said of itself in the handshake (name, version, ...)."""
    capabilities: dict[str, Any] | None = None
    """The capabilities it declared in the handshake."""
    instructions: str | None = None
    recent_output: list[str] = field(default_factory=list[str])
    """A stdio server's last lines on stderr (redacted)."""


@dataclass(frozen=True)
class CheckedArguments:
    """A tool's arguments that passed its inputSchema.

    Made by `gateway.planning.arguments.prepare_arguments`, the one path every caller's
    arguments take; the registry sends them as they are instead of validating them again.
    """

    tool: str
    """The qualified name of the tool they were checked for."""
    values: dict[str, Any]
