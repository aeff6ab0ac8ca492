"""Which call a server's requests belong to: the channels of the calls in flight.

While a tool runs, its server may ask the person something (elicitation, a sampling approval)
or log what it is doing. The MCP wire does not say which call such a message belongs to, so
each call in flight opens a `CallChannel` for its server:

- on 2026-07-28 connections the SDK answers `input_required` inside the call's own task, so
  the channel in the task's context (`current`) is the call's own;
- on handshake-era connections the request arrives on the session's task; it goes to the
  oldest call in flight on that server that can ask the person. With several such calls on
  one server at once, a question may reach the older call's thread: the wire gives no way to
  tell them apart.

A call's deadline does not run while the person is being asked: `ask()` moves the call's
cancel scope on by the time the question waited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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

    async def ask(self, question: Question) -> Reply | None:
        """The person's reply, or None when this call has nobody to ask."""
        if self.asker is None:
            return None
        started = anyio.current_time()
        try:
            return await self.asker(question)
        finally:
            if self.scope is not None:
                self.scope.deadline += anyio.current_time() - started


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

    def find(self, server: str, *, asking: bool = False) -> CallChannel | None:
        """The channel a request from `server` belongs to (with `asking`, one that can ask)."""
        mine = current.get()
        if mine is not None and mine.server == server:
            return mine
        for channel in self._open.get(server, ()):
            if not asking or channel.asker is not None:
                return channel
        return None
