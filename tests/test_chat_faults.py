"""A failing, hung or missing MCP server becomes an error card in the chat: never a hung stream or a 500."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chat import last_widget, text_of
from tests.support.gateway import Gateway, find_nodes, quirky_server_config, running_gateway, write_config


@pytest.fixture()
def marker(tmp_path: Path) -> Path:
    return tmp_path / "cancelled.txt"


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
            "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"},
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


def is_error_card(widget: dict) -> bool:
    return any(
        n.get("label") == "Error" for n in find_nodes(widget["widget"], lambda n: n.get("type") == "Badge")
    )


def test_a_server_that_died_gives_an_error_card_then_recovers(gateway: Gateway, marker: Path) -> None:
    client = gateway.client()
    created = client.create_thread("/pid")
    assert not is_error_card(last_widget(created))
    (pid,) = (
        int(p)
        for p in subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True).stdout.split()
    )
    os.kill(pid, signal.SIGKILL)

    failed = client.send(created.thread_id, "/pid")
    assert failed.status == 200 and not failed.of_type("error")
    card = last_widget(failed)
    assert is_error_card(card) and "quirky" in card["copy_text"]
    # the registry reconnects with backoff: a later call works without restarting the gateway
    for _ in range(60):
        again = client.send(created.thread_id, "/pid")
        if not is_error_card(last_widget(again)):
            break
        time.sleep(0.25)  # the backoff is the registry's; this only paces the person retrying
    else:
        pytest.fail("the server never came back")
    assert str(pid) not in last_widget(again)["copy_text"]


def test_a_tool_of_a_server_that_never_started_is_unknown_with_a_hint(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/ghost.anything {}")
    (message,) = reply.done_items("assistant_message")
    assert "Unknown tool" in message["content"][0]["text"]
    catalog = last_widget(gateway.client().create_thread("/tools"))
    visible = text_of(catalog["widget"])
    assert "ghost" in visible and "no-such-mcp-server-binary" in visible
