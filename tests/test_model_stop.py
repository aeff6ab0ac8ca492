"""A person stopping the stream keeps what the model had already said, and the next turn knows
the reply was stopped (the SDK's store contract for a cancelled stream)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx2

from tests.support.gateway import Gateway, user_input
from tests.support.model_server import ScriptedModel, call, say, title


def test_stopping_the_stream_keeps_what_was_said(model_gateway: Gateway, model: ScriptedModel) -> None:
    model.script(say("Once upon a time there was a gateway that", hold_after=6, pace=0.02))
    request = {"type": "threads.create", "params": {"input": user_input("Tell me a story")}}
    heard = ""
    thread_id = ""
    with (
        httpx2.Client(base_url=model_gateway.url, timeout=30) as http,
        http.stream("POST", "/chatkit", json=request) as response,
    ):
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event["type"] == "thread.created":
                thread_id = event["thread"]["id"]
            update = event.get("update", {})
            if update.get("type") == "assistant_message.content_part.text_delta":
                heard += update["delta"]
            if model.holding.is_set() and heard:
                break  # the person presses stop: the page drops the stream
    # The gateway noticed and stopped asking the model.
    assert model.released.wait(10), "the model's stream was never closed"
    # What the page had heard when the person stopped: the reply's start (under load, a piece or two).
    assert heard and "Once upon a time there was a gateway that".startswith(heard), heard

    client = model_gateway.client()
    items = client.list_items(thread_id, order="asc").json["data"]
    assert [i["type"] for i in items] == ["user_message", "assistant_message"], items
    kept = items[1]["content"][0]["text"]
    assert kept == heard and "gateway that" not in kept, kept

    def knows_it_was_stopped(body: dict[str, Any]) -> None:
        sent = json.dumps(body["messages"])
        assert heard in sent and "cancelled the stream" in sent, sent

    model.script(say("A shorter one, then.", check=knows_it_was_stopped), title("Story"))
    after = client.send(thread_id, "Shorter, please")
    assert after.done_items("assistant_message")[0]["content"][0]["text"] == "A shorter one, then."


def test_leaving_during_a_tool_call_leaves_the_call_in_the_thread(
    tmp_path: Path, todo_db: Path, model: ScriptedModel
) -> None:
    from tests.conftest import model_section
    from tests.support.chat import text_of
    from tests.support.events import wait_for_text
    from tests.support.gateway import quirky_server_config, running_local_gateway

    marker = tmp_path / "quirky.log"
    with running_local_gateway(
        tmp_path,
        todo_db=todo_db,
        model=model_section(model, retries=0),
        mcp_servers={"quirky": quirky_server_config(marker)},
    ) as gateway:
        model.script(call("quirky__sleep", {"seconds": 3}))
        request = {"type": "threads.create", "params": {"input": user_input("take a nap")}}
        thread_id = ""
        with (
            httpx2.Client(base_url=gateway.url, timeout=30) as http,
            http.stream("POST", "/chatkit", json=request) as response,
        ):
            for line in response.iter_lines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    thread_id = thread_id or event.get("thread", {}).get("id", "")
                    if event["type"] == "thread.item.added" and event["item"]["type"] == "workflow":
                        break  # the call is running: the person closes the page
        wait_for_text(marker, "started", timeout=10)
        client = gateway.client()

        def saved_widget() -> list[dict[str, Any]]:
            items = client.list_items(thread_id, order="asc").json["data"]
            return [i for i in items if i["type"] == "widget"]

        deadline = time.monotonic() + 15
        while not saved_widget() and time.monotonic() < deadline:
            time.sleep(0.1)
        widgets = saved_widget()
        assert widgets, client.list_items(thread_id, order="asc").json
        shown = text_of(widgets[0]["widget"])
        assert "interrupted" in shown or "slept" in shown, shown

        def knows_about_the_call(body: dict[str, Any]) -> None:
            calls = [c["function"]["name"] for m in body["messages"] for c in m.get("tool_calls") or []]
            assert calls == ["quirky__sleep"], body["messages"]

        model.script(say("Your nap was cut short.", check=knows_about_the_call), title("Nap"))
        after = client.send(thread_id, "did I sleep?")
        assert after.done_items("assistant_message")
