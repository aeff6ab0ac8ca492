"""JSON as a type: what servers return, schemas describe and widgets carry.

Everything that crosses a wire here is JSON, and most of it is untrusted: a tool's result,
its schemas, a widget action's payload. `JSON` names that shape; the guards below narrow a
value of unknown shape after a check, so the code that reads it is typed without casts.

Schemas and payloads stay `JSONObject` (a `dict[str, Any]`, as the MCP SDK types them) at the
boundaries; the guards give their parts a type where the code looks inside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from typing_extensions import TypeIs

JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"
"""One JSON value, as `json.loads` returns it."""

JSONObject: TypeAlias = dict[str, Any]
"""A JSON object: a tool's schema, its structured content, an action payload."""

JSONArray: TypeAlias = list[Any]
"""A JSON array whose items are not yet checked."""


def is_object(value: object) -> TypeIs[dict[str, Any]]:
    """True for a JSON object (a dict; JSON keys are always strings)."""
    return isinstance(value, dict)


def is_array(value: object) -> TypeIs[list[Any]]:
    """True for a JSON array."""
    return isinstance(value, list)


def is_mapping(value: object) -> TypeIs[Mapping[str, Any]]:
    """True for any mapping read like a JSON object."""
    return isinstance(value, Mapping)


def is_sequence(value: object) -> TypeIs[Sequence[Any]]:
    """True for a list or tuple read like a JSON array (never a string)."""
    return isinstance(value, list | tuple)


def object_or_empty(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: for optional parts of untrusted shapes."""
    return value if is_object(value) else {}


def array_or_empty(value: object) -> list[Any]:
    """`value` when it is a JSON array, else an empty one."""
    return value if is_array(value) else []


def string_keys(obj: Mapping[Any, Any]) -> list[str]:
    """The keys of `obj` that are strings, in order.

    Parsed JSON has no others, but a dict built in Python may: code that reads keys as names
    skips the rest rather than trusting the `str` that `is_object` promises.
    """
    return [key for key in obj if isinstance(key, str)]
