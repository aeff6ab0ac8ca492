"""While a stdio server restarts, calls wait for it (bounded); a call cut off mid-way says it may have run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.support.chat import is_error_card, last_widget, tasks, text_of
from tests.support.events import children, wait_for_text
from tests.support.gateway import (
    Gateway,
    quirky_server_config,
    running_gateway,
    running_local_gateway,
    store_url,
    write_config,
)


def kill_server(gateway: Gateway) -> None:
    """SIGKILL the gateway's (only) stdio server, as a crash would."""
    (pid,) = children(gateway.process.pid)
    os.kill(pid, signal.SIGKILL)


def test_calls_while_a_crashed_server_restarts_wait_for_it(tmp_path: Path, todo_db: Path) -> None:
    # At debug level the gateway logs each time it finds a server down (at info, only some of
    # those times): the event this test waits for before it calls.
    with running_local_gateway(tmp_path, todo_db=todo_db, log_level="debug") as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.list_tasks {}").thread_id
        before = len(gateway.logs())
        kill_server(gateway)
        # the gateway has seen the crash: the restart is under way
        wait_for_text(
            gateway.log, "MCP server todo is down", since=before, process=gateway.process, timeout=10
        )
        added = client.send(thread_id, "/todo.add_task title=After-crash")
        assert not is_error_card(last_widget(added)["widget"]), text_of(last_widget(added)["widget"])
    assert [t["title"] for t in tasks(todo_db)] == ["After-crash"]


def test_a_read_only_call_that_met_the_crash_is_made_again_after_the_restart(tmp_path: Path) -> None:
    with running_local_gateway(tmp_path) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.list_tasks {}").thread_id
        kill_server(gateway)  # and call at once: the request may meet the dying connection
        listed = client.send(thread_id, "/todo.list_tasks {}")
        assert not is_error_card(last_widget(listed)["widget"]), text_of(last_widget(listed)["widget"])


def test_a_call_cut_off_after_it_reached_the_server_says_it_may_have_run(
    tmp_path: Path, marker: Path
) -> None:
    quirky = quirky_server_config(marker)
    config = write_config(
        tmp_path / "config.yaml", {"mcp_servers": {"quirky": quirky}, "store": {"url": store_url(tmp_path)}}
    )
    with running_gateway(config) as gateway:
        card = last_widget(gateway.client().create_thread("/quirky.exit_midway {}"))
    assert marker.read_text().split() == ["ran"]  # the work was done
    assert is_error_card(card["widget"])
    visible = text_of(card["widget"])
    assert "may have run" in visible and "Nothing was sent" not in visible
    assert "may have run" in card["copy_text"]
