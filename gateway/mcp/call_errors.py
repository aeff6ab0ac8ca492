"""A tool call's failures as the gateway's errors, each saying whether the tool may have run.

The registry calls a tool; what can go wrong on the way comes back from the SDK as an
`MCPError` (the server answered with an error, the request timed out, the connection closed),
a `RuntimeError` (a result that broke the tool's outputSchema, a session that ended), a
pydantic `ValidationError` (a malformed result) or a transport error. `call_error` turns each
into one `ToolCallError` a person can read, and ends the connection when it cannot be trusted.
"""

from __future__ import annotations

from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT
from pydantic import ValidationError

from gateway.errors import OutputSchemaError, ServerUnavailableError, ToolCallError, ToolTimeoutError
from gateway.mcp.connection import FATAL_TRANSPORT_ERRORS
from gateway.mcp.output_schema import output_schema_mismatch
from gateway.mcp.supervisor import ServerSupervisor
from gateway.redact import Redactor
from gateway.vocabulary.tools import ToolInfo

CALL_FAILURES = (MCPError, RuntimeError, ValidationError, *FATAL_TRANSPORT_ERRORS)
"""What a call through the SDK raises when it produced no result: `call_error` explains each."""


def call_error(
    exc: Exception,
    *,
    tool: ToolInfo,
    server: ServerSupervisor,
    client: Client,
    timeout: float,
    redact: Redactor,
) -> ToolCallError:
    """What a person is told of `exc`, raised by calling `tool` through `client` on `server`.

    A connection that closed or failed is lost (`server.lose`): it is reconnected in the background.
    """
    if isinstance(exc, MCPError):
        if exc.code == REQUEST_TIMEOUT:
            return timed_out(tool, timeout)
        if exc.code == CONNECTION_CLOSED:
            server.lose("the connection closed")
            return ServerUnavailableError(
                f"{tool.qualified}: the connection to {server.name} closed during the call; "
                "reconnecting in the background",
                may_have_run=True,
            )
        # The server answered with an error of its own: it says the tool did not run.
        return ToolCallError(redact(f"{tool.qualified} failed: {exc.error.message} (MCP error {exc.code})"))
    if isinstance(exc, ValidationError):
        return ToolCallError(
            f"{tool.qualified} returned a malformed result: {exc.errors()[0]['msg']}", may_have_run=True
        )
    if isinstance(exc, FATAL_TRANSPORT_ERRORS):
        server.lose(redact(f"the connection failed: {exc}"))
        return ServerUnavailableError(
            f"{tool.qualified}: the connection to {server.name} failed during the call", may_have_run=True
        )
    mismatch = output_schema_mismatch(exc) if isinstance(exc, RuntimeError) else None
    if mismatch is not None:
        return OutputSchemaError(redact(f"{tool.qualified} returned {mismatch}"), may_have_run=True)
    if server.client is not client:  # the connection ended between the check and the call
        return ServerUnavailableError(
            f"{tool.qualified}: the connection to {server.name} ended during the call", may_have_run=True
        )
    first = str(exc).split("\n", 1)[0]
    return ToolCallError(redact(f"{tool.qualified} failed: {first}"), may_have_run=True)


def timed_out(tool: ToolInfo, timeout: float) -> ToolTimeoutError:
    """The call outlived `timeout` and was cancelled on the server."""
    return ToolTimeoutError(
        f"{tool.qualified} did not answer within {timeout:g} s; the call was cancelled", may_have_run=True
    )
