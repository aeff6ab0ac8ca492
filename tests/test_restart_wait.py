"""While a stdio server restarts, calls wait for it (bounded); a call cut off mid-way says it may have run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx2

from tests.support.chat import last_widget, tasks, text_of
from tests.support.gateway import (
    Gateway,
    find_nodes,
    local_config,
    quirky_server_config,
    running_gateway,
    write_config,
)


def is_error_card(widget: dict) -> bool:
    return bool(
        find_nodes(widget["widget"], lambda n: n.get("type") == "Badge" and n.get("label") == "Error")
    )


def kill_server(gateway: Gateway) -> None:
    """SIGKILL the gateway's (only) stdio server, as a crash would."""
    (pid,) = subprocess.run(
        ["pgrep", "-P", str(gateway.process.pid)], capture_output=True, text=True
    ).stdout.split()
    os.kill(int(pid), signal.SIGKILL)


def server_down(gateway: Gateway) -> bool:
    health = httpx2.get(f"{gateway.url}/health", timeout=10).json()
    return health["servers"][0]["state"] != "up"


def test_calls_while_a_crashed_server_restarts_wait_for_it(tmp_path: Path) -> None:
    todo_db = tmp_path / "todo.db"
    config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=todo_db))
    with running_gateway(config) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.list_tasks {}").thread_id
        kill_server(gateway)
        deadline = time.monotonic() + 5
        while not server_down(gateway):  # the gateway has seen the crash: the restart is under way
            assert time.monotonic() < deadline, "the gateway never noticed the crash"
            time.sleep(0.01)
        added = client.send(thread_id, "/todo.add_task title=After-crash")
        assert not is_error_card(last_widget(added)), text_of(last_widget(added)["widget"])
    assert [t["title"] for t in tasks(todo_db)] == ["After-crash"]


def test_a_read_only_call_that_met_the_crash_is_made_again_after_the_restart(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", local_config(tmp_path))
    with running_gateway(config) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.list_tasks {}").thread_id
        kill_server(gateway)  # and call at once: the request may meet the dying connection
        listed = client.send(thread_id, "/todo.list_tasks {}")
        assert not is_error_card(last_widget(listed)), text_of(last_widget(listed)["widget"])


def test_a_call_cut_off_after_it_reached_the_server_says_it_may_have_run(tmp_path: Path) -> None:
    marker = tmp_path / "quirky.log"
    quirky = quirky_server_config(marker)
    config = write_config(
        tmp_path / "config.yaml",
        {"mcp_servers": {"quirky": quirky}, "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"}},
    )
    with running_gateway(config) as gateway:
        card = last_widget(gateway.client().create_thread("/quirky.exit_midway {}"))
    assert marker.read_text().split() == ["ran"]  # the work was done
    assert is_error_card(card)
    visible = text_of(card["widget"])
    assert "may have run" in visible and "Nothing was sent" not in visible
    assert "may have run" in card["copy_text"]
