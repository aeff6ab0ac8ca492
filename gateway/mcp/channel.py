"""Which call a server's requests belong to: the channels of the calls in flight.

While a tool runs, its server may ask the person something (elicitation, a sampling approval)
or log what it is doing. The MCP wire does not say which call such a message belongs to, so
each call in flight opens a `CallChannel` for its server:

- where the SDK handles the request in the call's own context, the channel in that context
  (`current`) is the call's own: 2026-07-28 `input_required` rounds, and streamable HTTP
  (the request arrives on the call's POST stream);
- otherwise (handshake era over stdio or SSE) the request arrives on the session's task; it
  goes to the one call in flight on that server. With several calls in flight there, the
  wire gives no way to tell them apart, and servers are shared by all users: a question is
  then refused and a log line only kept in the traffic log, never shown in someone's thread.

A call's deadline does not run while the person is being asked: `ask()` stops the call's
cancel scope's clock for the time of the question.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import anyio

from gateway.mcp.tasks import TaskState
from gateway.vocabulary.questions import Question, Reply

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


@dataclass(frozen=True)
class LogLine:
    """One `notifications/message` from a server."""

    server: str
    level: str
    logger: str | None
    text: str

    @property
    def severe(self) -> bool:
        """Warning or worse: worth showing to the person."""
        return self.level in LOG_LEVELS and LOG_LEVELS.index(self.level) >= LOG_LEVELS.index("warning")


@dataclass(eq=False)
class CallChannel:
    """What one call in flight lets its server reach: the person, and the thread's log."""

    server: str
    asker: Callable[[Question], Awaitable[Reply]] | None = None
    """Shows a question in the call's thread and waits for the reply (None: nobody to ask)."""
    logger: Callable[[LogLine], None] | None = None
    on_task: Callable[[TaskState], None] = lambda _state: None
    """Hears each status of the call's task, when the tool runs as one."""
    scope: anyio.CancelScope | None = None
    """The call's deadline, which a question's wait does not use up."""
    _asking: int = field(default=0, init=False, repr=False)
    """Questions open now."""
    _left: float = field(default=0.0, init=False, repr=False)
    """What was left of the deadline when the first of them was asked."""

    async def ask(self, question: Question) -> Reply | None:
        """The person's reply, or None when this call has nobody to ask."""
        if self.asker is None:
            return None
        self._pause()
        try:
            return await self.asker(question)
        finally:
            self._resume()

    def _pause(self) -> None:
        """Stop the deadline's clock (the first of several questions at once keeps what is left)."""
        self._asking += 1
        if self._asking == 1 and self.scope is not None:
            self._left = self.scope.deadline - anyio.current_time()
            self.scope.deadline = math.inf

    def _resume(self) -> None:
        self._asking -= 1
        if self._asking == 0 and self.scope is not None:
            self.scope.deadline = anyio.current_time() + max(self._left, 0.0)


current: ContextVar[CallChannel | None] = ContextVar("gateway_call_channel", default=None)


class Channels:
    """The channels of the calls in flight, by server."""

    def __init__(self) -> None:
        self._open: dict[str, list[CallChannel]] = {}

    @contextmanager
    def opened(self, channel: CallChannel) -> Generator[None, None, None]:
        """Route `channel.server`'s requests to `channel` while the block runs."""
        token = current.set(channel)
        self._open.setdefault(channel.server, []).append(channel)
        try:
            yield
        finally:
            current.reset(token)
            waiting = self._open.get(channel.server, [])
            if channel in waiting:
                waiting.remove(channel)
            if not waiting:
                self._open.pop(channel.server, None)

    def find(self, server: str) -> CallChannel | None:
        """The channel a request from `server` belongs to: the call's own, or the only call in
        flight on that server (None when there are several: the request cannot be placed)."""
        mine = current.get()
        if mine is not None and mine.server == server:
            return mine
        open_now = self._open.get(server, ())
        return open_now[0] if len(open_now) == 1 else None
