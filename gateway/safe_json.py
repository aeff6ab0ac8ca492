"""Untrusted JSON: what a person types, a form sends or a model writes, made safe to pass on.

Two things in valid JSON break what comes after it. A `\\ud800` escape decodes to a lone UTF-16
surrogate, which no UTF-8 encoder takes: sent to an MCP server it broke the shared session
for every user, and saved in a widget it broke the store. And nesting thousands of levels
deep exhausts Python's recursion in the validators and serializers further on. Both are
refused here with a sentence that names where the problem is; nothing is silently changed,
except by `scrub`, which is for showing a value back to a person.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gateway.vocabulary.json import is_array, is_object, is_sequence

MAX_DEPTH = 64
"""How deeply arguments and payloads may nest; tool schemas in the wild stay far below it."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str | bytes) -> Any:
    """Parse JSON text from an untrusted source; `ValueError` with a readable reason if unusable."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    problem = first_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def problems(value: Any) -> dict[str, str]:
    """What makes `value` unsafe to pass on, keyed by dotted path ("" for the value as a whole)."""
    found: dict[str, str] = {}
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:  # named by its top-level key: the full path would be 64 parts long
            found.setdefault(path.split(".", 1)[0], f"nested more than {MAX_DEPTH} levels deep")
            continue
        if isinstance(node, str):
            if _SURROGATE.search(node):
                found.setdefault(path, _invalid_text(node))
        elif is_object(node):
            for key, inner in node.items():
                key_text = str(key)
                child = f"{path}.{key_text}" if path else key_text
                if _SURROGATE.search(key_text):
                    found.setdefault(path, "a name in it " + _invalid_text(key_text))
                    continue
                stack.append((inner, child, depth + 1))
        elif is_sequence(node):
            for index, inner in enumerate(node):
                stack.append((inner, f"{path}.{index}" if path else str(index), depth + 1))
    return found


def first_problem(value: Any) -> str | None:
    """The first of `problems(value)` as one sentence, or None when the value is safe."""
    found = problems(value)
    if not found:
        return None
    path, message = next(iter(found.items()))
    return f"{path}: {message}" if path else message


def scrub(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD, for showing it back to a person."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if is_object(value):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if is_array(value):
        return [scrub(v) for v in value]
    return value


def _invalid_text(text: str) -> str:
    match = _SURROGATE.search(text)
    code = f"\\u{ord(match.group()):04x}" if match else "?"
    return f"contains {code}, half of a UTF-16 surrogate pair, which is not valid Unicode text"
