"""Counted nouns in what people read: "1 tool", "7 tools", "no servers"."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "property": "properties", "reply": "replies", "child": "children"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is one: "1 tool", "2 tools".

    `many` is the plural when adding an "s" is wrong (a few common ones are known).
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count:,} {many or _IRREGULAR.get(noun) or noun + 's'}"


_SINGULAR = {many: one for one, many in _IRREGULAR.items()}


def singular(nouns: str) -> str:
    """The singular of an English plural, for nouns named by data ("tasks", "entities")."""
    last = nouns.rsplit(" ", 1)[-1]
    head = nouns[: len(nouns) - len(last)]
    if last in _SINGULAR:
        return head + _SINGULAR[last]
    if last.endswith("ies") and len(last) > 3:
        return head + last[:-3] + "y"
    if last.endswith(("sses", "xes", "ches", "shes")):
        return head + last[:-2]
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return head + last[:-1]
    return nouns


def counted(count: int, nouns: str) -> str:
    """`count` and a plural noun, made singular for one: "1 task", "1,200 tasks"."""
    return f"{count:,} {singular(nouns) if count == 1 else nouns}"
