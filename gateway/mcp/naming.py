"""Tool names: `server.tool` for people, `server__tool` for models (^[a-zA-Z0-9_-]{1,64}$)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

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
