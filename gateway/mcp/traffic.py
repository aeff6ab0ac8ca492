"""The MCP traffic log: every JSON-RPC message between the gateway and each server, for the
inspector.

Each connection's transport is tapped (`gateway.mcp.connection`): a message is recorded as it
passes, in either direction. A response is paired with its request by id, so it carries the
method it answers and how long the server took. The log is bounded per server (entries and
bytes; the oldest go first) and a message longer than `MAX_MESSAGE_CHARS` is kept cut, with
its full length noted. Entries are redacted when they are read, with the redactor of the time.

Readers get a page (`entries(...)`, filtered, after a sequence number) or follow the log live
(`follow()`): a follower that falls behind loses entries, never slows a server down, and is
told how many it lost.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from collections.abc import AsyncGenerator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.types import JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse

from gateway.redact import Redactor

Direction = Literal["out", "in"]
"""`out`: from the gateway to the server; `in`: from the server to the gateway."""
Kind = Literal["request", "response", "error", "notification"]

MAX_ENTRIES = 500
"""Entries kept per server."""
MAX_BYTES = 2_000_000
"""Characters of messages kept per server (the oldest entries go first)."""
MAX_MESSAGE_CHARS = 64_000
"""A longer message is kept cut to this many characters."""
_FOLLOW_BUFFER = 1000
_PENDING_LIMIT = 10_000  # requests never answered must not grow the pairing table forever


@dataclass(frozen=True, kw_only=True)
class TrafficEntry:
    """One JSON-RPC message as it passed."""

    seq: int
    server: str
    at: float
    """Wall-clock time (seconds since the epoch)."""
    direction: Direction
    kind: Kind
    method: str | None
    """The method of a request or notification, and of the request a response answers."""
    id: str | int | None
    text: str
    """The message as JSON, cut to MAX_MESSAGE_CHARS."""
    size: int
    """The message's full length in characters."""
    duration_ms: float | None = None
    """For a response or error: the time since its request passed."""

    def as_json(self, redact: Redactor) -> dict[str, Any]:
        """The entry for the inspector, with the message parsed again (or as text, when cut)."""
        message: Any = None
        text: str | None = None
        if self.size > len(self.text):
            text = redact.output(self.text)  # the kept start is no JSON: redacted as text
        else:
            try:
                message = redact.value(json.loads(self.text))
            except ValueError:
                text = redact.output(self.text)
        return {
            "seq": self.seq,
            "server": self.server,
            "at": self.at,
            "direction": self.direction,
            "kind": self.kind,
            "method": self.method,
            "id": self.id,
            "duration_ms": self.duration_ms,
            "size": self.size,
            "message": message,
            "text": text,
            "truncated": self.size > len(self.text),
        }

    def matches(self, *, server: str | None, method: str | None, kind: str | None, text: str | None) -> bool:
        """True when the entry passes every filter given (method and text match as substrings)."""
        return (
            (server is None or self.server == server)
            and (kind is None or self.kind == kind)
            and (method is None or method.lower() in (self.method or "").lower())
            and (text is None or text.lower() in self.text.lower())
        )


class TrafficLog:
    """Every server's recent MCP messages; `tap(server)` gives the recorder a transport calls."""

    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        max_message_chars: int = MAX_MESSAGE_CHARS,
    ) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._max_message_chars = max_message_chars
        self._seq = itertools.count(1)
        self._by_server: dict[str, deque[TrafficEntry]] = {}
        self._bytes: dict[str, int] = {}
        self._pending: dict[tuple[str, Direction, str | int], tuple[str, float]] = {}
        self._followers: set[MemoryObjectSendStream[TrafficEntry]] = set()

    def tap(self, server: str) -> Tap:
        """The recorder for one server's connection."""
        return Tap(self, server)

    def record(self, server: str, direction: Direction, message: JSONRPCMessage) -> TrafficEntry:
        """Keep one message; returns its entry."""
        now, wall = time.monotonic(), time.time()
        text = message.model_dump_json(by_alias=True, exclude_none=True)
        size = len(text)
        if size > self._max_message_chars:
            text = text[: self._max_message_chars]
        method: str | None = None
        duration: float | None = None
        msg_id: str | int | None = None
        kind: Kind
        if isinstance(message, JSONRPCRequest):
            kind, method, msg_id = "request", message.method, message.id
            if len(self._pending) < _PENDING_LIMIT:
                self._pending[(server, direction, message.id)] = (message.method, now)
        elif isinstance(message, JSONRPCNotification):
            kind, method = "notification", message.method
        else:
            kind = "response" if isinstance(message, JSONRPCResponse) else "error"
            msg_id = message.id
            asked: Direction = "in" if direction == "out" else "out"  # a response answers the other way
            if msg_id is not None:
                request = self._pending.pop((server, asked, msg_id), None)
                if request is not None:
                    method, duration = request[0], round((now - request[1]) * 1000, 3)
        entry = TrafficEntry(
            seq=next(self._seq),
            server=server,
            at=wall,
            direction=direction,
            kind=kind,
            method=method,
            id=msg_id,
            text=text,
            size=size,
            duration_ms=duration,
        )
        self._keep(entry)
        for follower in list(self._followers):
            try:
                follower.send_nowait(entry)
            except anyio.WouldBlock:
                pass  # a slow reader loses entries; it sees the gap in `seq`
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._followers.discard(follower)
        return entry

    def _keep(self, entry: TrafficEntry) -> None:
        kept = self._by_server.setdefault(entry.server, deque())
        kept.append(entry)
        total = self._bytes.get(entry.server, 0) + len(entry.text)
        while kept and (len(kept) > self._max_entries or total > self._max_bytes):
            total -= len(kept.popleft().text)
        self._bytes[entry.server] = total

    def forget(self, server: str) -> None:
        """Drop a server's entries and unanswered requests (it was removed from the config)."""
        self._by_server.pop(server, None)
        self._bytes.pop(server, None)
        self._pending = {k: v for k, v in self._pending.items() if k[0] != server}

    def connection_ended(self, server: str) -> None:
        """Requests of a connection that ended will never be answered: stop waiting to pair them."""
        self._pending = {k: v for k, v in self._pending.items() if k[0] != server}

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
            if e.seq > after and e.matches(server=server, method=method, kind=kind, text=text)
        ]
        found.sort(key=lambda e: e.seq)
        return found[-limit:] if limit > 0 else []

    def last_seq(self) -> int:
        """The sequence number of the newest entry (0 when there is none)."""
        return max((d[-1].seq for d in self._by_server.values() if d), default=0)

    @asynccontextmanager
    async def follow(self) -> AsyncGenerator[MemoryObjectReceiveStream[TrafficEntry], None]:
        """New entries as they are recorded, until the block ends."""
        send, receive = anyio.create_memory_object_stream[TrafficEntry](_FOLLOW_BUFFER)
        self._followers.add(send)
        try:
            async with receive:
                yield receive
        finally:
            self._followers.discard(send)
            send.close()


class Tap:
    """Records one server's messages into the log (`gateway.mcp.connection` calls it)."""

    def __init__(self, log: TrafficLog, server: str) -> None:
        self._log = log
        self.server = server

    def __call__(self, direction: Direction, message: JSONRPCMessage) -> None:
        self._log.record(self.server, direction, message)

    def ended(self) -> None:
        """The connection ended."""
        self._log.connection_ended(self.server)
