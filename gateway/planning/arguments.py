"""A tool's arguments, one path for every caller: typed text coerced, fixed values laid over,
then checked against the tool's inputSchema, once.

A slash command's `key=value` text and a form's submitted fields arrive as text, coerced per
field by the form's own rules (`render.forms.coerce_form_values`); a command's JSON object and
a button's fixed arguments arrive typed. Either way the outcome is `Prepared`: the values, and
per-field problems to show on the tool's form, or `checked()` to call with. The registry does
not validate `CheckedArguments` again; arguments that did not come this way it still checks
itself before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.mcp.validation import validate_arguments
from gateway.render.forms import coerce_form_values
from gateway.vocabulary.tools import CheckedArguments, ToolInfo


@dataclass(frozen=True)
class Prepared:
    """The arguments for one call of `tool`, and what is wrong with them (empty when nothing)."""

    tool: ToolInfo
    values: dict[str, Any]
    problems: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when the arguments may be sent."""
        return not self.problems

    def checked(self) -> CheckedArguments:
        """The arguments to call with; only when `ok`."""
        if self.problems:
            raise ValueError(f"the arguments for {self.tool.qualified} have problems: {self.problems}")
        return CheckedArguments(self.tool.qualified, self.values)


def prepare_arguments(
    tool: ToolInfo,
    given: Mapping[str, Any],
    *,
    as_text: bool = False,
    fixed: Mapping[str, Any] | None = None,
    problem: str | None = None,
) -> Prepared:
    """Arguments for `tool` from what a person or a widget gave.

    `as_text`: `given` holds text to coerce per field (a form's values, `key=value` pairs).
    `fixed`: values the gateway itself put in a widget; they win over what was submitted.
    `problem`: the input could not be read at all (shown on the form as a whole).
    """
    if problem is not None:
        return Prepared(tool, dict(given), {"": problem})
    pinned = dict(fixed or {})
    if as_text:
        # The fixed arguments are no fields of the form, but count as given.
        values, problems = coerce_form_values(tool.input_schema, {**given, **pinned})
    else:
        values, problems = dict(given), {}
    values.update(pinned)
    if not problems:
        problems = validate_arguments(tool.input_schema, values)
    return Prepared(tool, values, problems)
