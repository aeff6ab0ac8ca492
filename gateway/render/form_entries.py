"""Repeatable groups: an array of objects in a form, one set of the item's fields per entry.

A group's `FormField.children` are the fields of one entry under `<path>.*.`; entry `i` has
them under `<path>.<i>.` (`entry_fields`), so the web component sends a group back as
``{"0": {...}, "1": {...}}``. How many entries a form shows: as many as its values hold, never
fewer than `minItems` (one when the array is required). "Add entry" and "Remove" re-show the
form in place with what it holds, one entry more or less (`edit_entries`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gateway.render.schema import FormField
from gateway.vocabulary.json import is_array, is_object, string_keys


def entry_fields(group: FormField, index: int) -> tuple[FormField, ...]:
    """The fields of entry `index` of `group`, their paths numbered (`items.*.name` → `items.2.name`)."""
    return tuple(_rebase(f, f"{group.path}.*.", f"{group.path}.{index}.") for f in group.children)


def _rebase(f: FormField, old: str, new: str) -> FormField:
    path = new + f.path[len(old) :] if f.path.startswith(old) else f.path
    return replace(f, path=path, children=tuple(_rebase(c, old, new) for c in f.children))


def min_entries(group: FormField) -> int:
    """The fewest entries the form shows: `minItems`, and at least one when the array is required."""
    least = group.schema.get("minItems")
    least = least if isinstance(least, int) and not isinstance(least, bool) and least > 0 else 0
    return max(least, 1 if group.required else 0)


def max_entries(group: FormField) -> int | None:
    """The most entries "Add entry" goes to (`maxItems`), or None."""
    most = group.schema.get("maxItems")
    return most if isinstance(most, int) and not isinstance(most, bool) and most >= 0 else None


def shown_entries(group: FormField, value: Any) -> list[dict[str, Any]]:
    """The values of each entry the form shows for `value` (a list of objects, or nothing yet)."""
    if not is_array(value) and is_array(group.default):
        value = group.default
    entries: list[dict[str, Any]] = [v if is_object(v) else {} for v in value] if is_array(value) else []
    return entries + [{} for _ in range(min_entries(group) - len(entries))]


def submitted_entries(raw: Any) -> list[Any] | None:
    """The entries of a group in the order the form shows them: a form sends ``{"0": ..., "1": ...}``;
    a list is taken as it is. None when `raw` is neither."""
    if is_array(raw):
        return list(raw)
    if not is_object(raw):
        return None
    # ASCII digits only ("²".isdigit() is true); by number alone ("1" and "01" must not compare their values)
    numbered = sorted(
        ((int(k), raw[k]) for k in string_keys(raw) if k.isascii() and k.isdigit() and len(k) < 6),
        key=lambda pair: pair[0],
    )
    return [value for _, value in numbered]


def blank(raw: Any) -> bool:
    """Whether nothing was entered: empty text, unchecked boxes, all-blank entries."""
    if raw is None or raw is False:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if is_object(raw):
        return all(blank(v) for v in raw.values())
    if is_array(raw):
        return all(blank(v) for v in raw)
    return False


def shown_paths(fields: tuple[FormField, ...] | list[FormField], values: dict[str, Any]) -> list[str]:
    """The path of every field a form shows for `values` (a group's entries numbered, each entry's
    own path included), to place problems under."""
    paths: list[str] = []
    for f in fields:
        paths.append(f.path)
        value = values.get(f.key)
        if f.kind == "object":
            paths += shown_paths(f.children, value if is_object(value) else {})
        elif f.kind == "group":
            for index, entry in enumerate(shown_entries(f, value)):
                paths.append(f"{f.path}.{index}")
                paths += shown_paths(entry_fields(f, index), entry)
    return paths


def edit_entries(
    fields: list[FormField], values: dict[str, Any], path: str, remove: int | None
) -> dict[str, Any]:
    """`values` with one entry added to the group at `path` (or entry `remove` taken out), within
    the group's `minItems`/`maxItems`; unchanged when `path` names no group of the form."""
    found = _find_group(fields, values, path)
    if found is None:
        return values
    group, parent = found
    entries = shown_entries(group, parent.get(group.key))
    if remove is None:
        most = max_entries(group)
        if most is None or len(entries) < most:
            entries.append({})
    elif 0 <= remove < len(entries) and len(entries) > min_entries(group):
        del entries[remove]
    parent[group.key] = entries
    return values


def _find_group(
    fields: tuple[FormField, ...] | list[FormField], values: dict[str, Any], path: str
) -> tuple[FormField, dict[str, Any]] | None:
    """The group at `path` and the values object that holds it (created on the way, so the edit lands)."""
    for f in fields:
        if f.path == path:
            return (f, values) if f.kind == "group" else None
        if not path.startswith(f.path + "."):
            continue
        if f.kind == "object":
            inner = values.get(f.key)
            if not is_object(inner):
                inner = values[f.key] = {}
            return _find_group(f.children, inner, path)
        if f.kind == "group":
            index = path[len(f.path) + 1 :].split(".", 1)[0]
            entries = shown_entries(f, values.get(f.key))
            if not (index.isascii() and index.isdigit()) or int(index) >= len(entries):
                return None
            values[f.key] = entries
            return _find_group(entry_fields(f, int(index)), entries[int(index)], path)
    return None
