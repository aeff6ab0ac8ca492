"""A tool's name as a person types it after the slash: `server.tool`, or a bare name, each
part in double quotes when it cannot be typed as it is.

    /todo.list_tasks            /list_tasks
    /todo."my tool" {...}       /"my tool" key=value       /"my server"."tool"

A part needs quotes when it holds white space, a quote or a backslash (or is empty); quoted,
it is a JSON string, so `\\"` is a quote inside it. What the gateway shows a person as a name
to type (the catalog, "Did you mean") is written by `typed_name`, and `read_name` reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


def needs_quotes(part: str) -> bool:
    """True when `part` cannot be typed as it is: empty, or with white space, quotes or a backslash."""
    return not part or not part.isprintable() or any(c.isspace() or c in "\"'\\" for c in part)


def quoted(part: str) -> str:
    """`part` as it is typed: as it is, or as a JSON string when it needs quotes."""
    return json.dumps(part, ensure_ascii=False) if needs_quotes(part) else part


def typed_name(server: str, tool: str) -> str:
    """What to type after the slash for `tool` on `server`: `server.tool`, quoted where needed."""
    return f"{quoted(server)}.{quoted(tool)}"


@dataclass(frozen=True)
class TypedName:
    """A tool name as read from a command."""

    name: str
    """The tool's own name; or, when no quotes set a server apart, the whole name as typed
    (`server.tool` or a bare name, found by lookup)."""
    server: str | None = None
    """The server, when the name was written `"server".tool`, `server."tool"` or `"server"."tool"`."""
    quoted: bool = False
    """Some part was in quotes (so `/"help"` is a tool called help, not the catalog)."""

    def __str__(self) -> str:
        return quoted(self.name) if self.server is None else typed_name(self.server, self.name)


def read_name(text: str) -> tuple[TypedName, str]:
    """The tool name at the start of `text` (what follows the slash), and the rest of `text`.

    ValueError says, in a phrase, what is wrong with a name whose quotes do not add up.
    """
    pieces: list[tuple[str, bool]] = []  # (text, was quoted)
    bare = ""
    at = 0
    while at < len(text) and not text[at].isspace():
        if text[at] != '"':
            bare += text[at]
            at += 1
            continue
        end = _closing_quote(text, at)
        if end < 0:
            raise ValueError("the quoted name has no closing quote")
        try:
            value = json.loads(text[at : end + 1])
        except json.JSONDecodeError:
            raise ValueError(f"the quoted name {text[at : end + 1]} is not a valid JSON string") from None
        if bare:
            pieces.append((bare, False))
            bare = ""
        pieces.append((value, True))
        at = end + 1
    if bare:
        pieces.append((bare, False))
    return _name(pieces), text[at:].strip()


def _closing_quote(text: str, start: int) -> int:
    """The index of the quote that closes the one at `start`, or -1."""
    at = start + 1
    while at < len(text):
        if text[at] == "\\":
            at += 2
        elif text[at] == '"':
            return at
        else:
            at += 1
    return -1


def _name(pieces: list[tuple[str, bool]]) -> TypedName:
    if not any(was_quoted for _, was_quoted in pieces):
        return TypedName(pieces[0][0] if pieces else "")
    match pieces:
        case [(name, True)]:
            return TypedName(name, quoted=True)
        case [(server, False), (name, True)] if server.endswith(".") and len(server) > 1:
            return TypedName(name, server[:-1], quoted=True)
        case [(server, True), (name, False)] if name.startswith(".") and len(name) > 1:
            return TypedName(name[1:], server, quoted=True)
        case [(server, True), (".", False), (name, True)]:
            return TypedName(name, server, quoted=True)
        case _:
            raise ValueError(
                'a quoted name is written "tool", server."tool", "server".tool or "server"."tool"'
            )
