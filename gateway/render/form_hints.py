"""What a field's schema asks of a value, said under the field: "1 to 100", "at most 20 characters".

The gateway checks every constraint on submit (`mcp.validation`); these hints say them before
the person types, and `input_type` picks the browser's own input where chatkit's Input has one
(`email`, `url`).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from gateway.render.schema import FormField
from gateway.render.widget import scalar_text
from gateway.vocabulary.json import is_object
from gateway.vocabulary.words import plural

_NO_FORMAT_HINT = {"date", "textarea", "multiline", "markdown"}
"""Formats the control already shows (a DatePicker, a text area)."""
_INPUT_TYPES = {"email": "email", "idn-email": "email", "uri": "url", "url": "url", "iri": "url"}
_PLACEHOLDERS = {
    "email": "name@example.com",
    "idn-email": "name@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "date-time": "2026-01-31T09:30:00Z",
    "time": "09:30:00",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
}


def constraint_hint(f: FormField) -> str:
    """The field's constraints in words ("" when it has none worth saying)."""
    schema = f.schema
    if f.kind in ("integer", "number"):
        parts = _number_parts(schema)
    elif f.kind in ("string", "text", "date"):
        parts = _string_parts(schema)
    elif f.kind in ("list", "multi_enum", "group") or schema.get("type") == "array":
        noun = ("entry", "entries") if f.kind == "group" else ("item", "items")
        parts = _count_parts(schema, "minItems", "maxItems", noun)
        if schema.get("uniqueItems") is True and f.kind != "multi_enum":
            parts.append("no repeats")
        items = schema.get("items")
        if f.kind == "list" and is_object(items):
            each = _number_parts(items) if f.item_type in ("integer", "number") else _string_parts(items)
            if each:
                parts.append("each " + ", ".join(each))
    else:
        parts = []
    return " · ".join(parts)


def input_type(f: FormField) -> str | None:
    """The chatkit Input `inputType` that fits a text field's `format`, if one does."""
    fmt = f.schema.get("format")
    return _INPUT_TYPES.get(fmt) if isinstance(fmt, str) else None


def format_placeholder(f: FormField) -> str | None:
    """An example value for a text field's `format` (`name@example.com`), if it has a known one."""
    fmt = f.schema.get("format")
    return _PLACEHOLDERS.get(fmt) if isinstance(fmt, str) else None


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_parts(schema: dict[str, Any]) -> list[str]:
    low, high = schema.get("minimum"), schema.get("maximum")
    above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if above is True and _number(low):  # draft 4: a flag on minimum
        above, low = low, None
    if below is True and _number(high):
        below, high = high, None
    parts: list[str] = []
    if _number(low) and _number(high):
        parts.append(f"{scalar_text(low)} to {scalar_text(high)}")
    else:
        if _number(above):
            parts.append(f"more than {scalar_text(above)}")
        elif _number(low):
            parts.append(f"at least {scalar_text(low)}")
        if _number(below):
            parts.append(f"less than {scalar_text(below)}")
        elif _number(high):
            parts.append(f"at most {scalar_text(high)}")
    step = schema.get("multipleOf")
    if _number(step) and step > 0 and not (step == 1 and schema.get("type") == "integer"):
        parts.append(f"a multiple of {scalar_text(step)}")
    return parts


def _string_parts(schema: dict[str, Any]) -> list[str]:
    parts = _count_parts(schema, "minLength", "maxLength", ("character", "characters"))
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt and fmt not in _NO_FORMAT_HINT:
        parts.append(f"format: {fmt}")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern:
        parts.append(f"pattern: {pattern}")
    return parts


def _count_parts(schema: dict[str, Any], least: str, most: str, noun: tuple[str, str]) -> list[str]:
    low, high = schema.get(least), schema.get(most)
    low = low if isinstance(low, int) and not isinstance(low, bool) and low > 0 else None
    high = high if isinstance(high, int) and not isinstance(high, bool) and high >= 0 else None

    def counted(n: int) -> str:
        return plural(n, noun[0], noun[1])

    if low is not None and high is not None:
        return [f"exactly {counted(low)}" if low == high else f"{low} to {counted(high)}"]
    if low is not None:
        return [f"at least {counted(low)}"]
    if high is not None:
        return [f"at most {counted(high)}"]
    return []
