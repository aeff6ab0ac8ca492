"""A resource read into a thread follows the resource: when its server says it changed, the
widget is re-read and re-rendered in place (the same item, the new content).

Our todo server (2026-07-28: `subscriptions/listen`) and server-everything (handshake era:
`resources/subscribe`, whose `toggle-subscriber-updates` tool makes it announce updates), through
POST /chatkit on the real gateway.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.chat import last_widget, text_of, todo_call
from tests.support.gateway import (
    ChatKitClient,
    Gateway,
    everything_server_config,
    running_gateway,
    todo_server_config,
    write_config,
)


@pytest.fixture(scope="module")
def todo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("todo") / "todo.db"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, todo_db: Path) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("updates")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "todo": todo_server_config(todo_db),
                "everything": everything_server_config(),
            },
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def _stored_widget(client: ChatKitClient, thread_id: str, item_id: str) -> dict[str, Any]:
    items = client.list_items(thread_id).json["data"]
    return next(i for i in items if i["id"] == item_id)["widget"]


def _eventually(check: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_a_changed_task_re_renders_the_resource_widget_in_place(gateway: Gateway, todo_db: Path) -> None:
    task_id = todo_call(todo_db, "add_task", {"title": "Buy milk"})["task"]["id"]
    client = gateway.client()
    shown = client.create_thread(f"/read todo todo://tasks/{task_id}")
    widget = last_widget(shown)
    assert "Buy milk" in text_of(widget["widget"])

    client.send(shown.thread_id, f'/todo.update_task id={task_id} title="Buy oat milk"')
    assert _eventually(
        lambda: "Buy oat milk" in text_of(_stored_widget(client, shown.thread_id, widget["id"]))
    )


@pytest.mark.node
def test_a_handshake_server_s_update_notification_re_reads_the_resource(gateway: Gateway) -> None:
    client = gateway.client()
    uri = "demo://resource/static/document/architecture.md"
    shown = client.create_thread(f"/read everything {uri}")
    assert "architecture" in text_of(last_widget(shown)["widget"]).lower()
    traffic = gateway.client().http

    def reads() -> int:
        entries = traffic.get(
            "/api/traffic", params={"server": "everything", "method": "resources/read"}
        ).json()
        return sum(
            1 for e in entries["entries"] if e["direction"] == "out" and e["message"]["params"]["uri"] == uri
        )

    subscribed = traffic.get("/api/traffic", params={"server": "everything", "method": "resources/subscribe"})
    assert any(e["message"]["params"]["uri"] == uri for e in subscribed.json()["entries"])
    before = reads()
    client.send(shown.thread_id, "/everything.toggle-subscriber-updates {}")
    try:
        assert _eventually(lambda: reads() > before, seconds=20)  # notified, so read again
    finally:
        client.send(shown.thread_id, "/everything.toggle-subscriber-updates {}")
