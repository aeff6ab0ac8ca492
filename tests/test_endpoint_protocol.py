"""POST /chatkit through uvicorn: every request type the SDK accepts, as the web component sends it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway import Gateway, parse_sse, running_local_gateway, store_url, user_input


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with running_local_gateway(tmp_path_factory.mktemp("protocol")) as running:
        yield running


def test_threads_create_streams_the_thread_the_user_message_and_a_reply(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/tools")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    types = [e["type"] for e in reply.events]
    assert types[0] == "thread.created"
    user = reply.done_items("user_message")
    assert user and user[0]["content"][0]["text"] == "/tools"
    assert reply.widgets(), f"no widget in {types}"


def test_add_user_message_appends_to_an_existing_thread(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/tools").thread_id
    reply = client.send(thread_id, "/help")
    assert reply.status == 200
    assert reply.done_items("user_message")[0]["thread_id"] == thread_id
    items = client.list_items(thread_id, order="asc").json["data"]
    assert [i["type"] for i in items].count("user_message") == 2


def test_get_by_id_and_items_list_return_what_was_streamed(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/tools")
    thread = client.get_thread(created.thread_id)
    assert thread.status == 200
    streamed_ids = [i["id"] for i in created.done_items()]
    assert [i["id"] for i in thread.json["items"]["data"]] == streamed_ids
    desc = client.list_items(created.thread_id).json  # the SDK's default order is desc
    assert [i["id"] for i in desc["data"]] == list(reversed(streamed_ids))


def test_threads_list_update_and_delete(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/tools").thread_id
    renamed = client.post({"type": "threads.update", "params": {"thread_id": thread_id, "title": "Renamed"}})
    assert renamed.status == 200 and renamed.json["title"] == "Renamed"
    listed = client.list_threads(limit=100).json
    assert any(t["id"] == thread_id and t["title"] == "Renamed" for t in listed["data"])
    deleted = client.post({"type": "threads.delete", "params": {"thread_id": thread_id}})
    assert deleted.status == 200
    assert client.get_thread(thread_id).status == 404
    assert all(t["id"] != thread_id for t in client.list_threads(limit=100).json["data"])


def test_first_message_titles_the_thread(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/list_tasks {}").thread_id
    assert client.get_thread(thread_id).json["title"] == "/list_tasks {}"


def test_retry_after_item_replaces_the_answer(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/tools")
    user_item = created.done_items("user_message")[0]["id"]
    first_widget = created.widgets()[0]["id"]
    retried = client.post(
        {"type": "threads.retry_after_item", "params": {"thread_id": created.thread_id, "item_id": user_item}}
    )
    assert retried.status == 200
    new_widget = retried.widgets()[0]["id"]
    assert new_widget != first_widget
    ids = [i["id"] for i in client.get_thread(created.thread_id).json["items"]["data"]]
    assert ids == [user_item, new_widget]


def test_feedback_is_accepted(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/tools")
    widget_id = created.widgets()[0]["id"]
    reply = client.post(
        {
            "type": "items.feedback",
            "params": {"thread_id": created.thread_id, "item_ids": [widget_id], "kind": "positive"},
        }
    )
    assert reply.status == 200 and reply.json == {}


def test_client_tool_output_without_a_pending_call_is_a_400(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/tools").thread_id
    reply = client.post(
        {"type": "threads.add_client_tool_output", "params": {"thread_id": thread_id, "result": {"ok": True}}}
    )
    assert reply.status == 400
    assert "client tool call" in reply.json["error"]


def test_client_tool_output_completes_a_pending_client_tool_call(tmp_path: Path) -> None:
    from tests.support.store_seed import add_pending_client_tool_call

    with running_local_gateway(tmp_path) as running:
        client = running.client()
        thread_id = client.create_thread("/tools").thread_id
        call_id = add_pending_client_tool_call(store_url(tmp_path), thread_id, user_id="local")
        reply = client.post(
            {
                "type": "threads.add_client_tool_output",
                "params": {"thread_id": thread_id, "result": {"copied": True}},
            }
        )
        assert reply.status == 200
        assert not reply.of_type("error")
        items = client.list_items(thread_id, order="asc").json["data"]
        call = next(i for i in items if i["type"] == "client_tool_call")
        assert call["call_id"] == call_id
        assert call["status"] == "completed" and call["output"] == {"copied": True}


def test_sse_events_arrive_one_by_one(gateway: Gateway) -> None:
    body = json.dumps({"type": "threads.create", "params": {"input": user_input("/tools")}})
    client = gateway.client()
    chunks: list[bytes] = []
    with client.http.stream(
        "POST", "/chatkit", content=body, headers={"Content-Type": "application/json"}
    ) as response:
        chunks.extend(response.iter_raw())
    assert response.headers["content-type"].startswith("text/event-stream")
    text = b"".join(chunks).decode()
    events = parse_sse(text)
    assert len(events) >= 3
    assert all(block.startswith("data: ") for block in text.split("\n\n") if block)
