"""The output-schema check of every tool result, compiled once per tool schema in Rust.

The SDK's `ClientSession.validate_tool_result` runs on every `tools/call` that is not an
error: it walks jsonschema's `iter_errors` and `best_match` over the structured content,
which for a 20-row result was most of the client's own cost of a call. Here each tool's
output schema is compiled once with `jsonschema_rs` and a result it accepts passes at once.
Anything else goes to the SDK's own check, unchanged: a result the fast validator refuses
(so the error, and its wording that `output_schema.py` reads, are the SDK's), a schema it
cannot compile or that has a `pattern` (ECMA regexes in Rust, Python's in the SDK: they
disagree on some text), a result without structured content, a tool not listed yet.

Its `$ref`s resolve inside the schema only, as the SDK's (empty `Registry`) do: the fast
validator never fetches anything, and a schema pointing elsewhere is left to the SDK.
"""

from __future__ import annotations

import logging
from typing import Any

import jsonschema_rs
from mcp import Client
from mcp.client.session import ClientSession
from mcp.types import CallToolResult

logger = logging.getLogger(__name__)


def _compile(schema: dict[str, Any]) -> Any:
    """A compiled validator for `schema`, or None when jsonschema_rs cannot take it."""
    if _has_patterns(schema):
        return None  # ECMA regexes there, Python's `re` in the SDK: they judge some text apart
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=False, offline=True)
    except Exception as exc:  # an invalid schema, an unresolvable $ref: the SDK's check says which
        logger.debug("output schema not compiled, the SDK checks its results: %s", exc)
        return None


def _has_patterns(node: Any) -> bool:
    if isinstance(node, dict):
        items: dict[str, Any] = node  # pyright: ignore[reportUnknownVariableType]
        return (
            "pattern" in items
            or "patternProperties" in items
            or any(_has_patterns(v) for v in items.values())
        )
    if isinstance(node, list):
        return any(_has_patterns(v) for v in node)  # pyright: ignore[reportUnknownVariableType]
    return False


class CheckedSession(ClientSession):
    """A ClientSession whose output-schema check passes valid results through a compiled validator."""

    _compiled: dict[str, tuple[dict[str, Any], Any]]

    async def validate_tool_result(self, name: str, result: CallToolResult) -> None:
        schema = self._tool_output_schemas.get(name)
        if schema is not None and result.structured_content is not None:
            validator = self._validator(name, schema)
            if validator is not None and validator.is_valid(result.structured_content):
                return
        await super().validate_tool_result(name, result)

    def _validator(self, name: str, schema: dict[str, Any]) -> Any:
        compiled = self.__dict__.setdefault("_compiled", {})
        kept = compiled.get(name)
        # The SDK replaces a tool's schema object when a listing changes it: compile anew then.
        if kept is None or kept[0] is not schema:
            kept = compiled[name] = (schema, _compile(schema))
        return kept[1]


class CheckedClient(Client):
    """`mcp.Client` whose session is a `CheckedSession` (everything else as the SDK builds it)."""

    async def _build_session(self, exit_stack: Any) -> ClientSession:
        session = await super()._build_session(exit_stack)
        # The SDK constructs the session itself with a dozen arguments; it is not entered yet,
        # and CheckedSession adds no state of its own before first use, so taking its class
        # keeps every argument as the SDK set it.
        session.__class__ = CheckedSession
        return session
