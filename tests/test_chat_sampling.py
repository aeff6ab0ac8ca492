"""A server asks the configured model for a completion (`sampling/createMessage`), per server
`sampling: ask | allow | deny`, answered by the scripted model server on loopback.

server-everything sends the request mid-call (handshake era); the Python server returns it in
an `input_required` result (2026-07-28).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import ROOT, model_section
from tests.support.chat import buttons, form_action, last_widget, newest_stored_widget, text_of
from tests.support.gateway import (
    Gateway,
    everything_server_config,
    running_gateway,
    submit_form,
    write_config,
)
from tests.support.model_server import ScriptedModel, Step, call, say, title

pytestmark = pytest.mark.node


def _asking(**extra: Any) -> dict[str, Any]:
    return {"command": "python", "args": ["-m", "tests.servers.asking"], "cwd": str(ROOT), **extra}


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedModel]:
    model = ScriptedModel().start()
    try:
        yield model
    finally:
        model.stop()


@pytest.fixture()
def model(scripted: ScriptedModel) -> Iterator[ScriptedModel]:
    """The module's scripted model, checked after each test."""
    scripted.requests.clear()
    yield scripted
    try:
        scripted.verify()
    finally:
        scripted.steps.clear()
        scripted.errors.clear()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, scripted: ScriptedModel) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("sampling")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "everything": everything_server_config(),
                "asking": _asking(),
                "trusted": _asking(sampling="allow"),
                "closed": _asking(sampling="deny"),
            },
            "model": model_section(scripted, retries=0),
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def _sampled(expected: str) -> Step:
    """The one non-streamed model request a sampling makes, checked for the server's words."""

    def check(body: dict[str, Any]) -> None:
        assert expected in json.dumps(body["messages"]), body["messages"]

    return Step(text="A short, clear summary.", stream=False, check=check)


def test_ask_shows_the_request_and_the_model_answers_once_approved(
    gateway: Gateway, model: ScriptedModel
) -> None:
    client = gateway.client()
    asked = client.create_thread('/everything.trigger-sampling-request prompt="What is MCP?"')
    question = last_widget(asked)
    shown = text_of(question["widget"])
    assert "What is MCP?" in shown and "You are a helpful test server." in shown
    assert not model.requests  # nothing reached the model before the person approved
    model.script(_sampled("What is MCP?"))
    (approve,) = buttons(question["widget"], "Approve")
    answered = client.action(asked.thread_id, question["id"], approve["onClickAction"])
    result = text_of(last_widget(answered)["widget"])
    assert "A short, clear summary." in result and "scripted-model" in result
    sent = model.requests[-1]
    assert sent["messages"][0] == {"role": "system", "content": "You are a helpful test server."}


def test_ask_declined_sends_nothing_to_the_model_and_the_server_hears_why(
    gateway: Gateway, model: ScriptedModel
) -> None:
    client = gateway.client()
    asked = client.create_thread("/asking.summarise text=Tides")
    question = last_widget(asked)
    assert "Summarise: Tides" in text_of(question["widget"])
    (decline,) = buttons(question["widget"], "Decline")
    answered = client.action(asked.thread_id, question["id"], decline["onClickAction"])
    assert "declined the sampling request" in text_of(last_widget(answered)["widget"])
    assert not model.requests


def test_allow_answers_with_the_model_without_asking(gateway: Gateway, model: ScriptedModel) -> None:
    model.script(_sampled("Summarise: Tides"))
    reply = gateway.client().create_thread("/trusted.summarise text=Tides")
    result = last_widget(reply)
    assert not buttons(result["widget"], "Approve")
    assert "Summary by scripted-model: A short, clear summary." in text_of(result["widget"])


def test_deny_refuses_with_a_reason_the_person_sees(gateway: Gateway, model: ScriptedModel) -> None:
    reply = gateway.client().create_thread("/closed.summarise text=Tides")
    assert "sampling is turned off for closed" in text_of(last_widget(reply)["widget"])
    assert not model.requests


def test_a_question_during_a_model_s_tool_call_waits_in_the_turn_for_the_answer(
    gateway: Gateway, model: ScriptedModel
) -> None:
    model.script(
        call("asking__book_table", {"restaurant": "Nopi"}),
        say("Your table is booked."),
        title("Booking"),
    )
    client = gateway.client()
    with ThreadPoolExecutor(1) as pool:
        turn = pool.submit(client.create_thread, "Book me a table at Nopi")
        question, thread_id = newest_stored_widget(gateway.client(), lambda w: bool(buttons(w, "Decline")))
        action = submit_form(form_action(question["widget"]), {"input.name": "Ada", "input.seats": "3"})
        answered = gateway.client().action(thread_id, question["id"], action)
        assert "Ada" in text_of(answered.of_type("thread.item.replaced")[0]["item"]["widget"])
        reply = turn.result(timeout=30)
    said = [c["text"] for item in reply.done_items("assistant_message") for c in item["content"]]
    assert "Your table is booked." in said
    tool_output = json.dumps(model.requests[1]["messages"])
    assert "Booked Nopi for Ada, 3 seats." in tool_output
