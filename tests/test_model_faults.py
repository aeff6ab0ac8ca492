"""A model that fails (unreachable, 401, 429, 5xx, a malformed or cut-off reply, a made-up tool,
arguments that fail the schema) ends the turn with a clear message in the thread, and the thread
stays usable; 429 and 5xx are retried with backoff, a bounded number of times."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import model_section
from tests.support.chat import is_error_card, tasks, text_of
from tests.support.gateway import Gateway, Reply, running_local_gateway
from tests.support.model_server import ScriptedModel, Step, call, say
from tests.support.net import free_port


def error_text(reply: Reply) -> str:
    """The text of the error card that ended a turn (failing if there is none)."""
    cards = [w for w in reply.widgets() if is_error_card(w["widget"])]
    assert cards, f"no error card in {[e['type'] for e in reply.events]}"
    return text_of(cards[-1]["widget"])


def still_usable(gateway: Gateway, thread_id: str) -> None:
    """The thread takes another message after the failure, and keeps what it had."""
    client = gateway.client()
    catalog = client.send(thread_id, "/tools")
    assert catalog.status == 200 and "add_task" in text_of(catalog.widgets()[-1]["widget"])
    items = client.list_items(thread_id, order="asc", limit=50).json["data"]
    assert items[0]["type"] == "user_message"


@pytest.fixture()
def model_gateway_with_retries(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> Any:
    with running_local_gateway(tmp_path, todo_db=todo_db, model=model_section(model, retries=2)) as gateway:
        yield gateway


def test_an_unreachable_model_says_so_and_what_to_do(tmp_path: Path, todo_db: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    section = {"model": "m", "base_url": nowhere, "api_key": "k", "retries": 1}
    with running_local_gateway(tmp_path, todo_db=todo_db, model=section) as gateway:
        reply = gateway.client().create_thread("hello?")
        assert reply.status == 200
        text = error_text(reply)
        assert "could not be reached" in text and nowhere in text and "model.base_url" in text, text
        assert "2 attempts" in text, text
        # Nothing was said by the model, and the thread still works.
        assert not reply.done_items("assistant_message")
        still_usable(gateway, reply.thread_id)


def test_a_refused_api_key_names_the_setting(model_gateway: Gateway, model: ScriptedModel) -> None:
    model.script(Step(status=401))
    reply = model_gateway.client().create_thread("hello")
    text = error_text(reply)
    assert "401" in text and "model.api_key" in text, text
    assert "sk-test-key" not in text and "sk-test-key" not in model_gateway.logs()
    still_usable(model_gateway, reply.thread_id)


def test_429_and_5xx_are_retried_with_backoff_then_succeed(
    model_gateway_with_retries: Gateway, model: ScriptedModel
) -> None:
    model.script(
        Step(status=429, headers={"retry-after-ms": "20"}),
        Step(status=503, headers={"retry-after-ms": "20"}),
        say("Third time lucky."),
        Step(text="Retries", stream=False),
    )
    reply = model_gateway_with_retries.client().create_thread("hello")
    assert reply.done_items("assistant_message")[0]["content"][0]["text"] == "Third time lucky."
    assert not [w for w in reply.widgets() if is_error_card(w["widget"])]
    assert len([r for r in model.requests if r.get("stream")]) == 3


def test_retries_are_bounded_and_then_the_turn_ends_with_a_message(
    model_gateway_with_retries: Gateway, model: ScriptedModel
) -> None:
    model.script(*[Step(status=429, headers={"retry-after-ms": "10"}) for _ in range(3)])
    reply = model_gateway_with_retries.client().create_thread("hello")
    text = error_text(reply)
    assert "rate-limited" in text and "3 attempts" in text, text
    assert len(model.requests) == 3  # one try and two retries, no more
    still_usable(model_gateway_with_retries, reply.thread_id)


def test_a_server_error_is_reported_with_its_status(model_gateway: Gateway, model: ScriptedModel) -> None:
    model.script(Step(status=500))
    reply = model_gateway.client().create_thread("hello")
    assert "HTTP 500" in error_text(reply)
    still_usable(model_gateway, reply.thread_id)


def test_a_malformed_reply_ends_the_turn_clearly(model_gateway: Gateway, model: ScriptedModel) -> None:
    model.script(Step(body="this is not a model reply", stream=None))
    reply = model_gateway.client().create_thread("hello")
    assert reply.status == 200
    text = error_text(reply)
    assert "send the message again" in text.lower(), text
    still_usable(model_gateway, reply.thread_id)


def test_a_cut_off_reply_keeps_what_arrived_and_says_it_broke_off(
    model_gateway: Gateway, model: ScriptedModel
) -> None:
    model.script(say("The first part of an answer that never ends", cut_after=6, pace=0.05))
    reply = model_gateway.client().create_thread("hello")
    assert reply.status == 200
    kept = reply.done_items("assistant_message")
    assert kept and kept[0]["content"][0]["text"].startswith("The first part"), [
        (e["type"], e.get("item", {}).get("type")) for e in reply.events
    ]
    assert "broke off" in error_text(reply)
    items = model_gateway.client().list_items(reply.thread_id, order="asc").json["data"]
    assert [i["type"] for i in items][:2] == ["user_message", "assistant_message"]
    still_usable(model_gateway, reply.thread_id)


def test_a_tool_the_model_made_up_calls_nothing(model_gateway: Gateway, model: ScriptedModel) -> None:
    model.script(call("todo__launch_rocket", {"target": "moon"}))
    reply = model_gateway.client().create_thread("launch it")
    text = error_text(reply)
    assert "does not exist" in text and "todo__launch_rocket" in text, text
    still_usable(model_gateway, reply.thread_id)


def test_arguments_that_fail_the_schema_show_the_form_and_end_the_turn(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    # `priority` must be one of low/medium/high; the model made one up. No second model request follows.
    model.script(
        call("todo__add_task", {"title": "Ship it", "priority": "yesterday"}), Step(text="Ship", stream=False)
    )
    reply = model_gateway.client().create_thread("add ship it, urgently")
    form = reply.widgets()[-1]["widget"]
    shown = text_of(form)
    assert "model's arguments did not fit" in shown, shown
    assert "priority" in shown.lower(), shown
    assert tasks(todo_db) == []
    assert len([r for r in model.requests if r.get("stream")]) == 1
    still_usable(model_gateway, reply.thread_id)
