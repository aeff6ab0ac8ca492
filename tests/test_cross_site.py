"""A web page on another site cannot make the gateway run tools.

Browsers send a `text/plain` POST to any site without asking first, so /chatkit takes only
JSON bodies, and refuses a request whose `Origin` is neither the gateway itself nor one of
`server.cors_origins`. With no `auth` (one local user), the gateway also answers only to
loopback host names and `server.allowed_hosts`, so a page that rebinds its own DNS name to
127.0.0.1 is refused too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chat import tasks
from tests.support.gateway import Gateway, running_local_gateway, user_input

ADD = {"type": "threads.create", "params": {"input": user_input("/todo.add_task title=Evil")}}
LIST = {"type": "threads.list", "params": {}}


@pytest.fixture()
def gateway(tmp_path: Path, todo_db: Path) -> Iterator[Gateway]:
    server = {"cors_origins": ["http://chat.example.test"], "allowed_hosts": ["chat.internal"]}
    with running_local_gateway(tmp_path, todo_db=todo_db, server=server) as running:
        yield running


def test_a_text_plain_post_is_refused_and_runs_nothing(gateway: Gateway, todo_db: Path) -> None:
    reply = gateway.client().post(ADD, **{"Content-Type": "text/plain"})
    assert reply.status == 415
    assert "application/json" in reply.json["error"]
    assert tasks(todo_db) == []


def test_a_json_post_from_another_sites_page_is_refused_and_runs_nothing(
    gateway: Gateway, todo_db: Path
) -> None:
    reply = gateway.client().post(
        ADD, **{"Content-Type": "application/json", "Origin": "http://evil.example"}
    )
    assert reply.status == 403
    assert "http://evil.example" in reply.json["error"]
    assert tasks(todo_db) == []


def test_the_gateways_own_pages_and_configured_origins_are_served(gateway: Gateway) -> None:
    own = gateway.client().post(LIST, **{"Content-Type": "application/json", "Origin": gateway.url})
    assert own.status == 200
    configured = gateway.client().post(
        LIST,
        **{"Content-Type": "application/json; charset=utf-8", "Origin": "http://chat.example.test"},
    )
    assert configured.status == 200
    no_origin = gateway.client().post(LIST, **{"Content-Type": "application/json"})  # curl, scripts
    assert no_origin.status == 200


def test_a_rebound_host_name_is_refused_without_auth(gateway: Gateway, todo_db: Path) -> None:
    port = gateway.url.rsplit(":", 1)[1]
    rebound = gateway.client().post(
        ADD,
        **{
            "Content-Type": "application/json",
            "Host": f"attacker.example:{port}",
            "Origin": f"http://attacker.example:{port}",
        },
    )
    assert rebound.status == 403
    assert "server.allowed_hosts" in rebound.json["error"]
    assert tasks(todo_db) == []
    allowed = gateway.client().post(
        LIST,
        **{
            "Content-Type": "application/json",
            "Host": f"chat.internal:{port}",
            "Origin": f"http://chat.internal:{port}",
        },
    )
    assert allowed.status == 200
