"""Authentication and isolation: each user's threads are their own.

A bearer token, when sent, decides who the caller is. The trusted header is believed only
from the proxies `auth.trusted_proxies` names (the tests reach the gateway from 127.0.0.1).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.gateway import ROOT, Gateway, local_config, running_local_gateway, write_config

TOKENS = {"token-alice": "alice", "token-bob": "bob"}


def _gateway(tmp: Path, proxies: list[str]) -> Iterator[Gateway]:
    auth = {"tokens": TOKENS, "trusted_header": "X-User-ID", "trusted_proxies": proxies}
    with running_local_gateway(tmp, auth=auth) as running:
        yield running


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """Behind a proxy on this machine: the tests' own address is the trusted proxy."""
    yield from _gateway(tmp_path_factory.mktemp("auth"), ["127.0.0.1", "::1"])


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The proxy is elsewhere: the tests are "anyone who can reach the port"."""
    yield from _gateway(tmp_path_factory.mktemp("exposed"), ["10.9.9.9/32"])


def test_a_request_without_credentials_is_a_401_before_anything_happens(gateway: Gateway) -> None:
    reply = gateway.client().post(b"{not even json")
    assert reply.status == 401
    assert "Bearer" in reply.json["error"]
    assert reply.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_a_401(gateway: Gateway) -> None:
    reply = gateway.client(Authorization="Bearer nope").list_threads()
    assert reply.status == 401
    assert "not valid" in reply.json["error"]


def test_a_valid_token_reaches_the_endpoint(gateway: Gateway) -> None:
    reply = gateway.client(Authorization="Bearer token-alice").create_thread("/tools")
    assert reply.status == 200 and reply.widgets()


def test_the_trusted_header_names_the_user(gateway: Gateway) -> None:
    by_header = gateway.client(**{"X-User-ID": "alice"})
    by_token = gateway.client(Authorization="Bearer token-alice")
    thread_id = by_header.create_thread("/tools").thread_id
    assert by_token.get_thread(thread_id).status == 200


def test_one_user_never_sees_another_users_threads(gateway: Gateway) -> None:
    alice = gateway.client(Authorization="Bearer token-alice")
    bob = gateway.client(Authorization="Bearer token-bob")
    created = alice.create_thread("/tools")
    thread_id = created.thread_id
    widget_id = created.widgets()[0]["id"]

    assert all(t["id"] != thread_id for t in bob.list_threads(limit=100).json["data"])
    assert bob.get_thread(thread_id).status == 404
    assert bob.list_items(thread_id).status == 404
    assert bob.send(thread_id, "/tools").status == 404
    assert (
        bob.post({"type": "threads.update", "params": {"thread_id": thread_id, "title": "mine"}}).status
        == 404
    )
    assert bob.post({"type": "threads.delete", "params": {"thread_id": thread_id}}).status == 404
    assert (
        bob.action(thread_id, widget_id, {"type": "tool.form", "payload": {"tool": "todo.add_task"}}).status
        == 404
    )

    # Alice's thread is untouched by all of that.
    thread = alice.get_thread(thread_id)
    assert thread.status == 200 and thread.json["title"] != "mine"
    assert len(thread.json["items"]["data"]) == len(created.done_items())


def owner_of(gateway: Gateway, thread_id: str) -> str:
    """Which token's user can read the thread."""
    for token, user in TOKENS.items():
        if gateway.client(Authorization=f"Bearer {token}").get_thread(thread_id).status == 200:
            return user
    return "nobody"


def test_the_header_from_an_address_that_is_not_a_trusted_proxy_is_refused(exposed: Gateway) -> None:
    reply = exposed.client(**{"X-User-ID": "alice"}).list_threads()
    assert reply.status == 401
    assert "X-User-ID" in reply.json["error"] and "trusted proxies" in reply.json["error"]


def test_a_token_decides_even_when_the_header_names_someone_else(gateway: Gateway, exposed: Gateway) -> None:
    for running in (gateway, exposed):
        bob_as_alice = running.client(Authorization="Bearer token-bob", **{"X-User-ID": "alice"})
        created = bob_as_alice.create_thread("/tools")
        assert created.status == 200
        assert owner_of(running, created.thread_id) == "bob"


def test_a_wrong_token_is_refused_even_with_a_trusted_header(gateway: Gateway) -> None:
    reply = gateway.client(Authorization="Bearer nope", **{"X-User-ID": "alice"}).list_threads()
    assert reply.status == 401


def test_a_trusted_header_without_trusted_proxies_is_a_config_error(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml", local_config(tmp_path, auth={"trusted_header": "X-User-ID"})
    )
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "check", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "auth: `trusted_header` needs `trusted_proxies`" in done.stderr


def test_health_without_credentials_says_only_whether_the_gateway_is_up(gateway: Gateway) -> None:
    anonymous = httpx2.get(f"{gateway.url}/health", timeout=10)
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok"}
    detailed = httpx2.get(f"{gateway.url}/health", headers={"Authorization": "Bearer token-bob"}, timeout=10)
    assert [s["name"] for s in detailed.json()["servers"]] == ["todo"]
    assert detailed.json()["store"] == {"ok": True}
