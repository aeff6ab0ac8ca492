"""Reading a form submit back: the strings the web component sends, typed by the input schema.

What arrives is `payload["input"]`: mostly strings, booleans from checkboxes, a dict of
booleans from a checkbox group, dates as "YYYY-MM-DD", a repeatable group's entries as
``{"0": {...}, "1": {...}}``. `coerce_fields` types them per field and collects one problem
per field it cannot read; `shown_values` reads them back to show the form again as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from gateway import safe_json
from gateway.render.form_entries import blank, entry_fields, submitted_entries
from gateway.render.schema import FormField, option_key, option_value
from gateway.render.widget import clip, scalar_text
from gateway.vocabulary.json import is_array, is_object, string_keys

DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$")
"""A date, or the date part of a timestamp (what a DatePicker or a person may send)."""
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n", ""}
_DROP = object()


@dataclass(frozen=True)
class RawText:
    """What a person typed into a field that could not be read yet: shown back exactly as typed."""

    text: str


def nest(values: Any) -> dict[str, Any]:
    """`{"a.b": 1}` → `{"a": {"b": 1}}` (nested dicts pass through)."""
    if not is_object(values):
        return {}
    out: dict[str, Any] = {}
    for key in string_keys(values):
        value = values[key]
        *parents, leaf = key.split(".")
        target = out
        for part in parents:
            nxt = target.setdefault(part, {})
            if not is_object(nxt):
                break
            target = nxt
        else:
            if is_object(value) and is_object(target.get(leaf)):
                target[leaf].update(value)
            else:
                target[leaf] = value
    return out


def coerce_fields(
    fields: list[FormField] | tuple[FormField, ...], submitted: dict[str, Any], problems: dict[str, str]
) -> dict[str, Any]:
    """The typed values of `fields` found in `submitted`; what cannot be read goes to `problems`."""
    out: dict[str, Any] = {}
    for f in fields:
        raw = _lookup(submitted, f.key)
        value = _coerce(f, raw, problems)
        if value is not _DROP:
            out[f.key] = value
    return out


def shown_values(
    fields: list[FormField] | tuple[FormField, ...], submitted: dict[str, Any]
) -> dict[str, Any]:
    """What the fields of a submitted form hold, to show the form again as the person left it:
    typed where it reads, `RawText` where it does not, "" where a field was cleared, and
    every entry of a group (blank ones too)."""
    out: dict[str, Any] = {}
    for f in fields:
        raw = _lookup(submitted, f.key)
        if f.kind == "object":
            if is_object(raw):
                out[f.key] = shown_values(f.children, raw)
            continue
        if f.kind == "group":
            entries = submitted_entries(raw)
            if entries is not None:
                listed = [e if is_object(e) else {} for e in entries]
                out[f.key] = [shown_values(entry_fields(f, i), e) for i, e in enumerate(listed)]
            continue
        if raw is None:
            continue
        problems: dict[str, str] = {}
        value = _coerce(f, raw, problems)
        if problems:
            if isinstance(raw, str):
                out[f.key] = RawText(raw) if raw.strip() else ""
        elif value is not _DROP:
            out[f.key] = value
        elif f.kind == "multi_enum":
            out[f.key] = []
        elif isinstance(raw, str):
            out[f.key] = ""
    return out


def _lookup(submitted: dict[str, Any], key: str) -> Any:
    if key in submitted:
        return submitted[key]
    if "." in key:  # a property whose name has dots arrives nested by the web component
        node: Any = submitted
        for part in key.split("."):
            node = node.get(part) if is_object(node) else None
        return node
    return None


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


def _coerce(f: FormField, raw: Any, problems: dict[str, str]) -> Any:
    if f.kind == "object":
        if not is_object(raw):
            return _DROP
        inner = coerce_fields(f.children, raw, problems)
        return inner if inner or f.required else _DROP
    if f.kind == "group" and is_object(raw):
        return _coerce_entries(f, raw, problems)
    if f.kind == "boolean":
        return _coerce_bool(f, raw, problems)
    if f.kind == "multi_enum":
        return _coerce_choices(f, raw)
    if _empty(raw):
        if f.required:
            problems[f.path] = "required: enter a value"
        return _DROP
    try:
        return _typed(f, raw)
    except ValueError as exc:
        problems[f.path] = str(exc)
        return _DROP


def _coerce_entries(f: FormField, raw: dict[str, Any], problems: dict[str, str]) -> Any:
    """A group's entries as a list of objects; blank entries are left out, and each problem is
    named by the entry's place in the list sent (`items.1.name`)."""
    out: list[dict[str, Any]] = []
    for entry in submitted_entries(raw) or []:
        if not is_object(entry) or blank(entry):
            continue
        out.append(coerce_fields(entry_fields(f, len(out)), entry, problems))
    if not out and f.required:
        problems[f.path] = "required: fill in at least one entry"
    return out if out else _DROP


def _coerce_bool(f: FormField, raw: Any, problems: dict[str, str]) -> Any:
    if isinstance(raw, bool):
        return raw
    if raw is None:  # an unchecked box may send nothing at all
        return False if f.required else _DROP
    word = str(raw).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problems[f.path] = f"expected yes or no, got {clip(str(raw), 40)!r}"
    return _DROP


def _coerce_choices(f: FormField, raw: Any) -> Any:
    if is_object(raw):  # the checkbox group: {"<option key>": checked}
        keys = {option_key(f.options, i): o for i, o in enumerate(f.options)}
        chosen = {keys[k] for k, on in raw.items() if on is True and k in keys}
        picked = [o for o in f.options if o in chosen]
    elif is_array(raw):
        picked = [_member(f, v) for v in raw]
    elif isinstance(raw, str) and raw.strip():
        picked = [_member(f, v.strip()) for v in raw.split(",") if v.strip()]
    else:
        picked = []
    return picked if picked or f.required else _DROP


def _member(f: FormField, value: Any) -> Any:
    """The enum member a submitted string stands for (left as is when none matches)."""
    return next((o for o in f.options if option_value(o) == value or o == value), value)


def _typed(f: FormField, raw: Any) -> Any:
    if f.kind == "integer":
        return _integer(raw)
    if f.kind == "number":
        return _number(raw)
    if f.kind == "enum":
        return _member(f, raw)
    if f.kind == "date":
        match = DATE.match(str(raw).strip())
        if not match:
            raise ValueError(f"expected a date as YYYY-MM-DD, got {clip(str(raw), 40)!r}")
        try:
            date.fromisoformat(match.group(1))
        except ValueError:
            raise ValueError(f"{match.group(1)!r} is not a calendar date") from None
        return match.group(1)
    if f.kind == "list":
        items = raw if is_array(raw) else [p.strip() for p in str(raw).split(",")]
        items = [i for i in items if not (isinstance(i, str) and not i)]
        if f.item_type == "integer":
            return [_integer(i) for i in items]
        if f.item_type == "number":
            return [_number(i) for i in items]
        return [str(i) for i in items]
    if f.kind in ("json", "group"):  # a group typed as JSON text (a command's key=value) is read so too
        if not isinstance(raw, str):
            return raw
        try:
            return safe_json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"expected JSON: {exc}".replace("JSON: not valid JSON", "JSON")) from None
    return raw if isinstance(raw, str) else scalar_text(raw)


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    number = _number(raw, what="a whole number")
    if number != int(number):
        raise ValueError(f"expected a whole number, got {scalar_text(raw)!r}")
    return int(number)


def _number(raw: Any, what: str = "a number") -> float | int:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw
    word = str(raw).strip()
    try:
        return int(word)
    except ValueError:
        pass
    try:
        value = float(word)
    except ValueError:
        raise ValueError(f"expected {what}, got {clip(word, 40)!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"expected {what}, got {clip(word, 40)!r}")
    return value
