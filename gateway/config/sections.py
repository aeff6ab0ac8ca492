"""The smaller sections of config.yaml: store, auth, model, server, audit and ui."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, field_validator, model_validator

from gateway.config.store import DEFAULT_STORE_URL, parse_url

_STRICT = ConfigDict(extra="forbid")


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
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list[IPvAnyNetwork])
    """The addresses or networks of those proxies: `trusted_header` is believed from them only."""
    admins: list[str] = Field(default_factory=list[str])
    """User ids who may see what the gateway sees of every user's calls: the inspector's MCP
    traffic log and the servers' own output. Without auth, the single local user may."""

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
    """An OpenAI-compatible model that holds conversations over the tools (optional)."""

    model_config = _STRICT
    model: str
    """The model's name at the endpoint (gpt-4.1-mini, llama3.1, ...)."""
    api_key: str | None = None
    """Usually `${OPENAI_API_KEY}`; endpoints that need none (Ollama) may leave it out."""
    base_url: str | None = None
    """An OpenAI-compatible endpoint (Ollama, vLLM, LiteLLM): spoken to with the Chat
    Completions API. Without it, OpenAI itself, through the Responses API."""
    instructions: str | None = None
    """What the model is told before every conversation (the gateway's default when unset)."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_turns: int = Field(default=10, ge=1, le=100)
    """Model calls one message may lead to (each batch of tool calls costs one)."""
    history_items: int = Field(default=40, ge=1, le=1000)
    """Thread items the model is sent: the newest ones (messages, tool calls, widgets, notes)."""
    retries: int = Field(default=3, ge=0, le=10)
    """Retries, with backoff, of a model request answered 429 or 5xx or not answered at all."""
    timeout: float = Field(default=120.0, gt=0)
    """Seconds one model request may take."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
        return url


class ClientToolConfig(BaseModel):
    """A tool the browser runs: the model may call it; the page answers with its output."""

    model_config = _STRICT
    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,64}$")
    description: str = ""
    input_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})

    @field_validator("input_schema")
    @classmethod
    def _object_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        if schema.get("type", "object") != "object":
            raise ValueError("a tool's input_schema must describe an object (type: object)")
        return schema


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
