"""`mcp_servers`: each entry a stdio server the gateway launches or a remote one it dials."""

from __future__ import annotations

import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp import StdioServerParameters
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

from gateway.vocabulary.json import is_array, is_object

_STRICT = ConfigDict(extra="forbid")


class ToolFilter(BaseModel):
    """Glob filters on a server's tool names: allow first (empty: all), then deny."""

    model_config = _STRICT
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)

    def allows(self, name: str) -> bool:
        """True when the tool `name` passes both lists (deny wins)."""
        if self.allow and not any(fnmatchcase(name, glob) for glob in self.allow):
            return False
        return not any(fnmatchcase(name, glob) for glob in self.deny)


def _scalars_as_strings(value: Any) -> Any:
    """YAML reads `--port, 8080` or `DEBUG: 1` as numbers: take scalars where strings are expected."""

    def text(item: Any) -> Any:
        if isinstance(item, bool):
            return str(item).lower()
        return str(item) if isinstance(item, int | float) else item

    if is_array(value):
        return [text(v) for v in value]
    if is_object(value):
        return {k: text(v) for k, v in value.items()}
    return value


_Strings = Annotated[list[str], BeforeValidator(_scalars_as_strings)]
_StringMap = Annotated[dict[str, str], BeforeValidator(_scalars_as_strings)]


LogLevel = Literal["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]


class RootConfig(BaseModel):
    """One root the gateway offers a server (`roots/list`): a `file://` URI and a name."""

    model_config = _STRICT
    uri: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://")
    name: str | None = None


def _root_from_path(value: Any) -> Any:
    """A bare string is a directory: `/srv/data` → `file:///srv/data`; a URI stays as it is."""
    if isinstance(value, str):
        if "://" in value:
            return {"uri": value}
        return {"uri": Path(value).expanduser().absolute().as_uri(), "name": Path(value).name or value}
    return value


class _ServerBase(BaseModel):
    model_config = _STRICT
    timeout: float = Field(default=30.0, gt=0)
    """Seconds one call may take before it is cancelled on the server (time a person takes
    to answer the server's questions does not count)."""
    restart_wait: float = Field(default=10.0, ge=0)
    """Seconds a call waits for this server while it reconnects, before it fails."""
    enabled: bool = True
    tools: ToolFilter = Field(default_factory=ToolFilter)
    sampling: Literal["deny", "ask", "allow"] = "ask"
    """What the gateway does when this server asks the model for a completion
    (`sampling/createMessage`): refuse, ask the person in the thread first, or just answer."""
    roots: list[Annotated[RootConfig, BeforeValidator(_root_from_path)]] = Field(
        default_factory=list[RootConfig]
    )
    """The roots answered to `roots/list` (directories or URIs); a reload that changes only
    these tells the running server (`notifications/roots/list_changed`) instead of restarting it."""
    log_level: LogLevel | None = None
    """The least severe log message the server should send (`logging/setLevel`); unset: the
    server's own default."""
    ask_timeout: float = Field(default=600.0, gt=0)
    """Seconds a question from this server (elicitation, sampling approval) waits for the
    person before it is answered `cancel`."""

    def same_but_roots(self, other: _ServerBase) -> bool:
        """True when `other` differs from this configuration in its roots alone."""
        return self.roots != other.roots and self.model_copy(update={"roots": other.roots}) == other


class StdioServerConfig(_ServerBase):
    """A server the gateway launches and talks to over stdin/stdout."""

    command: str = Field(min_length=1)
    args: _Strings = Field(default_factory=list)
    env: _StringMap = Field(default_factory=dict)
    cwd: str | None = None
    type: Literal["stdio"] | None = None
    """Accepted for compatibility with desktop clients' files; implied by `command`."""

    @property
    def transport(self) -> str:
        """Always `stdio`."""
        return "stdio"

    def parameters(self, config_dir: Path | None = None) -> StdioServerParameters:
        """The SDK's launch parameters: `python`/`python3` is this interpreter, `cwd` is relative
        to `config_dir` (and defaults to it)."""
        command = sys.executable if self.command in ("python", "python3") else self.command
        cwd: Path | None = Path(self.cwd).expanduser() if self.cwd else None
        if config_dir is not None:
            cwd = config_dir / cwd if cwd is not None else config_dir
        return StdioServerParameters(
            command=command, args=list(self.args), env=dict(self.env) or None, cwd=cwd
        )


class RemoteServerConfig(_ServerBase):
    """A server reached over streamable HTTP (default) or SSE."""

    url: str = Field(pattern=r"^https?://")
    headers: _StringMap = Field(default_factory=dict)
    transport: Literal["streamable-http", "sse"] = "streamable-http"
    type: Literal["http", "streamable-http", "sse"] | None = None
    """Accepted for compatibility with desktop clients' files; `sse` selects SSE."""

    @model_validator(mode="after")
    def _type_picks_transport(self) -> RemoteServerConfig:
        if self.type == "sse":
            self.transport = "sse"
        return self


def _server_kind(value: Any) -> str | None:
    """Pick the shape by its telling key, so errors speak about one shape only."""
    if isinstance(value, dict):
        if "command" in value:
            return "stdio"
        if "url" in value:
            return "remote"
        return None
    return "stdio" if isinstance(value, StdioServerConfig) else "remote"


ServerConfig = Annotated[
    Annotated[StdioServerConfig, Tag("stdio")] | Annotated[RemoteServerConfig, Tag("remote")],
    Discriminator(
        _server_kind,
        custom_error_type="server_shape",
        custom_error_message="expected a stdio server (`command`) or a remote server (`url`)",
    ),
]
