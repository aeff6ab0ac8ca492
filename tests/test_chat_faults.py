"""A failing, hung or missing MCP server becomes an error card in the chat: never a hung stream or a 500."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chat import is_error_card, last_widget, text_of
from tests.support.events import wait_for_text
from tests.support.gateway import Gateway, quirky_server_config, running_gateway, store_url, write_config


@pytest.fixture()
def gateway(tmp_path: Path, marker: Path) -> Iterator[Gateway]:
    config = write_config(
        tmp_path / "config.yaml",
        {
            "mcp_servers": {
                # restart_wait 0: fail at once while it restarts (tests/test_restart_wait.py waits)
                "quirky": quirky_server_config(marker, timeout=1, restart_wait=0),
                "ghost": {"command": "no-such-mcp-server-binary"},
            },
            "store": {"url": store_url(tmp_path)},
        },
    )
    with running_gateway(config) as running:
        yield running


def test_a_call_slower_than_its_timeout_ends_as_an_error_card_and_is_cancelled(
    gateway: Gateway, marker: Path
) -> None:
    reply = gateway.client().create_thread('/sleep {"seconds": 30}')
    assert reply.status == 200
    widget = last_widget(reply)
    assert "did not answer within 1 s" in text_of(widget["widget"])
    assert "cancelled" in widget["copy_text"]
    assert not reply.of_type("error")
    assert marker.read_text().count("cancelled") == 1  # the server saw notifications/cancelled


def test_a_server_that_died_gives_an_error_card_then_recovers(gateway: Gateway, marker: Path) -> None:
    client = gateway.client()
    created = client.create_thread("/pid {}")
    assert not is_error_card(last_widget(created)["widget"])
    (pid,) = (
        int(p)
        for p in subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True).stdout.split()
    )
    seen = len(gateway.logs())
    os.kill(pid, signal.SIGKILL)

    failed = client.send(created.thread_id, "/pid {}")
    assert failed.status == 200 and not failed.of_type("error")
    card = last_widget(failed)
    assert is_error_card(card["widget"]) and "quirky" in card["copy_text"]
    # the registry reconnects with backoff: a later call works without restarting the gateway
    wait_for_text(
        gateway.log, "MCP server quirky is up again", timeout=30, process=gateway.process, since=seen
    )
    again = client.send(created.thread_id, "/pid {}")
    assert not is_error_card(last_widget(again)["widget"]), text_of(last_widget(again)["widget"])
    assert str(pid) not in last_widget(again)["copy_text"]


def test_a_tool_of_a_server_that_never_started_says_the_server_is_not_running(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/ghost.anything {}")
    (message,) = reply.done_items("assistant_message")
    assert message["content"][0]["text"].startswith(
        "The server `ghost` is not running: command not found: no-such-mcp-server-binary."
    )
    catalog = last_widget(gateway.client().create_thread("/tools"))
    visible = text_of(catalog["widget"])
    assert "ghost" in visible and "no-such-mcp-server-binary" in visible
