"""Pydantic validation errors as lines a person can act on: `key.path: expected X, got Y`.

`describe_errors(exc, root)` maps each error's loc to the dotted key path the person wrote
(union-member labels such as `stdio` or `str` are pydantic's, not theirs), says what was
expected and what was found, lists the accepted keys for an unknown one ("did you mean"),
and reports a value that no member of a union accepts once instead of once per member.
"""

from __future__ import annotations

import difflib
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from gateway.vocabulary.json import is_object

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def describe_errors(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per problem of validating `root`: `key.path: expected X, got Y`."""
    errors = [(error, *_walk(root, error["loc"])) for error in exc.errors(include_url=False)]
    # A value no member of a union accepts fails once per member: say it once, unless the value
    # is a mapping and one member is a mapping, whose own complaints are then the useful ones.
    unions: dict[tuple[Any, ...], dict[str, Any]] = {}
    for error, _keys, union in errors:
        if union is not None:
            labels = unions.setdefault(union[0], {})
            direct = len(error["loc"]) == len(union[0]) + 1  # its input is the value at the union
            if direct or union[1] not in labels:
                labels[union[1]] = error.get("input") if direct else None
    lines: list[str] = []
    for error, keys, union in errors:
        labels = unions.get(union[0], {}) if union is not None else {}
        if union is not None and len(labels) > 1:
            found = next(iter(v for v in labels.values() if v is not None), None)
            mapping_member = next((label for label in labels if _is_mapping_label(label)), None)
            if isinstance(found, dict) and mapping_member is not None:
                if union[1] != mapping_member:
                    continue
            else:
                alternatives = ", or ".join(_phrase(label) for label in labels)
                lines.append(f"{_path(union[0])}: expected {alternatives}, got {kind_of(found)}")
                continue
        lines.append(_line(root, error, keys))
    return list(dict.fromkeys(lines))


def _line(root: type[BaseModel], error: Any, keys: tuple[Any, ...]) -> str:
    loc, kind, found = _path(keys), error["type"], error.get("input")
    if kind == "missing":
        return f"{loc}: required key is missing"
    if kind == "extra_forbidden":
        allowed = _keys_at(root, error["loc"][:-1])
        close = difflib.get_close_matches(str(keys[-1]), allowed, n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        return (
            f"{loc}: unknown key ({hint}expected one of: {', '.join(allowed)})"
            if allowed
            else f"{loc}: unknown key"
        )
    if kind == "server_shape":
        got = f"keys {', '.join(map(str, found))}" if is_object(found) and found else kind_of(found)
        return f"{loc}: {error['msg']}, got {got}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{loc}: expected one of {expected}, got {found!r}"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if kind == "list_type" and _list_of_strings(keys):
            expected = "a list of strings"
        return f"{loc}: expected {expected}, got {kind_of(found)}"
    if kind == "string_pattern_mismatch" and loc.endswith("url"):
        return f"{loc}: expected an http:// or https:// URL, got {found!r}"
    if kind == "string_pattern_mismatch" and keys[-1:] == ("[key]",):
        return f"{_path(keys[:-2])}: the name {found!r} is not allowed (letters, digits, - and _ only)"
    if kind == "string_pattern_mismatch":
        return f"{loc}: {found!r} is not allowed here (letters, digits, - and _ only)"
    return f"{loc}: {error['msg'].removeprefix('Value error, ')}"


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to what the user writes."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
            members = [a for a in get_args(annotation) if a is not type(None)]
            annotation = members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007
        else:
            return annotation


def _label(member: Any) -> str:
    """The name pydantic gives a union member in an error's loc: its Tag, class, or type."""
    if get_origin(member) is Annotated:
        tag = next((m.tag for m in get_args(member)[1:] if isinstance(m, Tag)), None)
        return tag if tag is not None else _label(get_args(member)[0])
    if isinstance(member, type):
        return member.__name__
    origin = get_origin(member)
    if origin is Literal:
        return "literal[" + ",".join(repr(a) for a in get_args(member)) + "]"
    if origin in (dict, list):
        return f"{origin.__name__}[{','.join(_label(a) for a in get_args(member))}]".replace("Any", "any")
    return str(member)


def _walk(
    root: type[BaseModel], loc: tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[tuple[Any, ...], str] | None]:
    """The loc without union-member labels, and the last union crossed: (its loc, the member's label)."""
    annotation: Any = root
    keys: list[Any] = []
    union: tuple[tuple[Any, ...], str] | None = None
    for index, part in enumerate(loc):
        annotation = _unwrap(annotation)
        if get_origin(annotation) in (Union, UnionType):
            members = {_label(m): m for m in get_args(annotation)}
            if part in members:
                union = (tuple(loc[:index]), str(part))
                annotation = members[part]
                continue
        keys.append(part)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            annotation = field.annotation if field is not None else None
        elif get_origin(annotation) in (dict, list):
            annotation = get_args(annotation)[-1]
        else:
            annotation = None
    return tuple(keys), union


def _keys_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at `loc` accepts (for "did you mean")."""
    annotation: Any = root
    for part in loc:
        annotation = _unwrap(annotation)
        if get_origin(annotation) in (Union, UnionType):
            annotation = {_label(m): m for m in get_args(annotation)}.get(part)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            annotation = field.annotation if field is not None else None
        elif get_origin(annotation) in (dict, list):
            annotation = get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _is_mapping_label(label: str) -> bool:
    return label.startswith("dict[") or label[:1].isupper()


def _phrase(label: str) -> str:
    if label.startswith("literal["):
        return "one of " + label[len("literal[") : -1].replace("','", ", ").replace("'", "")
    if label.startswith("dict["):
        return "a mapping"
    if label == "StarterPrompt":
        return "a mapping with `label` and `prompt`"
    return {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false"}.get(
        label, label
    )


def _path(keys: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in keys:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def _list_of_strings(keys: tuple[Any, ...]) -> bool:
    return bool(keys) and keys[-1] in ("args", "allow", "deny", "cors_origins")


def kind_of(value: Any) -> str:
    """What a value is, in words: `a string ('x')`, `a list`, `nothing (null)`."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) < 40 else "a string"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return type(value).__name__
