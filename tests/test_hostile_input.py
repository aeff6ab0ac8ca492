"""Hostile input in one request never reaches a shared MCP session or the store unchecked.

A `\\ud800` escape in command JSON decodes to a lone surrogate, which no UTF-8 encoder takes:
sent on, it dropped the shared MCP session for every user. JSON nested thousands deep
exhausted Python's recursion. Both must come back as a readable problem, and the server
must stay up for everyone else.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.chat import last_widget, tasks, text_of
from tests.support.gateway import Gateway, running_local_gateway
from tests.support.todo import running_todo_http

SURROGATE_COMMAND = r'/todo.add_task {"title": "\ud800"}'


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture()
def gateway(transport: str, tmp_path: Path, todo_db: Path) -> Iterator[Gateway]:
    if transport == "http":
        with (
            running_todo_http(todo_db) as url,
            running_local_gateway(tmp_path, mcp_servers={"todo": {"url": url}}) as running,
        ):
            yield running
        return
    with running_local_gateway(tmp_path, todo_db=todo_db) as running:
        yield running


def _server_state(gateway: Gateway) -> str:
    health = httpx2.get(f"{gateway.url}/health", timeout=10).json()
    return next(s["state"] for s in health["servers"] if s["name"] == "todo")


def test_a_lone_surrogate_in_a_command_is_a_problem_and_the_server_stays_up_for_everyone(
    gateway: Gateway, todo_db: Path
) -> None:
    mallory, alice = gateway.client(), gateway.client()
    for _ in range(3):
        reply = mallory.create_thread(SURROGATE_COMMAND)
        assert reply.status == 200 and not reply.of_type("error"), reply.events
        form = last_widget(reply)
        assert "not valid Unicode" in text_of(form["widget"])
        assert _server_state(gateway) == "up"

    listed = alice.create_thread("/todo.add_task title=Milk")
    assert not listed.of_type("error")
    assert [t["title"] for t in tasks(todo_db)] == ["Milk"]


def test_a_reshown_form_with_a_lone_surrogate_is_saved_and_can_be_loaded(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread(r'/todo.add_task {"title": "\ud800", "priority": "urgent"}')
    assert not reply.of_type("error"), reply.events
    form = last_widget(reply)
    thread = client.get_thread(reply.thread_id)
    assert thread.status == 200
    assert form["id"] in [item["id"] for item in thread.json["items"]["data"]]


@pytest.mark.parametrize("transport", ["stdio"])
def test_command_json_nested_5000_deep_is_a_readable_problem(gateway: Gateway) -> None:
    deep = "[" * 5000 + "]" * 5000
    reply = gateway.client().create_thread('/todo.add_task {"title": "x", "tags": ' + deep + "}")
    assert reply.status == 200 and not reply.of_type("error"), reply.events
    assert "nested more than 64 levels deep" in text_of(last_widget(reply)["widget"])
