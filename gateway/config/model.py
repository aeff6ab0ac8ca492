"""The whole configuration file as one model, and what is derived from it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from gateway.config.render import RenderConfig
from gateway.config.sections import (
    AuditConfig,
    AuthConfig,
    ClientToolConfig,
    ModelConfig,
    ServerSettings,
    StoreConfig,
    UIConfig,
)
from gateway.config.servers import RemoteServerConfig, ServerConfig
from gateway.redact import Redactor, url_secrets

_STRICT = ConfigDict(extra="forbid")
_SECRET_HEADER = re.compile(r"auth|cookie|key|token|secret|pass", re.IGNORECASE)


class GatewayConfig(BaseModel):
    """The whole configuration file."""

    model_config = _STRICT
    mcp_servers: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")], ServerConfig] = Field(
        default_factory=dict
    )
    store: StoreConfig = Field(default_factory=StoreConfig)
    auth: AuthConfig | None = None
    model: ModelConfig | None = None
    client_tools: list[ClientToolConfig] = Field(default_factory=list[ClientToolConfig])
    """Tools the browser runs, offered to the model beside the MCP tools."""
    render: RenderConfig = Field(default_factory=RenderConfig)
    server: ServerSettings = Field(default_factory=ServerSettings)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    config_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    """The directory relative paths resolve against (the config file's)."""
    _from_environment: frozenset[str] = PrivateAttr(default=frozenset())

    def with_environment_values(self, values: set[str]) -> GatewayConfig:
        """This configuration, knowing which of its values `${VAR}` took from the environment."""
        self._from_environment = frozenset(values)
        return self

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
