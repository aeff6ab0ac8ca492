"""What a command or an action about MCP prompts and resources asks for.

    /resources [server]             every server's resources and templates (each with Read)
    /read [server] <uri>            read a resource and show it
    /<server>.<prompt> key=value    get a prompt (also `{json}`); a form while required
                                    arguments are missing

Prompts are reached by the names tools use: a slash command whose name is no tool may be a
prompt (`plan_offering_message` is asked once the tool lookup failed, so a tool called
`read` or `resources` keeps its name). Actions are checked as tool actions are
(`gateway.issued`): one the gateway did not issue in the widget that sends it is refused, so
the server, prompt and URI always come from the gateway, never from the browser.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway import safe_json
from gateway.issued import find_issued, form_input
from gateway.planning.commands import Command
from gateway.planning.replies import Refuse, Say
from gateway.vocabulary.json import JSONObject, is_object, object_or_empty
from gateway.vocabulary.offerings import PROMPT_FORM, PROMPT_GET, RESOURCE_LIST, RESOURCE_READ

logger = logging.getLogger(__name__)

RESOURCES_COMMAND = "resources"
READ_COMMAND = "read"
READ_USAGE = "Type /read <uri> (or /read <server> <uri>) to read a resource; /resources lists them."


@dataclass(frozen=True)
class ListResources:
    """Show the resources and templates of one server (None: every server), from `cursor` on."""

    server: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class ReadResource:
    """Read `uri` (from `server`, or the server that lists it or whose templates match it)."""

    uri: str
    server: str | None = None
    via: Literal["command", "button"] = "command"


@dataclass(frozen=True)
class RunPrompt:
    """Get a prompt: the form while required arguments are missing (or `form`), else its messages."""

    server: str | None
    """None: the one server offering a prompt by this name."""
    prompt: str
    arguments: dict[str, str] = field(default_factory=dict[str, str])
    problems: dict[str, str] = field(default_factory=dict[str, str])
    """Field (or "" for the whole) → what is wrong with what was given."""
    unknown: str = ""
    """What to say when there is no such prompt (the unknown-tool message of a command)."""
    form: bool = False
    """Show the form even when nothing is missing (the catalog's Open button)."""
    in_place: bool = False
    """Re-show problems in the form that was submitted, rather than in a new one."""


OfferingDecision = Say | ListResources | ReadResource | RunPrompt
"""What a command about prompts or resources leads to."""


# -- typed messages ------------------------------------------------------------------------------


def plan_offering_message(text: str, command: Command, unknown: str) -> OfferingDecision | None:
    """What a command naming no tool asks for: resources, a read, or a prompt (None: nothing of these)."""
    if command.kind != "call":
        return None
    name = command.tool
    if command.server is not None:  # quoted: `/"my server".prompt`, `/server."my prompt"`
        return _prompt(command, command.server, name, unknown)
    if name.lower() == RESOURCES_COMMAND:
        words = _rest(text).split()
        return ListResources(words[0] if words else None)
    if name.lower() == READ_COMMAND:
        words = _rest(text).split()
        unsafe = safe_json.first_problem(words)
        if unsafe is not None:  # never sent to a server: it could break the shared session
            return Say(f"This cannot be read: the URI {unsafe.partition(': ')[2] or unsafe}.")
        if len(words) == 1:
            return ReadResource(words[0])
        if len(words) == 2:
            return ReadResource(words[1], server=words[0])
        return Say(READ_USAGE)
    server, dot, prompt = name.partition(".")
    return _prompt(command, server, prompt, unknown) if dot else _prompt(command, None, name, unknown)


def _prompt(command: Command, server: str | None, prompt: str, unknown: str) -> RunPrompt:
    arguments, problems = prompt_arguments(command.arguments)
    problems.update(safe_json.problems(arguments))  # a form shows them; nothing is sent
    if command.problem:
        problems[""] = command.problem
    return RunPrompt(server, prompt, arguments, problems, unknown=unknown)


def _rest(text: str) -> str:
    return text.strip()[1:].partition(" ")[2].strip()


def prompt_arguments(given: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Prompt arguments are strings: scalars become text, null is dropped, the rest is a problem."""
    arguments: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, value in given.items():
        if value is None:
            continue
        if isinstance(value, str):
            arguments[key] = value
        elif isinstance(value, bool | int | float):
            arguments[key] = json.dumps(value)
        else:
            problems[key] = "a prompt argument must be text, not a list or an object"
    return arguments, problems


# -- widget actions ------------------------------------------------------------------------------


def plan_offering_action(
    action_type: str, payload: JSONObject, sender: Mapping[str, Any] | None
) -> OfferingDecision | Refuse:
    """What a prompt or resource action asks for, if the gateway issued it in `sender` (the
    stored widget, as JSON) with this very payload, less the values its form may add."""
    unsafe = safe_json.first_problem(payload)
    if unsafe is not None:
        return Refuse(f"This action cannot be used ({unsafe}), so nothing was read.")
    issued = find_issued(action_type, payload, sender) if sender is not None else None
    if issued is None:
        logger.warning("refused an action the gateway did not issue: %s %r", action_type, payload)
        return Refuse("This action was not issued by the gateway (or was altered), so nothing was read.")
    submitted = form_input(issued, payload)
    if submitted is None:
        logger.warning("refused form values on an action outside a form: %s %r", action_type, payload)
        return Refuse("This action carries form values but is not a form submit, so nothing was read.")
    server = payload.get("server")
    if not isinstance(server, str):
        return Refuse("This action names no server.")
    if action_type == RESOURCE_READ:
        uri = payload.get("uri")
        return ReadResource(uri, server, via="button") if isinstance(uri, str) else Refuse("No URI.")
    if action_type == RESOURCE_LIST:
        cursor = payload.get("cursor")
        return ListResources(server, cursor if isinstance(cursor, str) else None)
    prompt = payload.get("prompt")
    if action_type not in (PROMPT_FORM, PROMPT_GET) or not isinstance(prompt, str):
        return Refuse(f"The action type {action_type!r} is not one this gateway handles.")
    fixed, _ = prompt_arguments(object_or_empty(payload.get("arguments")))
    if action_type == PROMPT_FORM:
        return RunPrompt(server, prompt, fixed, form=True)
    typed, problems = prompt_arguments(_flatten(submitted))
    typed = {k: v for k, v in typed.items() if v.strip()}  # an empty field is an argument not given
    return RunPrompt(server, prompt, {**typed, **fixed}, problems, in_place=issued.form_fields is not None)


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Form values as `name → value`, dotted names (nested by the browser) joined again."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if is_object(value):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
