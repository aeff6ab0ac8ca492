"""With the store down, the gateway answers 503 with Retry-After, logs the outage once, and recovers.

A private PostgreSQL cluster is stopped under a running gateway and started again; every
request during the outage gets a readable 503 (never a 500 with a traceback), and the first
request after the database is back succeeds, though the gateway's pooled connections all
died with the old server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.chat import last_widget
from tests.support.gateway import running_gateway, todo_server_config, write_config
from tests.support.postgres import PostgresCluster, postgres_cluster_running

pytestmark = pytest.mark.postgres


@pytest.fixture()
def private_cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster_running() as cluster:
        yield cluster


def test_a_store_outage_is_a_503_logged_once_and_the_gateway_recovers(
    tmp_path: Path, private_cluster: PostgresCluster
) -> None:
    config = {
        "mcp_servers": {"todo": todo_server_config(tmp_path / "todo.db")},
        "store": {"url": private_cluster.create_database()},
    }
    with running_gateway(write_config(tmp_path / "config.yaml", config)) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.list_tasks {}").thread_id
        for _ in range(3):  # fill the pool with connections that the restart will kill
            assert client.get_thread(thread_id).status == 200

        private_cluster.stop()
        requests = [
            lambda: client.get_thread(thread_id),
            lambda: client.list_threads(),
            lambda: client.send(thread_id, "/todo.list_tasks {}"),
            lambda: client.create_thread("/tools"),
        ]
        for request in requests * 5:
            reply = request()
            assert reply.status == 503, (reply.status, reply.json, reply.events)
            assert reply.headers["retry-after"].isdigit()
            assert "store is unavailable" in reply.json["error"]
        health = httpx2.get(f"{gateway.url}/health", timeout=10)
        assert health.status_code == 503 and health.json()["status"] == "unavailable"

        private_cluster.start()
        assert client.get_thread(thread_id).status == 200  # the very first request after it is back
        again = client.send(thread_id, "/todo.list_tasks {}")
        assert again.status == 200 and last_widget(again)
        log = gateway.logs()
    assert "Traceback" not in log, log
    assert log.count("store unavailable") == 1, log
    assert log.count("store available again") == 1, log
