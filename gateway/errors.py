"""The gateway's exceptions, each carrying a message a person can act on.

    GatewayError
    ├── ConfigError              config.yaml is invalid: names the key path, expected and found
    ├── StoreUnavailableError    the database cannot be reached right now (answered with 503)
    └── ToolCallError            a tool could not be called or did not answer
        ├── UnknownToolError     no tool by that name (carries close matches)
        │   └── ServerDownError  the server named is not running, so its tools are not known
        ├── InvalidArgumentsError  arguments do not match the tool's inputSchema (per field)
        ├── OutputSchemaError    the result broke the tool's own outputSchema (the SDK discarded it)
        ├── ServerUnavailableError the tool's server is down or its session broke
        └── ToolTimeoutError     the call outlived the server's timeout and was cancelled

A tool that *answers* with ``isError: true`` is not an exception: it is a result, rendered
as an error card. These exceptions are for calls that produced no result at all.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base class: ``str(exc)`` is the text a person reads."""


class ConfigError(GatewayError):
    """The configuration file is missing or invalid."""


class StoreUnavailableError(GatewayError):
    """The store's database did not answer (down, restarting, unreachable); worth retrying later."""


class ToolCallError(GatewayError):
    """A tool call produced no result.

    ``may_have_run`` is True when the request had reached the server before the failure (a
    timeout, a connection lost during the call, a result that could not be read): the tool
    may have done its work, and the person must be told so rather than "nothing changed".
    """

    def __init__(self, message: str, *, may_have_run: bool = False) -> None:
        super().__init__(message)
        self.may_have_run = may_have_run


class UnknownToolError(ToolCallError):
    """No tool matches the name; ``suggestions`` holds the closest qualified names, as a person
    types them (`server."my tool"` for a name with spaces: gateway.vocabulary.names)."""

    def __init__(self, name: str, suggestions: list[str] | None = None, *, note: str = "") -> None:
        """`note`: a sentence more (which servers are not running, say)."""
        self.name = name
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown tool: {name}.{hint}{f' {note}' if note else ''}")


class ServerDownError(UnknownToolError):
    """The tool's server is configured but not running (down, starting or disabled), so its
    tools are not known; the message says why, with the server's last error."""

    def __init__(self, name: str, server: str, why: str) -> None:
        """`why`: the whole message, from "The server ..." on."""
        ToolCallError.__init__(self, why)  # not "Unknown tool": the tool may well be there
        self.name = name
        self.suggestions = []
        self.server = server


class InvalidArgumentsError(ToolCallError):
    """Arguments failed the tool's inputSchema; ``problems`` maps a field path to what is wrong."""

    def __init__(self, tool: str, problems: dict[str, str]) -> None:
        self.tool = tool
        self.problems = problems
        detail = "; ".join(f"{field or '(arguments)'}: {msg}" for field, msg in problems.items())
        super().__init__(f"Invalid arguments for {tool}: {detail}")


class OutputSchemaError(ToolCallError):
    """The tool answered, but its structuredContent does not match its outputSchema (or that
    schema is unusable); the SDK refuses such a result, so there is nothing to render."""


class ServerUnavailableError(ToolCallError):
    """The server is down (not started, crashed, or its transport failed)."""


class ToolTimeoutError(ToolCallError):
    """The call exceeded its timeout; the gateway cancelled it on the server."""
