"""Secrets never appear where the gateway reports errors or state.

A secret is any value taken from the environment by `${VAR}`, and the credentials and query
values of a remote server's URL. Responses, error cards (saved in threads), the log and the
command line show `***` in their place, and a stdio server's stderr line such as
`API_KEY=...` is not passed on word for word.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.support.chat import last_widget
from tests.support.gateway import ROOT, Gateway, local_config, running_gateway, write_config
from tests.support.net import free_port
from tests.support.todo import running_todo_http

PASSWORD = "pw-hunter2-7731"
API_KEY = "sk-live-a1b2c3d4e5f6"
LITERAL_QUERY = "literal-query-token-5521"
STDERR_KEY = "sk-printed-on-stderr-9900"
ENV = {"SECRET_PW": PASSWORD, "SECRET_KEY": API_KEY}
SECRETS = (PASSWORD, API_KEY, LITERAL_QUERY, STDERR_KEY)

LEAKY = (
    "import sys; "
    f"print('starting with API_KEY={STDERR_KEY} and Authorization: Bearer {STDERR_KEY}', file=sys.stderr); "
    "sys.exit(3)"
)


def assert_no_secret(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}:\n{text}"


def remote_url(port: int) -> str:
    return f"http://user:${{SECRET_PW}}@127.0.0.1:{port}/mcp?api_key=${{SECRET_KEY}}&t={LITERAL_QUERY}"


@pytest.fixture()
def todo_url(tmp_path: Path) -> Iterator[str]:
    with running_todo_http(tmp_path / "todo.db") as url:
        yield url


@pytest.fixture()
def config(tmp_path: Path, todo_url: str) -> Path:
    todo_port = int(todo_url.split(":")[2].split("/")[0])
    sections: dict[str, Any] = local_config(tmp_path)
    sections["mcp_servers"] = {
        "todo": {"url": remote_url(todo_port), "timeout": 5},
        "gone": {"url": remote_url(free_port())},
        "leaky": {"command": "python", "args": ["-c", LEAKY]},
    }
    return write_config(tmp_path / "config.yaml", sections)


@pytest.fixture()
def gateway(config: Path) -> Iterator[Gateway]:
    with running_gateway(config, env=ENV) as running:
        yield running


def test_health_the_catalog_and_the_log_show_no_secret(gateway: Gateway) -> None:
    health = httpx2.get(f"{gateway.url}/health", timeout=10)
    states = {s["name"]: s for s in health.json()["servers"]}
    assert states["gone"]["state"] == "down" and "127.0.0.1" in states["gone"]["error"]
    assert states["leaky"]["state"] == "down" and "***" in states["leaky"]["error"]
    assert_no_secret("/health", health.text)

    catalog = gateway.client().create_thread("/tools")
    assert_no_secret("the catalog", json.dumps(catalog.events))
    assert_no_secret("the log", gateway.logs())


def test_an_error_card_saved_in_a_thread_shows_no_secret(gateway: Gateway, todo_url: str) -> None:
    client = gateway.client()
    created = client.create_thread("/todo.list_tasks {}")
    assert "Error" not in json.dumps(last_widget(created)["widget"])
    # The server goes away: the next call's error names the server, not its credentials.
    port = int(todo_url.split(":")[2].split("/")[0])
    pid = subprocess.run(["fuser", f"{port}/tcp"], capture_output=True, text=True).stdout.split()
    for p in pid:
        os.kill(int(p), 9)
    failed = client.send(created.thread_id, "/todo.list_tasks {}")
    card = last_widget(failed)
    assert "Error" in json.dumps(card["widget"])
    assert_no_secret("the error card", json.dumps(failed.events))
    assert_no_secret("the stored thread", json.dumps(client.get_thread(created.thread_id).json))
    assert_no_secret("the log", gateway.logs())


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, **ENV},
    )


def test_the_command_line_shows_no_secret(config: Path) -> None:
    tools = cli("tools", "--config", str(config))
    assert "gone [down]" in tools.stdout
    assert_no_secret("gateway tools", tools.stdout + tools.stderr)
    as_json = cli("tools", "--config", str(config), "--json")
    assert_no_secret("gateway tools --json", as_json.stdout + as_json.stderr)
    call = cli("call", "gone.anything", "--config", str(config))
    assert call.returncode == 1 and "gone" in call.stderr
    assert_no_secret("gateway call", call.stdout + call.stderr)


def test_check_does_not_print_a_secret_that_landed_in_a_wrongly_typed_key(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        {"server": {"max_body_bytes": "${SECRET_KEY}"}, "mcp_servers": {"x": {"url": remote_url(1)}}},
    )
    done = cli("check", "--config", str(config))
    assert done.returncode == 2 and "server.max_body_bytes" in done.stderr
    assert_no_secret("gateway check", done.stdout + done.stderr)
