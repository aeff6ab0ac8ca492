"""One tool call made from the inspector, taken apart: the arguments as checked, the raw MCP
exchange, the structured content checked against the tool's output schema, the widget a
person would see and the path that chose it, and how long each step took.

The call itself goes the way every call goes (`ToolCaller`: audited as `via=inspector`,
rendered, errors as error cards); the raw request and response are the ones the traffic log
saw on the wire, so what the inspector shows is what the server really sent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp.types import JSONRPCMessage, JSONRPCResponse
from referencing.exceptions import Unresolvable

from gateway.calls import CallOrigin, ToolCaller, ms_since
from gateway.mcp.traffic import capturing
from gateway.mcp.validation import schema_validator
from gateway.planning.arguments import prepare_arguments
from gateway.vocabulary.json import is_object
from gateway.vocabulary.tools import ToolInfo

_MAX_SCHEMA_ERRORS = 20


@dataclass(frozen=True, kw_only=True)
class OutputCheck:
    """The result's structured content against the tool's output schema."""

    declared: bool
    """The tool declares an output schema."""
    valid: bool | None
    """None when there was nothing to check (no schema, no result, or an error result)."""
    problems: list[dict[str, str]] = field(default_factory=list[dict[str, str]])
    """Each `{path, message}`; a schema that cannot be used is one problem at path ""."""

    def as_json(self) -> dict[str, Any]:
        """For the API."""
        return {"declared": self.declared, "valid": self.valid, "problems": self.problems}


@dataclass(kw_only=True)
class CallReport:
    """What the inspector shows of one call."""

    tool: str
    arguments: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict[str, str])
    """What is wrong with the arguments; when any, nothing was called."""
    called: bool = False
    request: Any = None
    """The JSON-RPC request as sent (None when none was, or it was too long to keep whole)."""
    response: Any = None
    """The JSON-RPC response as received (None when none came, or it was too long to keep whole)."""
    result: Any = None
    """The result: from the response on the wire, else as the SDK parsed it."""
    error: str | None = None
    """Why the call produced no result."""
    output_check: OutputCheck = field(default_factory=lambda: OutputCheck(declared=False, valid=None))
    widget: dict[str, Any] | None = None
    copy_text: str | None = None
    chosen_by: str | None = None
    timings: dict[str, float] = field(default_factory=dict[str, float])
    """Milliseconds: `validate`, `call` (as the gateway waited), `server` (request to response on
    the wire), `render`, `total`."""

    def as_json(self) -> dict[str, Any]:
        """For the API."""
        return {
            "tool": self.tool,
            "arguments": self.arguments,
            "problems": self.problems,
            "called": self.called,
            "request": self.request,
            "response": self.response,
            "result": self.result,
            "error": self.error,
            "output_check": self.output_check.as_json(),
            "widget": self.widget,
            "copy_text": self.copy_text,
            "chosen_by": self.chosen_by,
            "timings": self.timings,
        }


async def inspect_call(
    caller: ToolCaller,
    tool: ToolInfo,
    *,
    user_id: str,
    arguments: Mapping[str, Any] | None = None,
    form_input: Mapping[str, Any] | None = None,
) -> CallReport:
    """Check the arguments, call `tool`, and take the exchange apart.

    `arguments` are typed values; `form_input` is what the tool's form submitted (text, coerced
    per field as a form submit in the chat is), with `arguments` as the form's fixed values.
    """
    started = time.monotonic()
    if form_input is not None:
        prepared = prepare_arguments(tool, form_input, as_text=True, fixed=arguments)
    else:
        prepared = prepare_arguments(tool, arguments or {})
    report = CallReport(tool=tool.qualified, arguments=prepared.values)
    report.timings["validate"] = ms_since(started)
    if not prepared.ok:
        report.problems = prepared.problems
        rendered = caller.renderer.form(tool, values=prepared.values, problems=prepared.problems)
        report.widget = rendered.widget.model_dump(mode="json", exclude_none=True)
        report.copy_text, report.chosen_by = rendered.copy_text, rendered.chosen_by
        report.timings["total"] = ms_since(started)
        return report
    with capturing() as exchange:
        outcome = await caller.call(
            tool, prepared.checked(), origin=CallOrigin(user_id=user_id, thread_id=None, via="inspector")
        )
    report.called = True
    report.timings.update(outcome.timings)
    report.error = outcome.error
    request, response = exchange.request, exchange.response
    shown = caller.registry.traffic.redactor
    report.request = request.as_json(shown)["message"] if request else None
    report.response = response.as_json(shown)["message"] if response else None
    if response is not None and response.duration_ms is not None:
        report.timings["server"] = response.duration_ms
    # As the server sent it, else as the SDK parsed it (the API masks the whole report).
    report.result = _result_of(exchange.response_message)
    if report.result is None and outcome.result is not None:
        report.result = outcome.result.model_dump(by_alias=True, mode="json", exclude_none=True)
    report.output_check = check_output(tool, report.result)
    rendered = outcome.rendered
    report.widget = rendered.widget.model_dump(mode="json", exclude_none=True)
    report.copy_text, report.chosen_by = rendered.copy_text, rendered.chosen_by
    report.timings["total"] = ms_since(started)
    return report


def check_output(tool: ToolInfo, result: Any) -> OutputCheck:
    """`result.structuredContent` against the tool's output schema, every problem listed."""
    schema = tool.output_schema
    if schema is None:
        return OutputCheck(declared=False, valid=None)
    if not is_object(result) or result.get("isError"):
        return OutputCheck(declared=True, valid=None)  # errors are not held to the output schema
    if "structuredContent" not in result:
        problem = {"path": "", "message": "no structuredContent, though the tool declares an output schema"}
        return OutputCheck(declared=True, valid=False, problems=[problem])
    validator = schema_validator(schema, formats=False)  # as the SDK checks results: `format` unchecked
    if isinstance(validator, str):
        message = f"the output schema {validator}"
        return OutputCheck(declared=True, valid=False, problems=[{"path": "", "message": message}])
    try:
        errors = list(validator.iter_errors(result["structuredContent"]))[:_MAX_SCHEMA_ERRORS]
    except Unresolvable as exc:
        message = f"the output schema has a $ref that cannot be resolved: {exc}"
        return OutputCheck(declared=True, valid=False, problems=[{"path": "", "message": message}])
    problems = [
        {"path": "/".join(str(p) for p in e.absolute_path), "message": e.message}
        for e in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])
    ]
    return OutputCheck(declared=True, valid=not problems, problems=problems)


def _result_of(message: JSONRPCMessage | None) -> dict[str, Any] | None:
    """The `result` of a JSON-RPC response, as JSON."""
    if not isinstance(message, JSONRPCResponse):
        return None
    dumped = message.model_dump(by_alias=True, mode="json", exclude_none=True)
    result = dumped.get("result")
    return result if is_object(result) else None
