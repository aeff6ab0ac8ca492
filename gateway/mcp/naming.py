"""Tool names: `server.tool` for people, `server__tool` for models (^[a-zA-Z0-9_-]{1,64}$),
and the index that finds a tool by any of them.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import NoReturn

from mcp.types import Tool

from gateway.errors import UnknownToolError
from gateway.vocabulary.names import quoted, typed_name
from gateway.vocabulary.tools import ToolInfo

MAX_MODEL_NAME = 64
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def _digest(text: str, size: int = 8) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:size]


def model_name(server: str, tool: str) -> str:
    """`server__tool`, cleaned to the characters models accept and shortened with a hash past 64."""
    name = _UNSAFE.sub("_", f"{server}__{tool}") or "tool"
    if len(name) <= MAX_MODEL_NAME:
        return name
    suffix = "_" + _digest(f"{server}.{tool}")
    return name[: MAX_MODEL_NAME - len(suffix)] + suffix


def assign_model_names(qualified: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Model names for (server, tool) pairs, unique: collisions get a hash of the qualified name.

    Deterministic: the same set of tools always gets the same names, whatever the order.
    """
    pairs = sorted(set(qualified))
    by_name: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        by_name.setdefault(model_name(*pair), []).append(pair)
    names: dict[tuple[str, str], str] = {}
    taken = {name for name, owners in by_name.items() if len(owners) == 1}
    for name, owners in by_name.items():
        if len(owners) == 1:
            names[owners[0]] = name
            continue
        for server, tool in owners:  # e.g. "a.b" and "a_b" on one server both clean to a_b
            suffix = "_" + _digest(f"{server}.{tool}")
            unique = name[: MAX_MODEL_NAME - len(suffix)] + suffix
            while unique in taken:
                suffix = "_" + _digest(unique)
                unique = name[: MAX_MODEL_NAME - len(suffix)] + suffix
            taken.add(unique)
            names[(server, tool)] = unique
    return names


class ToolIndex:
    """Every listed tool by `server.tool`, by model name, and by bare name; built once per change."""

    def __init__(self, listed: Iterable[tuple[str, Sequence[Tool]]]) -> None:
        """`listed`: each server's name and its tools, in config order."""
        servers = [(server, list(tools)) for server, tools in listed]
        names = assign_model_names((server, t.name) for server, tools in servers for t in tools)
        self._tools = {
            f"{server}.{t.name}": ToolInfo.from_tool(server, t, names[(server, t.name)])
            for server, tools in servers
            for t in tools
        }
        self._by_model = {t.model_name: t for t in self._tools.values()}
        self._by_pair = {(t.server, t.name): t for t in self._tools.values()}
        self._by_bare: dict[str, list[ToolInfo]] = {}
        self._by_server: dict[str, list[ToolInfo]] = {}
        for info in self._tools.values():
            self._by_bare.setdefault(info.name, []).append(info)
            self._by_server.setdefault(info.server, []).append(info)

    def tools(self) -> list[ToolInfo]:
        """Every tool, in config order, then each server's order."""
        return list(self._tools.values())

    def tools_of(self, server: str) -> list[ToolInfo]:
        """One server's tools, in its order (a turn's cost does not grow with other servers' tools)."""
        return list(self._by_server.get(server, ()))

    def resolve(self, name: str, server: str | None = None) -> ToolInfo:
        """The tool called `server.tool`, `server__tool`, or a bare name unique across servers;
        with `server`, the tool called exactly `name` on that server."""
        if server is not None:
            found = self._by_pair.get((server, name))
            if found is not None:
                return found
            return self._unknown(typed_name(server, name), f"{server}.{name}")
        name = name.strip()
        found = self._tools.get(name) or self._by_model.get(name)
        if found is not None:
            return found
        same = self._by_bare.get(name, [])
        if len(same) == 1:
            return same[0]
        if same:  # ambiguous: every server's version is a suggestion
            raise UnknownToolError(quoted(name), [_typed(t) for t in same])
        return self._unknown(quoted(name), name)

    def _unknown(self, shown: str, name: str) -> NoReturn:
        """No tool is called `name` (shown as `shown`): say so, with the closest names."""
        names = {
            **{t.qualified: t for t in self._tools.values()},
            **{k: v[0] for k, v in self._by_bare.items()},
        }
        close = _suggest(name, list(names))
        raise UnknownToolError(shown, list(dict.fromkeys(_typed(names[c]) for c in close)))

    def by_model_name(self, name: str) -> ToolInfo:
        """The tool a model called by its function name."""
        found = self._by_model.get(name)
        if found is None:
            raise UnknownToolError(name, _suggest(name, list(self._by_model)))
        return found


def _typed(tool: ToolInfo) -> str:
    """How a person types the tool's qualified name (quoted where it has spaces)."""
    return typed_name(tool.server, tool.name)


def _suggest(name: str, candidates: list[str]) -> list[str]:
    """Close matches, best first; only those nearly as close as the best (a typo has one answer)."""
    scored = [(difflib.SequenceMatcher(None, name, c).ratio(), c) for c in candidates]
    best = max((score for score, _ in scored), default=0.0)
    close = sorted((item for item in scored if item[0] >= max(0.6, best - 0.1)), key=lambda item: -item[0])
    return [candidate for _, candidate in close[:3]]
