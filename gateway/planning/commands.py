"""The offline planner's language: slash commands typed into the composer.

    /tools, /help                 the catalog of servers and tools
    /<tool> {json}                call a tool (bare name when unique across servers)
    /<server>.<tool> {json}       call a tool by its qualified name
    /<tool> key=value key2="a b"  simple arguments without JSON (typed by the input schema)

Anything else is plain text, which the offline planner answers with the catalog.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.safe_json import MAX_DEPTH
from gateway.vocabulary.json import is_object

CATALOG_COMMANDS = frozenset({"tools", "help", "start"})


@dataclass(frozen=True)
class Command:
    """A parsed message: show the catalog, call a tool, or plain text."""

    kind: Literal["catalog", "call", "text"]
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict[str, Any])
    """Typed arguments from `{json}`; raw strings from `key=value` (see `raw`)."""
    raw: bool = False
    """True when the arguments came as key=value strings and still need typing by schema."""
    problem: str | None = None
    """Why the arguments could not be read, in one sentence."""


def parse_command(text: str) -> Command:
    """Parse one message from the composer."""
    text = text.strip()
    if not text.startswith("/"):
        return Command("text")
    name, _, rest = text[1:].partition(" ")
    name, rest = name.strip(), rest.strip()
    if not name or name.lower() in CATALOG_COMMANDS:
        return Command("catalog")
    if not rest:
        return Command("call", name)
    if rest.startswith("{"):
        try:
            value = json.loads(rest)
        except json.JSONDecodeError as exc:
            return Command(
                "call", name, problem=f"the arguments are not valid JSON ({exc.msg} at column {exc.colno})"
            )
        except RecursionError:  # what is merely deep is refused by argument validation, with its path
            return Command(
                "call", name, problem=f"the arguments are nested more than {MAX_DEPTH} levels deep"
            )
        if not is_object(value):
            return Command("call", name, problem="the arguments must be a JSON object")
        return Command("call", name, arguments=value)
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        return Command("call", name, problem=f"the arguments could not be read ({exc})")
    arguments: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            return Command("call", name, problem=f"expected key=value or a JSON object, got {word!r}")
        arguments[key] = value
    return Command("call", name, arguments=arguments, raw=True)
