"""Authentication and isolation: each user's threads are their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.gateway import Gateway, local_config, running_gateway, write_config

TOKENS = {"token-alice": "alice", "token-bob": "bob"}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("auth")
    config = write_config(
        tmp / "config.yaml",
        local_config(tmp, auth={"tokens": TOKENS, "trusted_header": "X-User-ID"}),
    )
    with running_gateway(config) as running:
        yield running


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
