"""MCP prompts in the chat, offline: listed in /help, run as /<server>.<prompt>, a form when
arguments are missing (with the server's completions), the messages shown as a widget.

Against server-everything over stdio (its prompts: simple-prompt, args-prompt {city*, state},
completable-prompt {department*, name*}, resource-prompt {resourceType*, resourceId*}).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.vocabulary.json import is_object
from tests.conftest import model_section
from tests.support.chat import field, field_names, form_action, last_widget, text_of
from tests.support.gateway import (
    Gateway,
    everything_server_config,
    find_nodes,
    running_gateway,
    submit_form,
    write_config,
)
from tests.support.model_server import ScriptedModel, say

pytestmark = pytest.mark.node


def everything_config(tmp: Path, **sections: Any) -> Path:
    """A config with server-everything over stdio and a SQLite store in `tmp`."""
    return write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"everything": everything_server_config()},
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
            **sections,
        },
    )


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with running_gateway(everything_config(tmp_path_factory.mktemp("prompts"))) as running:
        yield running


def prompt_actions(widget: dict[str, Any], prompt: str, action_type: str) -> list[dict[str, Any]]:
    """Every action in the widget of `action_type` for the prompt called `prompt`."""

    def wanted(node: dict[str, Any]) -> bool:
        payload: Any = node.get("payload")
        return node.get("type") == action_type and is_object(payload) and payload.get("prompt") == prompt

    return find_nodes(widget, wanted)


def is_form(node: dict[str, Any]) -> bool:
    return node.get("type") == "Form"


def notices(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("type") == "notice"]


def test_help_lists_every_prompt_with_a_way_to_use_it(gateway: Gateway) -> None:
    catalog = last_widget(gateway.client().create_thread("/help"))
    visible = text_of(catalog["widget"])
    assert "Prompts" in visible
    for label in ("Simple Prompt", "Arguments Prompt", "Team Management", "Resource Prompt"):
        assert label in visible, visible
    assert "/everything.args-prompt city=… state=…?" in visible
    (opens,) = prompt_actions(catalog["widget"], "args-prompt", "prompt.form")
    assert opens["payload"] == {"server": "everything", "prompt": "args-prompt", "arguments": {}}
    assert prompt_actions(catalog["widget"], "simple-prompt", "prompt.get")  # no arguments: runs at once
    assert "everything.args-prompt" in catalog["copy_text"]
    assert "get-sum" in visible or "Get Sum" in visible  # the tools are still there


def test_a_prompt_with_key_value_arguments_shows_its_messages(gateway: Gateway) -> None:
    widget = last_widget(gateway.client().create_thread("/everything.args-prompt city=Paris"))
    visible = text_of(widget["widget"])
    assert "What's weather in Paris?" in visible
    assert "user" in visible  # the message's role
    assert "Arguments Prompt" in visible
    assert "Paris" in widget["copy_text"]
    assert not find_nodes(widget["widget"], is_form)


def test_a_prompt_with_json_arguments_and_an_optional_one(gateway: Gateway) -> None:
    reply = gateway.client().create_thread('/everything.args-prompt {"city": "Lyon", "state": "Rhone"}')
    visible = text_of(last_widget(reply)["widget"])
    assert "Lyon" in visible and "Rhone" in visible


def test_missing_required_arguments_answer_with_a_form_that_runs_the_prompt(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/everything.args-prompt state=Texas")
    form_item = last_widget(reply)
    form = form_item["widget"]
    assert field(form, "input.city").get("required") is True
    assert field(form, "input.state").get("defaultValue") == "Texas"
    assert "This argument is required." in text_of(form)
    assert "What's weather" not in text_of(form)  # nothing was run

    action = form_action(form)
    assert action["type"] == "prompt.get"
    submitted = submit_form(action, {"input.city": "Austin", "input.state": "Texas"})
    answer = client.action(reply.thread_id, form_item["id"], submitted)
    visible = text_of(last_widget(answer)["widget"])
    assert "Austin" in visible and "Texas" in visible


def test_a_form_submitted_without_a_required_argument_is_shown_again_in_place(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/everything.args-prompt")
    form_item = last_widget(reply)
    assert "input.city" in field_names(form_item["widget"])
    submitted = submit_form(form_action(form_item["widget"]), {"input.city": "", "input.state": "Ohio"})
    answer = client.action(reply.thread_id, form_item["id"], submitted)
    (replaced,) = [e["item"] for e in answer.of_type("thread.item.replaced")]
    assert replaced["id"] == form_item["id"]
    assert "This argument is required." in text_of(replaced["widget"])
    assert field(replaced["widget"], "input.state").get("defaultValue") == "Ohio"


def test_the_catalogs_open_button_shows_the_prompts_form(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/help")
    catalog = last_widget(reply)
    (opens,) = prompt_actions(catalog["widget"], "args-prompt", "prompt.form")
    answer = client.action(reply.thread_id, catalog["id"], opens)
    form = last_widget(answer)["widget"]
    assert "input.city" in field_names(form) and "input.state" in field_names(form)
    assert "This argument is required." not in text_of(form)  # nothing was submitted yet: no complaints


def test_the_servers_completions_become_choices(gateway: Gateway) -> None:
    client = gateway.client()
    form = last_widget(client.create_thread("/everything.completable-prompt"))["widget"]
    department = field(form, "input.department")
    assert department["type"] == "Select"
    assert {o["value"] for o in department["options"]} >= {"Engineering", "Sales"}

    form = last_widget(client.create_thread("/everything.completable-prompt department=Engineering"))[
        "widget"
    ]
    names = field(form, "input.name")
    assert names["type"] == "Select"  # completed in the context of the department given
    assert {o["value"] for o in names["options"]} == {"Alice", "Bob", "Charlie"}
    assert field(form, "input.department").get("defaultValue") == "Engineering"


def test_a_prompt_with_an_embedded_resource_shows_the_resource(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/everything.resource-prompt resourceType=Text resourceId=1")
    visible = text_of(last_widget(reply)["widget"])
    assert "This prompt includes the Text resource with id: 1" in visible
    assert "demo://resource/dynamic/text/1" in visible
    assert "Resource 1: This is a plaintext resource" in visible


def test_a_prompt_without_arguments_runs_from_the_catalog(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/tools")
    catalog = last_widget(reply)
    (run,) = prompt_actions(catalog["widget"], "simple-prompt", "prompt.get")
    answer = client.action(reply.thread_id, catalog["id"], run)
    assert "This is a simple prompt without arguments." in text_of(last_widget(answer)["widget"])


def test_an_unknown_argument_is_named_in_the_form(gateway: Gateway) -> None:
    form = last_widget(gateway.client().create_thread("/everything.args-prompt city=Rome colour=red"))[
        "widget"
    ]
    assert "colour" in text_of(form)
    assert field(form, "input.city").get("defaultValue") == "Rome"


def test_an_unknown_prompt_is_answered_like_an_unknown_tool(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/everything.no-such-prompt")
    (message,) = reply.done_items("assistant_message")
    assert "Unknown tool" in message["content"][0]["text"]
    assert not reply.widgets()


def test_a_prompt_action_the_gateway_did_not_issue_is_refused(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/help")
    catalog = last_widget(reply)
    (run,) = prompt_actions(catalog["widget"], "simple-prompt", "prompt.get")
    forged = {"type": "prompt.get", "payload": {**run["payload"], "prompt": "args-prompt"}}
    answer = client.action(reply.thread_id, catalog["id"], forged)
    (notice,) = notices(answer.events)
    assert notice["level"] == "danger" and "not issued" in notice["message"]
    assert not answer.widgets()
    # Form values on an action outside a form are refused too.
    smuggled = {"type": "prompt.get", "payload": {**run["payload"], "input": {"city": "Paris"}}}
    answer = client.action(reply.thread_id, catalog["id"], smuggled)
    assert notices(answer.events) and not answer.widgets()


def test_with_a_model_the_prompt_is_shown_and_its_text_goes_to_the_model(
    tmp_path: Path, model: ScriptedModel
) -> None:
    def given_the_prompt(body: dict[str, Any]) -> None:
        last = body["messages"][-1]
        assert last["role"] == "user" and "What's weather in Paris?" in json.dumps(last), body["messages"]

    model.script(say("It is sunny in Paris.", check=given_the_prompt))
    config = everything_config(tmp_path, model=model_section(model, retries=0))
    with running_gateway(config) as running:
        reply = running.client().create_thread("/everything.args-prompt city=Paris")
    assert "What's weather in Paris?" in text_of(last_widget(reply)["widget"])
    (answer,) = reply.done_items("assistant_message")
    assert answer["content"][0]["text"] == "It is sunny in Paris."


def test_an_argument_that_is_not_valid_text_is_never_sent(gateway: Gateway) -> None:
    client = gateway.client()
    form = last_widget(client.create_thread('/everything.args-prompt {"city": "Pa\\ud800ris"}'))["widget"]
    assert "surrogate" in text_of(form)
    assert "What's weather" not in text_of(form)
    # The shared session is intact: the next prompt still runs.
    after = last_widget(client.create_thread("/everything.args-prompt city=Oslo"))
    assert "Oslo" in text_of(after["widget"])
