"""`TodoMCPServer`: MCPServer plus what the todo server needs that MCPServer does not offer.

- argument errors that read as one line per call, naming each bad field;
- extra entries in `resources/list` (one per open task), computed on every listing;
- handlers for the handshake-era `resources/subscribe` / `resources/unsubscribe`, which
  MCPServer does not register (registering them is what declares `resources.subscribe`);
- `resources.listChanged: true` in the handshake-era `initialize` result. MCPServer builds
  its initialization options without notification options on every transport (stdio, SSE,
  streamable HTTP), which declares every `listChanged` false. In the 2026-07-28 era the SDK
  derives `listChanged` and `subscribe` from `subscriptions/listen` being served, which
  MCPServer does by default.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server import NotificationOptions
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.models import InitializationOptions
from mcp.types import (
    CallToolResult,
    EmptyResult,
    InputRequiredResult,
    Resource,
    SubscribeRequestParams,
    UnsubscribeRequestParams,
)
from pydantic import ValidationError

SubscribeHandler = Callable[[ServerRequestContext[Any, Any], SubscribeRequestParams], Awaitable[EmptyResult]]
UnsubscribeHandler = Callable[
    [ServerRequestContext[Any, Any], UnsubscribeRequestParams], Awaitable[EmptyResult]
]


class TodoMCPServer(MCPServer[None]):
    """The todo server's MCPServer (see the module docstring for what it adds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed_resources: Callable[[], Awaitable[list[Resource]]] | None = None
        """Computes the entries `resources/list` shows after the registered resources."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[None, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Call a tool; pydantic's multi-line report on bad arguments becomes one line."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and not isinstance(exc, UnexpectedToolError):
                # Keep the ValidationError as the cause: the SDK then logs field names only.
                raise ToolError(f"Error executing tool {name}: {_argument_problems(cause)}") from cause
            raise

    async def list_resources(self) -> list[Resource]:
        """The registered resources, then those `listed_resources` computes."""
        resources = await super().list_resources()
        if self.listed_resources is not None:
            resources += await self.listed_resources()
        return resources

    def serve_resource_subscriptions(
        self, subscribe: SubscribeHandler, unsubscribe: UnsubscribeHandler
    ) -> None:
        """Serve handshake-era `resources/subscribe` and `resources/unsubscribe`.

        Declares `resources.subscribe` and `resources.listChanged` in the `initialize` result.
        """
        self._lowlevel_server.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
        self._lowlevel_server.add_request_handler(
            "resources/unsubscribe", UnsubscribeRequestParams, unsubscribe
        )
        self._declare_list_changes(NotificationOptions(resources_changed=True))

    def _declare_list_changes(self, declared: NotificationOptions) -> None:
        """Make `declared` the notification options of every handshake-era `initialize` result."""
        lowlevel = self._lowlevel_server
        build = type(lowlevel).create_initialization_options

        def create_initialization_options(
            notification_options: NotificationOptions | None = None,
            experimental_capabilities: dict[str, dict[str, Any]] | None = None,
            extensions: dict[str, dict[str, Any]] | None = None,
        ) -> InitializationOptions:
            options = notification_options or declared
            return build(lowlevel, options, experimental_capabilities, extensions)

        # An instance attribute shadows the method; MCPServer and the SDK's runner call it bare.
        setattr(lowlevel, "create_initialization_options", create_initialization_options)  # noqa: B010


def _argument_problems(error: ValidationError) -> str:
    """'invalid arguments: title is required; priority: Input should be ..., got "urgent"'."""
    problems: list[str] = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(part) for part in problem["loc"]) or "arguments"
        if problem["type"] == "missing":
            problems.append(f"{field} is required")
        else:
            given = json.dumps(problem["input"], default=str)
            given = given if len(given) <= 60 else given[:57] + "..."
            expected = " (expected YYYY-MM-DD)" if problem["type"].startswith("date") else ""
            problems.append(f"{field}: {problem['msg']}{expected}, got {given}")
    return "invalid arguments: " + "; ".join(problems)
