"""The rest of MCP over streamable HTTP: server-everything reached by URL answers prompts,
resources, sampling, roots, log levels and tasks through the gateway as it does over stdio
(the stdio cases are in test_chat_questions, test_chat_sampling, test_chat_tasks,
test_chat_prompts, test_chat_resources and test_client_side)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import model_section
from tests.servers.launch import HttpServer, everything_http
from tests.support.chat import buttons, last_widget, text_of
from tests.support.gateway import Gateway, running_gateway, write_config
from tests.support.model_server import ScriptedModel, Step, say

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedModel]:
    model = ScriptedModel().start()
    try:
        yield model
    finally:
        model.stop()


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("projects")


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, scripted: ScriptedModel, projects: Path
) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("http")
    with everything_http() as server:
        config = write_config(
            tmp / "config.yaml",
            {
                "mcp_servers": {"remote": _remote(server, roots=[str(projects)], log_level="error")},
                "model": model_section(scripted, retries=0),
                "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
            },
        )
        with running_gateway(config) as running:
            yield running


def _remote(server: HttpServer, **extra: Any) -> dict[str, Any]:
    return {"url": server.url, "timeout": 60, **extra}


def test_a_prompt_with_arguments_is_shown_and_answered_by_the_model(
    gateway: Gateway, scripted: ScriptedModel
) -> None:
    scripted.script(say("Sunny in Paris."))
    reply = gateway.client().create_thread("/remote.args-prompt city=Paris")
    assert any("What's weather in Paris?" in text_of(w["widget"]) for w in reply.widgets())
    said = [c["text"] for item in reply.done_items("assistant_message") for c in item["content"]]
    assert said == ["Sunny in Paris."]
    assert "What's weather in Paris?" in json.dumps(scripted.requests[-1]["messages"])
    scripted.verify()


def test_a_resource_read(gateway: Gateway) -> None:
    shown = gateway.client().create_thread("/read remote demo://resource/static/document/features.md")
    assert "features" in text_of(last_widget(shown)["widget"]).lower()


def test_sampling_asks_then_the_model_answers(gateway: Gateway, scripted: ScriptedModel) -> None:
    client = gateway.client()
    asked = client.create_thread('/remote.trigger-sampling-request prompt="Why HTTP?"')
    question = last_widget(asked)
    assert "Why HTTP?" in text_of(question["widget"])

    def check(body: dict[str, Any]) -> None:
        assert "Why HTTP?" in json.dumps(body["messages"])

    scripted.script(Step(text="Because it travels.", stream=False, check=check))
    (approve,) = buttons(question["widget"], "Approve")
    answered = client.action(asked.thread_id, question["id"], approve["onClickAction"])
    assert "Because it travels." in text_of(last_widget(answered)["widget"])
    scripted.verify()


def test_the_roots_and_the_log_level(gateway: Gateway, projects: Path) -> None:
    listed = last_widget(gateway.client().create_thread("/remote.get-roots-list"))
    assert projects.as_uri() in text_of(listed["widget"])
    traffic = gateway.client().http.get(
        "/api/traffic", params={"server": "remote", "method": "logging/setLevel"}
    )
    sent = [e["message"]["params"] for e in traffic.json()["entries"] if e["direction"] == "out"]
    assert sent == [{"level": "error"}]


def test_a_task_runs_to_its_result(gateway: Gateway) -> None:
    reply = gateway.client().create_thread('/remote.simulate-research-query topic="kelp"')
    final = reply.of_type("thread.item.replaced")[-1]["item"]
    assert "kelp" in text_of(final["widget"]) and not buttons(final["widget"], "Cancel")
