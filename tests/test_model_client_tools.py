"""Client tools: the model calls a tool the browser runs; the turn ends with a pending client tool
call, and the browser's `threads.add_client_tool_output` resumes the conversation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import model_section
from tests.support.gateway import Gateway, running_local_gateway
from tests.support.model_server import ScriptedModel, call, say, title

LOCATION = {
    "name": "get_location",
    "description": "The user's current city, from the browser.",
    "input_schema": {"type": "object", "properties": {"precision": {"type": "string"}}},
}


@pytest.fixture()
def gateway_with_client_tool(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> Iterator[Gateway]:
    with running_local_gateway(
        tmp_path, todo_db=todo_db, model=model_section(model, retries=0), client_tools=[LOCATION]
    ) as gateway:
        yield gateway


def test_a_client_tool_round_trip(gateway_with_client_tool: Gateway, model: ScriptedModel) -> None:
    def offered(body: dict[str, Any]) -> None:
        names = [t["function"]["name"] for t in body["tools"]]
        assert "get_location" in names and "todo__add_task" in names, names

    model.script(call("get_location", {"precision": "city"}, check=offered), title("Where am I"))
    client = gateway_with_client_tool.client()
    reply = client.create_thread("Where am I?")
    pending = reply.done_items("client_tool_call")
    assert len(pending) == 1, [e["type"] for e in reply.events]
    assert pending[0]["name"] == "get_location" and pending[0]["arguments"] == {"precision": "city"}
    assert pending[0]["status"] == "pending"
    assert len([r for r in model.requests if r.get("stream")]) == 1  # the turn ended there

    def given_the_output(body: dict[str, Any]) -> None:
        messages = body["messages"]
        calls = [m for m in messages if m.get("tool_calls")]
        assert calls[-1]["tool_calls"][0]["function"]["name"] == "get_location", messages
        output = [m for m in messages if m["role"] == "tool"][-1]
        assert json.loads(output["content"]) == {"city": "Lisbon"}, output

    model.script(say("You are in Lisbon.", check=given_the_output))
    resumed = client.post(
        {
            "type": "threads.add_client_tool_output",
            "params": {"thread_id": reply.thread_id, "result": {"city": "Lisbon"}},
        }
    )
    assert resumed.status == 200
    assert resumed.done_items("assistant_message")[0]["content"][0]["text"] == "You are in Lisbon."
    items = client.list_items(reply.thread_id, order="asc").json["data"]
    tool_call = next(i for i in items if i["type"] == "client_tool_call")
    assert tool_call["status"] == "completed" and tool_call["output"] == {"city": "Lisbon"}


def test_two_round_trips_in_one_thread(gateway_with_client_tool: Gateway, model: ScriptedModel) -> None:
    client = gateway_with_client_tool.client()
    model.script(call("get_location", {}), title("Twice"))
    thread_id = client.create_thread("Where am I?").thread_id
    model.script(say("Lisbon."))
    output = {
        "type": "threads.add_client_tool_output",
        "params": {"thread_id": thread_id, "result": "Lisbon"},
    }
    assert client.post(output).done_items("assistant_message")

    model.script(call("get_location", {"precision": "street"}))
    second = client.send(thread_id, "And now?")
    assert second.done_items("client_tool_call"), [e["type"] for e in second.events]
    model.script(say("Porto."))
    output["params"]["result"] = "Porto"
    assert client.post(output).done_items("assistant_message")[0]["content"][0]["text"] == "Porto."
    calls = [
        i for i in client.list_items(thread_id, order="asc").json["data"] if i["type"] == "client_tool_call"
    ]
    assert [c["output"] for c in calls] == ["Lisbon", "Porto"]
    assert len({c["id"] for c in calls}) == 2


def test_an_output_with_no_pending_call_is_refused(
    gateway_with_client_tool: Gateway, model: ScriptedModel
) -> None:
    model.script(say("Hello."), title("Hi"))
    client = gateway_with_client_tool.client()
    thread_id = client.create_thread("hi").thread_id
    refused = client.post(
        {"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": {}}}
    )
    assert refused.status == 400, refused
