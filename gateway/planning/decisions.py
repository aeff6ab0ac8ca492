"""The one planner: what happens next, for a typed command, a widget action or a model's tool call.

Every path into a tool call ends in one of a few decisions: show the catalog, say something,
refuse, show the tool's form (with what is wrong), ask the person to confirm, cancel, or call.
The rules live here once: arguments are prepared and checked against the tool's input schema
by `prepare_arguments`; a destructive tool is never called before a person confirms it, whoever
asked (a command, a button, a model); an action runs only if the gateway issued it. The server
carries the decisions out; it decides nothing itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from gateway import safe_json
from gateway.errors import ServerDownError, UnknownToolError
from gateway.issued import find_issued, form_input
from gateway.planning.arguments import prepare_arguments
from gateway.planning.commands import parse_command
from gateway.planning.offerings import OfferingDecision, plan_offering_message
from gateway.planning.replies import Refuse, Say
from gateway.render.forms import edit_form_values
from gateway.vocabulary.actions import (
    TOOL_CALL,
    TOOL_CANCEL,
    TOOL_CONFIRM,
    TOOL_ENTRIES,
    TOOL_FORM,
    VALUE_SHOW,
)
from gateway.vocabulary.json import JSONObject, is_object, object_or_empty
from gateway.vocabulary.tools import CheckedArguments, ToolInfo

logger = logging.getLogger(__name__)

Via = Literal["command", "form", "button", "confirm", "model"]
"""How a call was asked for: what the audit log records."""

ACTION_TYPES = frozenset({TOOL_CALL, TOOL_FORM, TOOL_CONFIRM, TOOL_CANCEL, TOOL_ENTRIES, VALUE_SHOW})
_NO_SUCH_VALUE = "This widget offers no such value."


class ToolLookup(Protocol):
    """Where tools are found by the names people and models use (the registry)."""

    def resolve(self, name: str, server: str | None = None) -> ToolInfo:
        """`server.tool`, a bare name unique across servers, or `name` on `server`;
        UnknownToolError otherwise (ServerDownError when the server named is not running)."""
        ...


# -- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowCatalog:
    """Show every server and tool."""


@dataclass(frozen=True)
class ShowForm:
    """Show the tool's form, filled with `values`, marked with `problems` (field → message)."""

    tool: ToolInfo
    values: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict[str, str])
    in_place: bool = False
    """Replace the form that was submitted rather than adding a new one."""
    fixed: dict[str, Any] | None = None
    """The arguments the form holds fixed, when they are known (an issued action's); None: the
    form decides from `values` (an id a row gave it)."""


@dataclass(frozen=True)
class AskConfirmation:
    """A destructive call: show a confirmation card; the call runs only when it is confirmed."""

    tool: ToolInfo
    values: dict[str, Any]
    source: dict[str, Any] | None = None
    """The widget to refresh once the call ran (the confirmation card carries it along)."""


@dataclass(frozen=True)
class Cancel:
    """A confirmation card answered with Cancel: remove it; nothing is called."""


@dataclass(frozen=True)
class Call:
    """Call the tool with checked arguments."""

    tool: ToolInfo
    arguments: CheckedArguments
    via: Via
    confirmed: bool = False
    """A person confirmed this destructive call."""
    source: dict[str, Any] | None = None
    """The read-only call whose widget shows the state this call changes (to re-run after it)."""


MessageDecision = ShowCatalog | Say | ShowForm | AskConfirmation | Call | OfferingDecision
"""What a typed message can lead to (prompts and resources: `gateway.planning.offerings`)."""


@dataclass(frozen=True)
class ShowValue:
    """Show the whole of a value a widget cut (its "Show all"): calls nothing."""

    label: str
    text: str
    as_data: bool = False
    """`text` is the JSON of a cut list, to be rendered rather than shown as text."""


ActionDecision = Refuse | Cancel | ShowForm | AskConfirmation | Call | ShowValue
"""What a widget action can lead to."""


def decide_call(
    tool: ToolInfo,
    given: Mapping[str, Any],
    *,
    via: Via,
    as_text: bool = False,
    fixed: Mapping[str, Any] | None = None,
    problem: str | None = None,
    confirmed: bool = False,
    source: dict[str, Any] | None = None,
) -> ShowForm | AskConfirmation | Call:
    """The rule every path shares: a form while the arguments have problems, a confirmation
    for a destructive tool not yet confirmed, else the call."""
    prepared = prepare_arguments(tool, given, as_text=as_text, fixed=fixed, problem=problem)
    if not prepared.ok:
        return ShowForm(tool, prepared.values, prepared.problems)
    if tool.destructive and not confirmed:
        return AskConfirmation(tool, prepared.values, source)
    return Call(tool, prepared.checked(), via, confirmed=confirmed, source=source)


# -- typed messages ----------------------------------------------------------------------------


def plan_message(text: str, tools: ToolLookup, *, model: bool) -> MessageDecision | None:
    """What a typed message asks for; None when it is for the model (plain text, a model configured)."""
    command = parse_command(text)
    if command.kind == "text" and model:
        return None
    if command.kind == "unreadable":
        return Say(f"This command cannot be read: {command.problem}. Type /tools to see every tool.")
    if command.kind != "call":
        return ShowCatalog()
    try:
        tool = tools.resolve(command.tool, command.server)
    except ServerDownError as exc:  # its prompts are out of reach too
        return Say(f"{exc} Type /tools to see every server's state.")
    except UnknownToolError as exc:
        unknown = f"{exc} Type /tools to see every tool."
        return plan_offering_message(text, command, unknown) or Say(unknown)  # a prompt, /resources, /read
    decision = decide_call(
        tool, command.arguments, via="command", as_text=command.raw, problem=command.problem
    )
    if command.bare and not tool.read_only and not isinstance(decision, ShowForm):
        # A bare name runs only what changes nothing; anything else shows its form first (a
        # destructive tool too: its form may take optional arguments; confirming comes after).
        values = decision.values if isinstance(decision, AskConfirmation) else decision.arguments.values
        return ShowForm(tool, values)
    return decision


# -- widget actions ----------------------------------------------------------------------------


def plan_action(
    action_type: str, payload: JSONObject, sender: Mapping[str, Any] | None, tools: ToolLookup
) -> ActionDecision:
    """What a widget action asks for, if the gateway issued it.

    `sender` is the stored widget (as JSON) the action names; the action must be one it fires,
    with its payload unchanged but for the form values its form may add. Without a sender, it is
    refused.
    """
    if action_type not in ACTION_TYPES:
        return Refuse(f"The action type {action_type!r} is not one this gateway handles.")
    unsafe = safe_json.first_problem(payload)
    if unsafe is not None:
        return Refuse(f"This action cannot be used ({unsafe}), so nothing was called.")
    issued = find_issued(action_type, payload, sender) if sender is not None else None
    if issued is None:
        logger.warning("refused an action the gateway did not issue: %s %r", action_type, payload)
        if action_type == VALUE_SHOW:
            return Refuse(_NO_SUCH_VALUE)
        return Refuse("This action was not issued by the gateway (or was altered), so nothing was called.")
    submitted = form_input(issued, payload)
    if submitted is None:
        logger.warning("refused form values on an action outside a form: %s %r", action_type, payload)
        return Refuse("This action carries form values but is not a form submit, so nothing was called.")
    if action_type == TOOL_CANCEL:
        return Cancel()
    if action_type == VALUE_SHOW:
        label, text = payload.get("label"), payload.get("text")
        if not isinstance(label, str) or not isinstance(text, str):
            return Refuse(_NO_SUCH_VALUE)
        return ShowValue(label, text, as_data=payload.get("as") == "data")
    try:
        tool = tools.resolve(str(payload.get("tool", "")))
    except UnknownToolError as exc:
        return Refuse(str(exc))
    fixed = object_or_empty(payload.get("arguments"))
    if action_type == TOOL_FORM:
        return ShowForm(tool, fixed)
    if action_type == TOOL_ENTRIES:
        return _edit_entries(tool, payload, submitted, fixed, in_form=issued.form_fields is not None)
    source = object_or_empty(payload.get("source")) or None
    in_form = issued.form_fields is not None
    confirmed = action_type == TOOL_CONFIRM
    via: Via = "confirm" if confirmed else "form" if in_form else "button"
    decision = decide_call(
        tool, submitted, via=via, as_text=bool(submitted), fixed=fixed, confirmed=confirmed, source=source
    )
    if isinstance(decision, ShowForm):
        return ShowForm(decision.tool, decision.values, decision.problems, in_place=in_form)
    return decision


def _edit_entries(
    tool: ToolInfo, payload: JSONObject, submitted: dict[str, Any], fixed: dict[str, Any], *, in_form: bool
) -> ShowForm | Refuse:
    """A form's Add entry / Remove: the form again, in place, with what it held, one entry more or less.

    The group and the entry come from the issued payload (the browser cannot name others); the
    form's values are only shown again, never sent anywhere.
    """
    path, remove = payload.get("entries"), payload.get("remove")
    if not in_form or not isinstance(path, str) or not (remove is None or type(remove) is int):
        return Refuse("This action cannot be used (it names no entry of a form), so nothing was changed.")
    values = edit_form_values(tool.input_schema, submitted, path, remove)
    # `fixed` is what the form fixed when it was issued: a value typed since stays editable.
    return ShowForm(tool, {**values, **fixed}, in_place=True, fixed=fixed)


# -- a model's tool calls ----------------------------------------------------------------------

MODEL_PROBLEM = "The model's arguments did not fit this tool's input schema: correct them here, or ask again."


def plan_model_call(tool: ToolInfo, arguments_json: str) -> ShowForm | AskConfirmation | Call:
    """What a model's call of `tool` with `arguments_json` leads to."""
    problem: str | None = None
    given: dict[str, Any] = {}
    try:
        value = json.loads(arguments_json or "{}")
    except (json.JSONDecodeError, RecursionError) as exc:
        problem = f"the model's arguments are not valid JSON ({exc})"
    else:
        if is_object(value):
            given = value
        else:
            problem = "the model's arguments are not a JSON object"
    decision = decide_call(tool, given, via="model", problem=problem)
    if isinstance(decision, ShowForm):
        return ShowForm(decision.tool, decision.values, {"": MODEL_PROBLEM, **decision.problems})
    return decision
