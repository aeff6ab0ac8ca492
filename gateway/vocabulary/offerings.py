"""The widget actions the gateway issues for MCP prompts and resources, and their shapes.

Like the tool actions (`gateway.vocabulary.actions`), they run only if the gateway issued them
in the widget that sends them back (`gateway.issued`)::

    {"type": "resource.read", "payload": {"server": "everything", "uri": "demo://…"}}
    {"type": "resource.list", "payload": {"server": "everything", "cursor": "…"}}   # "More"
    {"type": "prompt.form",   "payload": {"server": "everything", "prompt": "args-prompt",
                                          "arguments": {}}}                          # open its form
    {"type": "prompt.get",    "payload": {"server": "everything", "prompt": "args-prompt",
                                          "arguments": {}}}                          # run it

A prompt's form adds its fields under ``input.<argument>`` (as tool forms do); everything
else in the payload must match what the gateway issued, so the browser can never name a
server, a prompt or a URI of its own.
"""

from __future__ import annotations

from typing import Any

RESOURCE_READ = "resource.read"
RESOURCE_LIST = "resource.list"
PROMPT_FORM = "prompt.form"
PROMPT_GET = "prompt.get"
OFFERING_ACTIONS = frozenset({RESOURCE_READ, RESOURCE_LIST, PROMPT_FORM, PROMPT_GET})
"""Every action type of this module (the server routes them to the offerings handler)."""


def _action(action_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": action_type, "payload": payload, "handler": "server", "loadingBehavior": "container"}


def read_resource_action(server: str, uri: str) -> dict[str, Any]:
    """An ActionConfig dict that reads `uri` from `server` and shows it in the thread."""
    return _action(RESOURCE_READ, {"server": server, "uri": uri})


def list_resources_action(server: str, cursor: str) -> dict[str, Any]:
    """An ActionConfig dict that lists `server`'s resources from `cursor` on (a "More" button)."""
    return _action(RESOURCE_LIST, {"server": server, "cursor": cursor})


def prompt_action(
    server: str, prompt: str, arguments: dict[str, str] | None = None, *, run: bool = False
) -> dict[str, Any]:
    """An ActionConfig dict that opens `prompt`'s form, or (`run`) gets the prompt."""
    payload = {"server": server, "prompt": prompt, "arguments": dict(arguments or {})}
    return _action(PROMPT_GET if run else PROMPT_FORM, payload)
