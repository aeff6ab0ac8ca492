"""Arguments checked against a tool's inputSchema before any MCP call, with problems per field.

`validate_arguments(schema, arguments)` returns `{field path: what is wrong}` (empty when the
arguments are valid; `""` names the arguments as a whole). Messages are short and say what
was expected, in the words forms use: `required`, `expected a whole number, got "abc"`.
A schema the validator cannot use is the server's problem: the arguments pass, and the
server judges them.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, exceptions
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.exceptions import Unresolvable

from gateway import safe_json
from gateway.vocabulary.json import is_array, is_object
from gateway.vocabulary.words import plural

logger = logging.getLogger(__name__)

_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def validate_arguments(schema: dict[str, Any], arguments: Any) -> dict[str, str]:
    """Problems keyed by dotted field path ("" for the arguments as a whole); empty when valid."""
    if not is_object(arguments):
        return {"": f"expected an object of named arguments, got {_value(arguments)}"}
    unsafe = safe_json.problems(arguments)
    if unsafe:  # before the validator, which recurses, and before anything could send it on
        return unsafe
    validator = schema_validator(schema)
    if isinstance(validator, str):
        logger.info("inputSchema %s: arguments pass unchecked", validator)
        return {}
    problems: dict[str, str] = {}
    try:
        errors = sorted(validator.iter_errors(arguments), key=lambda e: [str(p) for p in e.absolute_path])
    except Unresolvable as exc:
        logger.info("inputSchema has an unresolvable $ref (%s): arguments passed unchecked", exc)
        return {}
    for error in errors:
        for path, message in _describe(error):
            problems.setdefault(path, message)
    return problems


def schema_validator(schema: dict[str, Any], *, formats: bool = True) -> Validator | str:
    """A validator for `schema` (built once per schema), or why the schema cannot be used.

    With `formats`, `format` is checked too (as for arguments; the SDK does not check it in
    results). A `$ref` to a URL is unresolvable, never fetched (an empty registry).
    """
    return _validator(json.dumps(schema, sort_keys=True, default=str), formats)


@lru_cache(maxsize=512)
def _validator(schema_json: str, formats: bool) -> Validator | str:
    schema = json.loads(schema_json)
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        return f"is not a valid JSON schema ({exc.message})"
    checker = FormatChecker() if formats else None
    return cls(schema, format_checker=checker, registry=Registry())


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _describe(error: ValidationError) -> list[tuple[str, str]]:
    path = ".".join(str(p) for p in error.absolute_path)
    instance, expected, kind = error.instance, error.validator_value, error.validator
    if kind == "required" and is_object(instance) and is_array(expected):
        return [(_join(path, name), "required") for name in expected if name not in instance]
    if kind == "additionalProperties" and is_object(instance):
        schema = error.schema if isinstance(error.schema, dict) else {}
        declared: Any = schema.get("properties") or {}
        takes = ", ".join(declared) or "none"
        extras = [k for k in instance if k not in declared]
        return [(_join(path, k), f"not an argument of this tool (it takes: {takes})") for k in extras]
    if kind in ("anyOf", "oneOf"):
        branches = error.context or []
        if branches and all(b.validator == "type" and not b.relative_path for b in branches):
            names = [_TYPES.get(str(b.validator_value), str(b.validator_value)) for b in branches]
            return [(path, f"expected {' or '.join(dict.fromkeys(names))}, got {_value(instance)}")]
        inner = _best_match(branches)
        if inner is not None:
            return [(path, _message(inner))]
    return [(path, _message(error))]


def _best_match(errors: list[ValidationError]) -> ValidationError | None:
    # typeshed's jsonschema stub leaves best_match's return type out: it is one of `errors`, or None.
    return exceptions.best_match(errors)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _message(error: ValidationError) -> str:
    kind, expected, got = error.validator, error.validator_value, _value(error.instance)
    if kind == "type":
        names = expected if is_array(expected) else [expected]
        return f"expected {' or '.join(_TYPES.get(str(n), str(n)) for n in names)}, got {got}"
    if kind == "enum" and is_array(expected):
        return f"expected one of {', '.join(str(v) for v in expected)}, got {got}"
    if kind == "const":
        return f"expected {_value(expected)}, got {got}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"expected {'more than' if kind == 'exclusiveMinimum' else 'at least'} {expected}, got {got}"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"expected {'less than' if kind == 'exclusiveMaximum' else 'at most'} {expected}, got {got}"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"expected at least {_count(expected, 'character')}"
    if kind == "maxLength":
        return f"expected at most {_count(expected, 'character')}"
    if kind in ("minItems", "maxItems"):
        return f"expected {'at least' if kind == 'minItems' else 'at most'} {_count(expected, 'item')}"
    if kind == "pattern":
        return f"expected text matching {expected}, got {got}"
    if kind == "format":
        shape = " as YYYY-MM-DD" if expected == "date" else ""
        return f"expected a valid {expected}{shape}, got {got}"
    return error.message


def _count(expected: Any, noun: str) -> str:
    """ "1 item", "3 items": a schema's count with its noun (a count that is no integer, as it is)."""
    return plural(expected, noun) if isinstance(expected, int) else f"{expected} {noun}s"


def _value(value: Any) -> str:
    try:
        text = json.dumps(value, default=str)
    except RecursionError:
        return "a deeply nested value"
    return text if len(text) <= 40 else text[:39] + "…"
