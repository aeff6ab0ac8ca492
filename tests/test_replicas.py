"""Scale-out: two gateway processes on one PostgreSQL store serve the same users' threads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.chat import last_widget, text_of
from tests.support.gateway import running_gateway, todo_server_config, write_config

pytestmark = pytest.mark.postgres


def test_two_gateways_share_threads_through_postgresql(tmp_path: Path, postgres_url: str) -> None:
    config = {
        "mcp_servers": {"todo": todo_server_config(tmp_path / "todo.db")},
        "store": {"url": postgres_url},
        "auth": {"tokens": {"t-alice": "alice", "t-bob": "bob"}},
    }
    first = write_config(tmp_path / "first.yaml", config)
    second = write_config(tmp_path / "second.yaml", config)
    with running_gateway(first) as a, running_gateway(second) as b:
        alice_on_a = a.client(Authorization="Bearer t-alice")
        alice_on_b = b.client(Authorization="Bearer t-alice")
        bob_on_b = b.client(Authorization="Bearer t-bob")

        created = alice_on_a.create_thread('/add_task title="Written on replica A"')
        thread_id = created.thread_id
        reply = alice_on_b.send(thread_id, "/list_tasks {}")  # the next turn lands on the other replica
        assert "Written on replica A" in text_of(last_widget(reply)["widget"])

        items_a = alice_on_a.list_items(thread_id, order="asc").json["data"]
        items_b = alice_on_b.list_items(thread_id, order="asc").json["data"]
        assert items_a == items_b and len(items_a) == 4
        assert bob_on_b.get_thread(thread_id).status == 404
