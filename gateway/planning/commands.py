"""The offline planner's language: slash commands typed into the composer.

    /tools, /help                 the catalog of servers and tools
    /<tool> {json}                call a tool (bare name when unique across servers)
    /<server>.<tool> {json}       call a tool by its qualified name
    /<tool> key=value key2="a b"  simple arguments without JSON (typed by the input schema)
    /<tool>                       nothing more: a read-only tool runs, any other opens its form
    /"my tool", /server."my tool" a name with spaces (or quotes) in double quotes, a JSON string

Anything else is plain text, which the offline planner answers with the catalog.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from gateway.safe_json import MAX_DEPTH
from gateway.vocabulary.json import is_object
from gateway.vocabulary.names import read_name

CATALOG_COMMANDS = frozenset({"tools", "help", "start"})


@dataclass(frozen=True)
class Command:
    """A parsed message: show the catalog, call a tool, plain text, or a name that cannot be read."""

    kind: Literal["catalog", "call", "text", "unreadable"]
    tool: str = ""
    """The tool's name as typed, quotes removed: `server.tool` or a bare name, unless `server` is set."""
    server: str | None = None
    """The server, when quotes set it apart from the tool's name (`/server."my tool"`)."""
    arguments: dict[str, Any] = field(default_factory=dict[str, Any])
    """Typed arguments from `{json}`; raw strings from `key=value` (see `raw`)."""
    raw: bool = False
    """True when the arguments came as key=value strings and still need typing by schema."""
    problem: str | None = None
    """Why the arguments (or, `unreadable`, the name) could not be read, in one sentence."""
    bare: bool = False
    """Nothing followed the name: no arguments, not even `{}`."""


def parse_command(text: str) -> Command:
    """Parse one message from the composer."""
    text = text.strip()
    if not text.startswith("/"):
        return Command("text")
    try:
        typed, rest = read_name(text[1:])
    except ValueError as exc:
        return Command("unreadable", problem=str(exc))
    if not typed.quoted and (not typed.name or typed.name.lower() in CATALOG_COMMANDS):
        return Command("catalog")
    call = partial(Command, "call", typed.name, typed.server)
    if not rest:
        return call(bare=True)
    if rest.startswith("{"):
        try:
            value = json.loads(rest)
        except json.JSONDecodeError as exc:
            return call(problem=f"the arguments are not valid JSON ({exc.msg} at column {exc.colno})")
        except RecursionError:  # what is merely deep is refused by argument validation, with its path
            return call(problem=f"the arguments are nested more than {MAX_DEPTH} levels deep")
        if not is_object(value):
            return call(problem="the arguments must be a JSON object")
        return call(arguments=value)
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        return call(problem=f"the arguments could not be read ({exc})")
    arguments: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            return call(problem=f"expected key=value or a JSON object, got {word!r}")
        arguments[key] = value
    return call(arguments=arguments, raw=True)
