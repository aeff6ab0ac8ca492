"""config.yaml: pydantic models, `${VAR}` interpolation, and errors that name the key path.

    mcp_servers:            # name → stdio server or remote server (as in desktop MCP clients)
      todo: {command: python, args: [-m, mcp_servers.todo], timeout: 30}
      docs: {url: https://example.com/mcp, headers: {Authorization: "Bearer ${DOCS_TOKEN}"}}
    store:  {url: sqlite+aiosqlite:///./data/gateway.db}
    auth:   {tokens: {secret: alice}, trusted_header: X-User-ID}     # optional
    model:  {base_url: ..., api_key: ..., model: ...}                  # optional
    render: {templates_dir: widgets, rules: [...]}
    server: {cors_origins: [], max_body_bytes: 1048576}
    ui:     {title: ..., greeting: ..., starter_prompts: [...], placeholder: ..., theme: ..., domain_key: ...}

A JSON file with a top-level `mcpServers` object (Claude Desktop, Cursor, ...) is read too.
Relative paths (a stdio `cwd`, a SQLite file, `render.templates_dir`) are relative to the
config file's directory. A stdio `command` of `python` or `python3` means the gateway's own
interpreter, so the default config works inside the virtualenv with no PATH set-up.
"""

from __future__ import annotations

import json
import os
import re
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from mcp import StdioServerParameters
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    IPvAnyNetwork,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from gateway.config_errors import describe_errors, kind_of
from gateway.errors import ConfigError
from gateway.redact import Redactor, url_secrets
from gateway.render.rules import RenderConfig
from gateway.store.engine import parse_url

DEFAULT_STORE_URL = "sqlite+aiosqlite:///./data/gateway.db"
_STRICT = ConfigDict(extra="forbid")
_SECRET_HEADER = re.compile(r"auth|cookie|key|token|secret|pass", re.IGNORECASE)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


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

    if isinstance(value, list):
        return [text(v) for v in value]
    if isinstance(value, dict):
        return {k: text(v) for k, v in value.items()}
    return value


_Strings = Annotated[list[str], BeforeValidator(_scalars_as_strings)]
_StringMap = Annotated[dict[str, str], BeforeValidator(_scalars_as_strings)]


class _ServerBase(BaseModel):
    model_config = _STRICT
    timeout: float = Field(default=30.0, gt=0)
    """Seconds one call may take before it is cancelled on the server."""
    restart_wait: float = Field(default=10.0, ge=0)
    """Seconds a call waits for this server while it reconnects, before it fails."""
    enabled: bool = True
    tools: ToolFilter = Field(default_factory=ToolFilter)


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


class StoreConfig(BaseModel):
    model_config = _STRICT
    url: str = DEFAULT_STORE_URL
    """sqlite+aiosqlite:///path (embedded) or postgresql+asyncpg://user:pass@host/db."""

    @field_validator("url")
    @classmethod
    def _database_url(cls, url: str) -> str:
        parse_url(url)  # the store's own rule for what it can open
        return url


class AuthConfig(BaseModel):
    """Who may use the gateway. Without this section, everyone is the single local user."""

    model_config = _STRICT
    tokens: dict[str, str] = Field(default_factory=dict)
    """Bearer token → user id."""
    trusted_header: str | None = None
    """A header set by a proxy in front of the gateway, holding the user id."""
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    """The addresses or networks of those proxies: `trusted_header` is believed from them only."""

    @model_validator(mode="after")
    def _needs_a_method(self) -> AuthConfig:
        if not self.tokens and not self.trusted_header:
            raise ValueError(
                "give `tokens` or `trusted_header` (or remove the auth section for a single local user)"
            )
        if self.trusted_header and not self.trusted_proxies:
            raise ValueError(
                "`trusted_header` needs `trusted_proxies`, the addresses of the proxies that set it "
                "(e.g. [127.0.0.1]): from anyone else the header would let them pick any user"
            )
        return self


class ModelConfig(BaseModel):
    """An OpenAI-compatible endpoint for the agent planner (optional)."""

    model_config = _STRICT
    model: str
    base_url: str | None = None
    api_key: str | None = None
    instructions: str | None = None


class ServerSettings(BaseModel):
    model_config = _STRICT
    cors_origins: list[str] = Field(default_factory=list)
    """Origins (besides the gateway's own) whose pages may call /chatkit."""
    allowed_hosts: list[str] = Field(default_factory=list)
    """Host names a gateway without `auth` answers to, besides loopback (stops DNS rebinding)."""
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    shutdown_grace: int = Field(default=5, ge=0)
    """Seconds running requests get to finish after SIGTERM; the rest end with a saved error."""
    watch_config: bool = True
    """Reload the config file when it changes (SIGHUP and `gateway reload` work either way)."""


class AuditConfig(BaseModel):
    """The record of every MCP call the gateway makes (kept in the store)."""

    model_config = _STRICT
    retention_days: float = Field(default=90.0, gt=0)
    """Entries older than this are deleted."""


class StarterPrompt(BaseModel):
    model_config = _STRICT
    label: str
    prompt: str
    icon: str | None = None


class UIConfig(BaseModel):
    """The page at GET /: the ChatKit web component's options."""

    model_config = _STRICT
    title: str = "MCP ChatKit gateway"
    greeting: str = "Pick a tool, or type /tools"
    starter_prompts: list[StarterPrompt | str] = Field(
        default_factory=lambda: [StarterPrompt(label="Show every tool", prompt="/tools")]
    )
    placeholder: str = "Type /tools, or /<tool> {json}"
    theme: Literal["light", "dark", "system"] | dict[str, Any] | None = None
    domain_key: str = "local-dev"


class GatewayConfig(BaseModel):
    """The whole configuration file."""

    model_config = _STRICT
    mcp_servers: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")], ServerConfig] = Field(
        default_factory=dict
    )
    store: StoreConfig = Field(default_factory=StoreConfig)
    auth: AuthConfig | None = None
    model: ModelConfig | None = None
    render: RenderConfig = Field(default_factory=RenderConfig)
    server: ServerSettings = Field(default_factory=ServerSettings)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    config_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    """The directory relative paths resolve against (the config file's)."""
    _from_environment: frozenset[str] = PrivateAttr(default=frozenset())

    def redactor(self) -> Redactor:
        """What masks this configuration's secrets in anything the gateway reports.

        The values `${VAR}` took from the environment, remote servers' URL credentials, query
        values and header values, bearer tokens, and the model's API key.
        """
        secrets: list[str] = [*self._from_environment, *(self.auth.tokens if self.auth else ())]
        for server in self.mcp_servers.values():
            if isinstance(server, RemoteServerConfig):
                secrets += url_secrets(server.url)
                secrets += [
                    value.split(" ", 1)[-1]
                    for name, value in server.headers.items()
                    if _SECRET_HEADER.search(name)
                ]
        if self.model and self.model.api_key:
            secrets.append(self.model.api_key)
        return Redactor(secrets)

    def resolve(self, path: str) -> Path:
        """`path` made absolute against the config file's directory."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.config_dir / candidate).resolve()

    def store_url(self) -> str:
        """`store.url` with a relative SQLite path made absolute."""
        url = self.store.url
        prefix, sep, rest = url.partition(":///")
        if (
            url.startswith("sqlite")
            and sep
            and rest
            and not rest.startswith("/")
            and not rest.startswith(":memory:")
        ):
            return f"{prefix}:///{self.resolve(rest)}"
        return url


# -- loading --------------------------------------------------------------------------------


def load_config(path: str | Path) -> GatewayConfig:
    """Read, interpolate and validate a config file; ConfigError lists every problem."""
    file = Path(path)
    try:
        raw_text = file.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read it ({exc.strerror})") from None
    data = _parse(file, raw_text)
    return parse_config(data, config_dir=file.resolve().parent, source=str(file))


def parse_config(data: Any, *, config_dir: Path, source: str = "config") -> GatewayConfig:
    """Validate already-parsed config data (a YAML/JSON document)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of sections at the top level, got {kind_of(data)}")
    if "mcpServers" in data:  # a desktop client's file
        data = {**{k: v for k, v in data.items() if k != "mcpServers"}, "mcp_servers": data["mcpServers"]}
    missing: list[str] = []
    taken: set[str] = set()
    data = _interpolate(data, "", missing, taken)
    if missing:
        raise ConfigError("\n".join(f"{source}: {m}" for m in missing))
    try:
        config = GatewayConfig.model_validate({**data, "config_dir": config_dir})
    except ValidationError as exc:
        redact = Redactor(taken)  # a value from the environment in a wrongly typed key stays hidden
        raise ConfigError(
            "\n".join(redact(f"{source}: {line}") for line in describe_errors(exc, GatewayConfig))
        ) from None
    config._from_environment = frozenset(taken)
    return config


def _parse(file: Path, text: str) -> Any:
    if file.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{file}{where}: not valid YAML: {problem}") from None


def _interpolate(value: Any, path: str, missing: list[str], taken: set[str]) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string, noting unset variables by key path
    and every value taken from the environment (a secret, for the redactor)."""
    if isinstance(value, dict):
        return {
            k: _interpolate(v, f"{path}.{k}" if path else str(k), missing, taken) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interpolate(v, f"{path}[{i}]", missing, taken) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                taken.add(os.environ[name])
                return os.environ[name]
            if default is not None:
                return default
            missing.append(
                f"{path}: environment variable {name} is not set (use ${{{name}:-default}} for a default)"
            )
            return ""

        return _VAR.sub(substitute, value)
    return value
