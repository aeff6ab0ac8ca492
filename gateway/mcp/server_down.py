"""Why a tool name finds nothing when a server is not running: its tools are not known.

A server that never came up has listed no tools, so `/git.status` would be an "Unknown tool"
though the person named the server right. The registry asks `not_running` instead: a name on
a configured server that is down, starting or disabled gets that server's state and last error
(`ServerDownError`); a bare name that finds nothing says which servers' tools are not known,
the reason too when there is only one such server.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import ServerDownError, UnknownToolError
from gateway.vocabulary.names import quoted, typed_name
from gateway.vocabulary.tools import ServerStatus


def not_running(
    error: UnknownToolError, name: str, server: str | None, statuses: Sequence[ServerStatus]
) -> UnknownToolError:
    """`error` (no tool is called `name`, on `server` if given), told better when servers are not running."""
    by_name = {s.name: s for s in statuses}
    if server is None:
        server, tool = _split(name.strip(), by_name)
    else:
        tool = name
    if server is not None:
        status = by_name.get(server)
        if status is None or status.state == "up":
            return error
        shown = f"`{typed_name(server, tool)}`"
        return ServerDownError(str(error.name), server, _why(status, shown))
    down = [s for s in statuses if s.state in ("down", "connecting")]  # a disabled one is off on purpose
    if not down:
        return error
    if len(down) == 1:
        return UnknownToolError(error.name, error.suggestions, note=_unknown_on(down[0]))
    servers = ", ".join(f"`{quoted(s.name)}`" for s in down[:-1]) + f" and `{quoted(down[-1].name)}`"
    note = f"The servers {servers} are not running, so their tools are not known."
    return UnknownToolError(error.name, error.suggestions, note=note)


def _split(name: str, servers: dict[str, ServerStatus]) -> tuple[str | None, str]:
    """(server, tool) for `server.tool` naming a configured server (the longest such name), else (None, name)."""
    named = [s for s in servers if name.startswith(f"{s}.") and len(name) > len(s) + 1]
    if not named:
        return None, name
    server = max(named, key=len)
    return server, name[len(server) + 1 :]


def _why(status: ServerStatus, shown: str) -> str:
    """What to say when `shown` (a tool's name, as typed) is on the server of `status`, not running."""
    server = f"`{quoted(status.name)}`"
    if status.state == "disabled":
        return f"The server {server} is disabled in the configuration, so {shown} cannot be called."
    if status.state == "connecting":
        return f"The server {server} is still starting; try {shown} again in a moment."
    reason = f": {_said(status.error)}" if status.error else ""
    return f"The server {server} is not running{reason}. {shown} can be called once it is up."


def _unknown_on(status: ServerStatus) -> str:
    """Why the tools of the server of `status` are not known, in a sentence."""
    server = f"`{quoted(status.name)}`"
    if status.state == "connecting":
        return f"The tools of the server {server} are not known yet: it is still starting."
    reason = f" ({_said(status.error)})" if status.error else ""
    return f"The tools of the server {server} are not known: it is not running{reason}."


def _said(error: str) -> str:
    """A server's error inside a Markdown message: one line, no backtick to open a code span."""
    return " ".join(error.replace("`", "'").split()).rstrip(".")
