"""The MCP traffic log: every JSON-RPC message between the gateway and each server, for the
inspector.

Each connection's transport is tapped (`gateway.mcp.connection`): a message is recorded as it
passes, in either direction. A response is paired with its request by id within its own
connection (ids restart with each connection), so it carries the method it answers and how long
the server took. The log is bounded per server (entries and characters; the oldest go first),
and a message longer than `MAX_MESSAGE_CHARS` is kept cut, with its full length noted.

What the log shows is masked (`gateway.mcp.traffic_entry`): a message kept whole when it is
first read, and a search runs on the masked form, so it cannot find a masked value either; a
message cut to size is masked before it is cut, so no secret is kept half. Recording itself
only serializes: it runs on every call, looked at or not. A call that wants its own `tools/call`
exchange (the inspector checks the server's structured content as it was sent) runs inside
`capturing()`; the tap hands that request and its response to it.

Readers get a page (`entries(...)`, filtered, after a sequence number) or follow the log live
(`follow()`): a follower that falls behind loses entries (it sees the gap in `seq`), and never
slows a server down. Recording never fails a connection: a problem is logged and skipped.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator, Generator, Iterable
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.types import JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse

from gateway.mcp.traffic_entry import Direction, Kind, TrafficEntry
from gateway.redact import Redactor

logger = logging.getLogger(__name__)

MAX_ENTRIES = 500
"""Entries kept per server."""
MAX_CHARS = 2_000_000
"""Characters of messages kept per server (the oldest entries go first)."""
MAX_MESSAGE_CHARS = 64_000
"""A longer message is kept cut to this many characters."""
_FOLLOW_BUFFER = 1000
_CUT_MARGIN = 4096  # masked beyond the cut too, so a secret across it is recognised whole
_PENDING_LIMIT = 1000  # per connection: requests never answered must not grow the table forever


class Capture:
    """One call's own `tools/call` exchange as the tap saw it (see `capturing`); the entries are
    shown masked, `response_message` is the response as received."""

    def __init__(self) -> None:
        self.request: TrafficEntry | None = None
        self.response: TrafficEntry | None = None
        self.response_message: JSONRPCMessage | None = None
        """The response as received, before masking."""


_capture: ContextVar[Capture | None] = ContextVar("traffic_capture", default=None)


@contextmanager
def capturing() -> Generator[Capture, None, None]:
    """Hand the last `tools/call` request sent from this task, and its response, to the Capture."""
    capture = Capture()
    token = _capture.set(capture)
    try:
        yield capture
    finally:
        _capture.reset(token)


@dataclass
class _Pending:
    method: str
    started: float
    capture: Capture | None


class TrafficLog:
    """Every server's recent MCP messages; each connection records through `tap(server)`."""

    def __init__(
        self,
        *,
        redactor: Redactor | None = None,
        max_entries: int = MAX_ENTRIES,
        max_chars: int = MAX_CHARS,
        max_message_chars: int = MAX_MESSAGE_CHARS,
    ) -> None:
        self._max_entries = max_entries
        self._max_chars = max_chars
        self._max_message_chars = max_message_chars
        self._seq = itertools.count(1)
        self._connections = itertools.count(1)
        self._by_server: dict[str, deque[TrafficEntry]] = {}
        self._chars: dict[str, int] = {}
        self._generation: dict[str, int] = {}
        self._followers: set[Follower] = set()
        self.use_redactor(redactor or Redactor())

    def use_redactor(self, redactor: Redactor) -> None:
        """Mask with `redactor` from now on (a reload may bring new secrets)."""
        self.redactor = redactor
        """What the inspector's view of the log is masked with."""
        # A cut message is masked as text, where a secret may appear JSON-escaped: mask those forms too.
        escaped = [json.dumps(s, ensure_ascii=a)[1:-1] for s in redactor.secrets for a in (True, False)]
        self._redact_text = redactor.with_secrets(escaped)

    def tap(self, server: str) -> Tap:
        """The recorder for `server`'s connections."""
        return Tap(self, server, self._generation.get(server, 0))

    def new_connection(self) -> int:
        """A number for a new connection, unique in this log."""
        return next(self._connections)

    def forget(self, server: str) -> None:
        """Drop a removed server's entries; its connections still closing record nothing more."""
        self._by_server.pop(server, None)
        self._chars.pop(server, None)
        self._generation[server] = self._generation.get(server, 0) + 1

    def record(self, tap: Tap, direction: Direction, message: JSONRPCMessage) -> None:
        """Keep one message that passed `tap`'s connection (masked, paired, cut)."""
        if tap.generation != self._generation.get(tap.server, 0):
            return  # the server was removed from the configuration
        now, wall = time.monotonic(), time.time()
        text = message.model_dump_json(by_alias=True, exclude_none=True)
        size = len(text)
        if size > self._max_message_chars:  # masked before it is cut: no secret is kept in half
            text = self._redact_text.output(text[: self._max_message_chars + _CUT_MARGIN])
            text = text[: self._max_message_chars]
        method: str | None = None
        duration: float | None = None
        msg_id: str | int | None = None
        capture: Capture | None = None
        kind: Kind
        if isinstance(message, JSONRPCRequest):
            kind, method, msg_id = "request", message.method, message.id
            capture = _capture.get() if direction == "out" and message.method == "tools/call" else None
            tap.pending(direction, message.id, _Pending(message.method, now, capture))
        elif isinstance(message, JSONRPCNotification):
            kind, method = "notification", message.method
            if message.method == "notifications/cancelled" and message.params:
                tap.answered(direction, message.params.get("requestId"))  # cancelled by its sender
        else:
            kind = "response" if isinstance(message, JSONRPCResponse) else "error"
            msg_id = message.id
            request = tap.answered("in" if direction == "out" else "out", msg_id)
            if request is not None:
                method, duration = request.method, round((now - request.started) * 1000, 3)
                capture = request.capture
        entry = TrafficEntry(
            seq=next(self._seq),
            server=tap.server,
            connection=tap.connection,
            at=wall,
            direction=direction,
            kind=kind,
            method=method,
            id=msg_id,
            text=text,
            size=size,
            duration_ms=duration,
        )
        if capture is not None:
            if kind == "request":
                capture.request = entry
            else:
                capture.response, capture.response_message = entry, message
        self._keep(entry)
        for follower in self._followers:
            follower.put(entry)  # a slow reader loses the oldest; it sees the gap in `seq`

    def _keep(self, entry: TrafficEntry) -> None:
        kept = self._by_server.setdefault(entry.server, deque())
        kept.append(entry)
        total = self._chars.get(entry.server, 0) + len(entry.text)
        while kept and (len(kept) > self._max_entries or total > self._max_chars):
            total -= len(kept.popleft().text)
        self._chars[entry.server] = total

    def entries(
        self,
        *,
        server: str | None = None,
        method: str | None = None,
        kind: str | None = None,
        text: str | None = None,
        after: int = 0,
        limit: int = 200,
    ) -> list[TrafficEntry]:
        """The newest `limit` entries after sequence number `after` that pass the filters, oldest first."""
        sources: Iterable[deque[TrafficEntry]] = (
            [self._by_server.get(server, deque())] if server is not None else self._by_server.values()
        )
        found = [
            e
            for entries in sources
            for e in entries
            if e.seq > after
            and e.matches(server=server, method=method, kind=kind, text=text, redactor=self.redactor)
        ]
        found.sort(key=lambda e: e.seq)
        return found[-limit:] if limit > 0 else []

    def last_seq(self) -> int:
        """The sequence number of the newest entry (0 when there is none)."""
        return max((d[-1].seq for d in self._by_server.values() if d), default=0)

    @asynccontextmanager
    async def follow(self) -> AsyncGenerator[Follower, None]:
        """New entries as they are recorded, from the moment this is entered until the block ends."""
        follower = Follower()
        self._followers.add(follower)
        try:
            yield follower
        finally:
            self._followers.discard(follower)


class Follower:
    """Entries recorded since the last `take`; the oldest go when more than `_FOLLOW_BUFFER` wait."""

    def __init__(self) -> None:
        self._waiting: deque[TrafficEntry] = deque(maxlen=_FOLLOW_BUFFER)
        self._arrived = anyio.Event()

    def put(self, entry: TrafficEntry) -> None:
        self._waiting.append(entry)
        self._arrived.set()

    async def take(self, timeout: float) -> list[TrafficEntry]:
        """What arrived, waiting at most `timeout` seconds for something (an empty list then).

        Waiting is on an event, the entries stay in the queue: a timeout loses nothing.
        """
        if not self._waiting:
            with anyio.move_on_after(timeout):
                await self._arrived.wait()
        self._arrived = anyio.Event()
        taken = list(self._waiting)
        self._waiting.clear()
        return taken


class Tap:
    """Records one server's messages; `gateway.mcp.connection` opens it for each connection."""

    def __init__(self, log: TrafficLog, server: str, generation: int) -> None:
        self._log = log
        self.server = server
        self.generation = generation
        self.connection = 0
        self._pending: dict[tuple[Direction, str | int], _Pending] = {}
        self._failed = False

    def opened(self) -> None:
        """A new connection starts: its request ids start again."""
        self.connection = self._log.new_connection()
        self._pending = {}

    def ended(self) -> None:
        """The connection ended: its unanswered requests never will be."""
        self._pending = {}

    def __call__(self, direction: Direction, message: JSONRPCMessage) -> None:
        try:
            self._log.record(self, direction, message)
        except Exception:  # the log is for looking at: it may never break the connection
            if not self._failed:
                self._failed = True
                logger.exception("MCP server %s: recording its traffic failed", self.server)

    def pending(self, direction: Direction, request_id: str | int, request: _Pending) -> None:
        if len(self._pending) >= _PENDING_LIMIT:
            self._pending.pop(next(iter(self._pending)))  # the oldest, long unanswered
        self._pending[(direction, request_id)] = request

    def answered(self, direction: Direction, request_id: Any) -> _Pending | None:
        if not isinstance(request_id, str | int):
            return None
        return self._pending.pop((direction, request_id), None)
