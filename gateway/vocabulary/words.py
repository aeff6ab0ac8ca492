"""Counted nouns in what people read: "1 tool", "7 tools", "no servers"."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "property": "properties", "reply": "replies", "child": "children"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is one: "1 tool", "2 tools".

    `many` is the plural when adding an "s" is wrong (a few common ones are known).
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or _IRREGULAR.get(noun) or noun + 's'}"
