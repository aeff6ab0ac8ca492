"""A web page on another site cannot make the gateway run tools.

Browsers send a `text/plain` POST to any site without asking first, so /chatkit takes only
JSON bodies, and refuses a request whose `Origin` is neither the gateway itself nor one of
`server.cors_origins`. With no `auth` (one local user), the gateway also answers only to
loopback host names and `server.allowed_hosts`, so a page that rebinds its own DNS name to
127.0.0.1 is refused too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.chat import tasks
from tests.support.gateway import Gateway, local_config, running_gateway, user_input, write_config

ADD = {"type": "threads.create", "params": {"input": user_input("/todo.add_task title=Evil")}}
LIST = {"type": "threads.list", "params": {}}


@pytest.fixture()
def todo_db(tmp_path: Path) -> Path:
    return tmp_path / "todo.db"


@pytest.fixture()
def gateway(tmp_path: Path, todo_db: Path) -> Iterator[Gateway]:
    config = local_config(
        tmp_path,
        todo_db=todo_db,
        server={"cors_origins": ["http://chat.example.test"], "allowed_hosts": ["chat.internal"]},
    )
    with running_gateway(write_config(tmp_path / "config.yaml", config)) as running:
        yield running


def post(gateway: Gateway, body: object, **headers: str) -> httpx2.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx2.post(f"{gateway.url}/chatkit", content=content, headers=headers, timeout=30)


def test_a_text_plain_post_is_refused_and_runs_nothing(gateway: Gateway, todo_db: Path) -> None:
    reply = post(gateway, ADD, **{"Content-Type": "text/plain"})
    assert reply.status_code == 415
    assert "application/json" in reply.json()["error"]
    assert tasks(todo_db) == []


def test_a_json_post_from_another_sites_page_is_refused_and_runs_nothing(
    gateway: Gateway, todo_db: Path
) -> None:
    reply = post(gateway, ADD, **{"Content-Type": "application/json", "Origin": "http://evil.example"})
    assert reply.status_code == 403
    assert "http://evil.example" in reply.json()["error"]
    assert tasks(todo_db) == []


def test_the_gateways_own_pages_and_configured_origins_are_served(gateway: Gateway) -> None:
    own = post(gateway, LIST, **{"Content-Type": "application/json", "Origin": gateway.url})
    assert own.status_code == 200
    configured = post(
        gateway,
        LIST,
        **{"Content-Type": "application/json; charset=utf-8", "Origin": "http://chat.example.test"},
    )
    assert configured.status_code == 200
    no_origin = post(gateway, LIST, **{"Content-Type": "application/json"})  # curl, scripts
    assert no_origin.status_code == 200


def test_a_rebound_host_name_is_refused_without_auth(gateway: Gateway, todo_db: Path) -> None:
    port = gateway.url.rsplit(":", 1)[1]
    rebound = post(
        gateway,
        ADD,
        **{
            "Content-Type": "application/json",
            "Host": f"attacker.example:{port}",
            "Origin": f"http://attacker.example:{port}",
        },
    )
    assert rebound.status_code == 403
    assert "server.allowed_hosts" in rebound.json()["error"]
    assert tasks(todo_db) == []
    allowed = post(
        gateway,
        LIST,
        **{
            "Content-Type": "application/json",
            "Host": f"chat.internal:{port}",
            "Origin": f"http://chat.internal:{port}",
        },
    )
    assert allowed.status_code == 200
