"""One message in the MCP traffic log (`gateway.mcp.traffic`), and what the inspector may see of it.

An entry keeps the message as it passed. What it shows is masked by the redactor of the moment
on the structure of the message (keys and string values, never the JSON text: a masked URL must
not break the JSON around it), when it is first read, and cached until the redactor changes. A
message cut to size was masked before it was cut, and is shown as the text kept.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from gateway.redact import Redactor

Direction = Literal["out", "in"]
"""`out`: from the gateway to the server; `in`: from the server to the gateway."""
Kind = Literal["request", "response", "error", "notification"]


class TrafficEntry:
    """One JSON-RPC message as it passed; `shown(redactor)` is what the inspector may see of it."""

    __slots__ = (
        "_masked",
        "at",
        "connection",
        "direction",
        "duration_ms",
        "id",
        "kind",
        "method",
        "seq",
        "server",
        "size",
        "text",
    )

    def __init__(
        self,
        *,
        seq: int,
        server: str,
        connection: int,
        at: float,
        direction: Direction,
        kind: Kind,
        method: str | None,
        id: str | int | None,
        text: str,
        size: int,
        duration_ms: float | None = None,
    ) -> None:
        self.seq = seq
        self.server = server
        self.connection = connection
        """Which connection to the server carried it (a reconnect is a new one)."""
        self.at = at
        """Wall-clock time (seconds since the epoch)."""
        self.direction: Direction = direction
        self.kind: Kind = kind
        self.method = method
        """The method of a request or notification, and of the request a response answers."""
        self.id = id
        self.text = text
        """The message as JSON; when cut to MAX_MESSAGE_CHARS, masked first."""
        self.size = size
        """The message's full length in characters."""
        self.duration_ms = duration_ms
        """For a response or error: the time since its request passed."""
        self._masked: tuple[Redactor, Any, str] | None = None

    @property
    def truncated(self) -> bool:
        """The message was longer than the log keeps."""
        return self.size > len(self.text)

    def shown(self, redactor: Redactor) -> tuple[Any, str]:
        """The message masked by `redactor` (None when cut), and its masked text (what a search reads)."""
        cached = self._masked
        if cached is not None and cached[0] is redactor:
            return cached[1], cached[2]
        message: Any = None
        if self.truncated:
            text = self.text  # masked before it was cut
        else:
            try:
                message = redactor.value(json.loads(self.text))
                text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            except ValueError:
                text = redactor.output(self.text)
        self._masked = (redactor, message, text)
        return message, text

    def as_json(self, redactor: Redactor) -> dict[str, Any]:
        """The entry for the inspector: the message masked, or its kept start as text."""
        message, text = self.shown(redactor)
        return {
            "seq": self.seq,
            "server": self.server,
            "connection": self.connection,
            "at": self.at,
            "direction": self.direction,
            "kind": self.kind,
            "method": self.method,
            "id": self.id,
            "duration_ms": self.duration_ms,
            "size": self.size,
            "message": message,
            "text": text if message is None else None,
            "truncated": self.truncated,
        }

    def matches(
        self,
        *,
        server: str | None,
        method: str | None,
        kind: str | None,
        text: str | None,
        redactor: Redactor,
    ) -> bool:
        """True when the entry passes every filter given (method and text match as substrings, the
        text in the masked message: a search finds nothing the inspector would not show)."""
        return (
            (server is None or self.server == server)
            and (kind is None or self.kind == kind)
            and (method is None or method.lower() in (self.method or "").lower())
            and (text is None or text.lower() in self.shown(redactor)[1].lower())
        )
