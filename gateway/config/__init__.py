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

from gateway.config.loading import load_config, parse_config
from gateway.config.model import GatewayConfig
from gateway.config.render import RenderConfig, RenderRule
from gateway.config.sections import (
    AuditConfig,
    AuthConfig,
    ClientToolConfig,
    ModelConfig,
    ServerSettings,
    StoreConfig,
    UIConfig,
)
from gateway.config.servers import RemoteServerConfig, ServerConfig, StdioServerConfig, ToolFilter
from gateway.config.store import DEFAULT_STORE_URL

__all__ = [
    "DEFAULT_STORE_URL",
    "AuditConfig",
    "AuthConfig",
    "ClientToolConfig",
    "GatewayConfig",
    "ModelConfig",
    "RemoteServerConfig",
    "RenderConfig",
    "RenderRule",
    "ServerConfig",
    "ServerSettings",
    "StdioServerConfig",
    "StoreConfig",
    "ToolFilter",
    "UIConfig",
    "load_config",
    "parse_config",
]
