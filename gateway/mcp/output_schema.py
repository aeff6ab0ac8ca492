"""The SDK's output-schema check, recognized by what it raised rather than by its wording.

`ClientSession.validate_tool_result` refuses a result whose structuredContent is missing or
breaks the tool's outputSchema, and a schema it cannot use, all as a bare `RuntimeError`.
This module tells those apart from other `RuntimeError`s by where the error was raised and
by its cause (jsonschema's `ValidationError`, `SchemaError`, or an unresolvable `$ref`), and
says what is wrong in words a tool's author can act on.
"""

from __future__ import annotations

from jsonschema.exceptions import SchemaError, ValidationError
from referencing.exceptions import Unresolvable

_CHECKS = frozenset({"validate_tool_result", "_output_schema_validator"})
"""The SDK methods that raise for an output-schema problem (mcp/client/session.py)."""


def output_schema_mismatch(exc: RuntimeError) -> str | None:
    """What is wrong with a result refused by the SDK's output-schema check; None for other errors."""
    cause = exc.__cause__ or exc.__context__  # the SDK raises some with `from`, some inside `except`
    if isinstance(cause, ValidationError):
        where = "/".join(str(part) for part in cause.absolute_path)
        at = f" at {where}" if where else ""
        return f"structured content that does not match its output schema{at}: {cause.message}"
    if isinstance(cause, SchemaError | Unresolvable):
        return f"a result its own output schema cannot check (the schema is invalid: {_first_line(cause)})"
    if cause is None and _raised_in(exc, _CHECKS):
        return "no structured content, though its output schema asks for it"
    return None


def _raised_in(exc: BaseException, functions: frozenset[str]) -> bool:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_name in functions


def _first_line(exc: BaseException) -> str:
    return str(exc).split("\n", 1)[0]
