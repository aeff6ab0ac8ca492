"""A restart of the gateway on the same database loses no thread and no item."""

from __future__ import annotations

from pathlib import Path

from tests.support.gateway import local_config, running_gateway, write_config


def test_restarting_the_gateway_keeps_every_thread_and_item(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        local_config(tmp_path),
    )
    before: dict[str, list[dict]] = {}
    with running_gateway(config) as gateway:
        client = gateway.client()
        for text in ("/tools", '/add_task {"title": "Survive a restart"}', "/list_tasks {}"):
            thread_id = client.create_thread(text).thread_id
            client.send(thread_id, "/help")
            before[thread_id] = client.list_items(thread_id, order="asc", limit=100).json["data"]
        titles = {t["id"]: t["title"] for t in client.list_threads(limit=100).json["data"]}

    with running_gateway(config) as gateway:
        client = gateway.client()
        listed = client.list_threads(limit=100).json["data"]
        assert {t["id"]: t["title"] for t in listed} == titles
        for thread_id, items in before.items():
            assert client.list_items(thread_id, order="asc", limit=100).json["data"] == items
        # and the restarted gateway still works on the old threads
        reply = client.send(next(iter(before)), "/list_tasks {}")
        assert "Survive a restart" in reply.widgets()[0]["copy_text"]
