"""Bad input to POST /chatkit gets a readable 4xx and loses nothing; never a 500 or a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.gateway import Gateway, running_local_gateway

MAX_BODY = 4096


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with running_local_gateway(
        tmp_path_factory.mktemp("errors"), server={"max_body_bytes": MAX_BODY}
    ) as running:
        yield running


def assert_readable_error(reply, status: int, *words: str) -> None:
    assert reply.status == status, reply.json
    assert reply.headers["content-type"].startswith("application/json")
    message = reply.json["error"]
    assert isinstance(message, str) and message
    assert "Traceback" not in message
    for word in words:
        assert word in message, message


def test_a_body_that_is_not_json_is_a_400(gateway: Gateway) -> None:
    assert_readable_error(gateway.client().post(b"{not json"), 400, "not valid JSON")


def test_an_empty_body_is_a_400(gateway: Gateway) -> None:
    assert_readable_error(gateway.client().post(b""), 400, "empty")


def test_an_unknown_request_type_is_a_400_naming_the_type(gateway: Gateway) -> None:
    reply = gateway.client().post({"type": "threads.explode", "params": {}})
    assert_readable_error(reply, 400, "threads.explode")


def test_a_request_missing_a_field_is_a_400_naming_the_field(gateway: Gateway) -> None:
    reply = gateway.client().post({"type": "threads.get_by_id", "params": {}})
    assert_readable_error(reply, 400, "thread_id")


@pytest.mark.parametrize(
    "request_body",
    [
        {"type": "threads.get_by_id", "params": {"thread_id": "thr_missing"}},
        {"type": "items.list", "params": {"thread_id": "thr_missing"}},
        {"type": "threads.update", "params": {"thread_id": "thr_missing", "title": "x"}},
        {"type": "threads.delete", "params": {"thread_id": "thr_missing"}},
        {
            "type": "threads.add_user_message",
            "params": {
                "thread_id": "thr_missing",
                "input": {"content": [], "attachments": [], "inference_options": {}},
            },
        },
        {
            "type": "threads.custom_action",
            "params": {"thread_id": "thr_missing", "action": {"type": "tool.call"}},
        },
    ],
    ids=lambda body: body["type"],
)
def test_a_thread_that_does_not_exist_is_a_404(gateway: Gateway, request_body: dict) -> None:
    assert_readable_error(gateway.client().post(request_body), 404)


def test_an_item_that_does_not_exist_is_a_404(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/tools").thread_id
    reply = client.post(
        {
            "type": "threads.custom_action",
            "params": {"thread_id": thread_id, "item_id": "msg_missing", "action": {"type": "tool.call"}},
        }
    )
    assert_readable_error(reply, 404)
    retry = client.post(
        {"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": "msg_nope"}}
    )
    assert_readable_error(retry, 404)


def test_a_body_over_the_limit_is_a_413(gateway: Gateway) -> None:
    text = "x" * (MAX_BODY + 10)
    body = json.dumps(
        {"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": text}]}}}
    )
    assert_readable_error(gateway.client().post(body), 413, str(MAX_BODY))


def test_a_chunked_body_over_the_limit_is_a_413(gateway: Gateway) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY // 64 + 2):
            yield b" " * 64

    response = gateway.client().http.post(
        "/chatkit", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert str(MAX_BODY) in response.json()["error"]


def test_nothing_is_lost_after_bad_requests(gateway: Gateway) -> None:
    client = gateway.client()
    thread_id = client.create_thread("/tools").thread_id
    client.post(b"{broken")
    client.post({"type": "threads.get_by_id", "params": {}})
    assert client.get_thread(thread_id).status == 200
    assert gateway.process.poll() is None


@pytest.mark.parametrize(
    "request_body",
    [
        {"type": "attachments.create", "params": {"name": "a.png", "size": 10, "mime_type": "image/png"}},
        {"type": "attachments.delete", "params": {"attachment_id": "atc_1"}},
        {"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm"}},
    ],
    ids=lambda body: body["type"],
)
def test_a_request_for_a_feature_the_gateway_lacks_is_a_400_not_a_500(
    gateway: Gateway, request_body: dict
) -> None:
    assert_readable_error(gateway.client().post(request_body), 400, "not supported")
