"""The client's side of MCP: how the gateway answers what a server asks of it.

Passing these callbacks to the SDK's `Client` is what declares the capabilities (elicitation
in form and URL modes, sampling, roots), so servers offer the tools that need them.

- **Elicitation** goes to the person through the call's channel (`gateway.mcp.channel`); a
  request outside any chat call (the inspector's call, a server asking on its own) is refused
  with a reason, since nobody could answer it.
- **Sampling** follows the server's `sampling` setting: `deny` refuses; `ask` (the default)
  shows the request in the thread and waits for the person's approval; `allow` answers at
  once. The configured model answers; with none, the request is refused with a reason.
- **Roots** are the server's configured `roots`.
- **Log messages** go to the call in flight on that server (if any), which shows the severe
  ones; the traffic log already keeps every message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import Callable, Generator
from typing import Any, Protocol

import anyio
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import (
    INVALID_REQUEST,
    CreateMessageRequestParams,
    CreateMessageResult,
    ElicitRequestFormParams,
    ElicitRequestParams,
    ElicitResult,
    ErrorData,
    ListRootsResult,
    LoggingMessageNotificationParams,
    Root,
    TextContent,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from gateway.config import ServerConfig
from gateway.mcp.channel import Channels, LogLine
from gateway.redact import Redactor
from gateway.vocabulary.questions import Question, Reply, SampleMessage

logger = logging.getLogger(__name__)

_LOG_TEXT_CHARS = 2000


class Sampler(Protocol):
    """What answers a server's `sampling/createMessage`: the configured model."""

    async def __call__(self, params: CreateMessageRequestParams) -> CreateMessageResult:
        """The model's reply to the request's messages; raises with a readable message."""
        ...


def _refused(message: str) -> ErrorData:
    return ErrorData(code=INVALID_REQUEST, message=message)


class ClientSide:
    """Answers one server's requests; `config` and `sampler` are read anew for each request."""

    def __init__(
        self,
        server: str,
        config: Callable[[], ServerConfig],
        channels: Channels,
        sampler: Callable[[], Sampler | None],
        redactor: Callable[[], Redactor],
    ) -> None:
        self.server = server
        self._config = config
        self._channels = channels
        self._sampler = sampler
        self._redactor = redactor

    def callbacks(self) -> dict[str, Any]:
        """The `Client` keywords that install these answers (and declare the capabilities)."""
        return {
            "elicitation_callback": self.elicit,
            "sampling_callback": self.sample,
            "list_roots_callback": self.roots,
            "logging_callback": self.log,
            "log_level": self._config().log_level,
        }

    async def elicit(
        self, context: ClientRequestContext, params: ElicitRequestParams
    ) -> ElicitResult | ErrorData:
        """Ask the person, in the thread of the call that is waiting for the answer."""
        if isinstance(params, ElicitRequestFormParams):
            schema: dict[str, Any] = dict(params.requested_schema)
            question = Question(server=self.server, kind="form", message=params.message, schema=schema)
        else:
            question = Question(server=self.server, kind="url", message=params.message, url=params.url)
        reply = await self._ask_person(question)
        if reply is None:
            return _refused(f"the gateway has nobody to ask: {self._unplaced()}")
        if reply.action == "accept" and question.kind == "form":
            return ElicitResult(action="accept", content=reply.content or {})
        return ElicitResult(action=reply.action)

    async def sample(
        self, context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult | ErrorData:
        """Have the configured model answer, as the server's `sampling` setting allows."""
        mode = self._config().sampling
        if mode == "deny":
            return _refused(f"sampling is turned off for {self.server} in the gateway's configuration")
        sampler = self._sampler()
        if sampler is None:
            return _refused("the gateway has no model configured to answer sampling requests")
        if mode == "ask":
            question = Question(
                server=self.server,
                kind="sampling",
                message=f"{self.server} asks the model for a reply (at most {params.max_tokens} tokens).",
                messages=tuple(_sample_message(m.role, m.content_as_list) for m in params.messages),
                system_prompt=params.system_prompt,
                max_tokens=params.max_tokens,
            )
            reply = await self._ask_person(question)
            if reply is None:
                return _refused(f"sampling for {self.server} needs a person's approval: {self._unplaced()}")
            if reply.action != "accept":
                said = "declined" if reply.action == "decline" else "cancelled"
                return _refused(f"the person {said} the sampling request" + _note(reply))
        try:
            return await sampler(params)
        except Exception as exc:
            logger.warning("sampling for %s failed: %s", self.server, self._redactor()(str(exc)))
            return _refused(f"the model could not answer: {self._redactor()(str(exc))[:300]}")

    async def _ask_person(self, question: Question) -> Reply | None:
        """The reply of the person whose call the request belongs to (None: no such call)."""
        channel = self._channels.find(self.server)
        return await channel.ask(question) if channel is not None else None

    def _unplaced(self) -> str:
        return (
            f"this request from {self.server} did not come during a call made from a chat thread, "
            "or several calls were in flight on it"
        )

    async def connected(self, client: Client) -> None:
        """Send a handshake-era server the configured log level (2026-07-28 calls carry it)."""
        level = self._config().log_level
        capabilities = client.server_capabilities
        if level is None or client.protocol_version in MODERN_PROTOCOL_VERSIONS:
            return
        if capabilities.logging is None:
            return
        try:
            with anyio.fail_after(self._config().timeout), _deprecated_but_served():
                await client.set_logging_level(level)  # pyright: ignore[reportDeprecated]
        except Exception as exc:
            logger.warning(
                "MCP server %s: setting the log level failed: %s", self.server, self._redactor()(str(exc))
            )

    async def roots_changed(self, client: Client) -> None:
        """Tell a handshake-era server its roots changed (2026-07-28 servers ask with each request)."""
        if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
            return
        try:
            with anyio.fail_after(self._config().timeout), _deprecated_but_served():
                await client.session.send_roots_list_changed()  # pyright: ignore[reportDeprecated]
        except Exception as exc:
            logger.warning("MCP server %s: telling it the roots changed failed: %s", self.server, exc)

    async def roots(self, context: ClientRequestContext) -> ListRootsResult:
        """The server's configured roots."""
        return ListRootsResult(roots=[Root(uri=r.uri, name=r.name) for r in self._config().roots])  # pyright: ignore[reportArgumentType]

    async def log(self, params: LoggingMessageNotificationParams) -> None:
        """Pass a log message to the call in flight on this server, if there is one."""
        channel = self._channels.find(self.server)
        if channel is None or channel.logger is None:
            return
        data = params.data
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)
        line = LogLine(
            self.server, params.level, params.logger, self._redactor().output(text)[:_LOG_TEXT_CHARS]
        )
        channel.logger(line)


@contextlib.contextmanager
def _deprecated_but_served() -> Generator[None, None, None]:
    """Logging and roots are deprecated as of 2026-07-28, but handshake-era servers use them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        yield


def _sample_message(role: str, blocks: list[Any]) -> SampleMessage:
    parts = [b.text if isinstance(b, TextContent) else f"[{getattr(b, 'type', 'content')}]" for b in blocks]
    return SampleMessage(role=role, text="\n".join(parts))


def _note(reply: Reply) -> str:
    return f" ({reply.note})" if reply.note else ""
