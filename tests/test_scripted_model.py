"""The scripted model fails the test that uses it when the gateway does something unscripted:
a request with no step left, a check that fails, a step left unused. (It fakes the model; if it
could not fail, no model test could.)"""

from __future__ import annotations

import pytest
from openai import BadRequestError, OpenAI

from tests.support.model_server import ScriptedModel, Step, say


def ask(model: ScriptedModel, text: str, *, stream: bool = True) -> str:
    client = OpenAI(base_url=model.url, api_key="k", max_retries=0)
    messages = [{"role": "user", "content": text}]
    if not stream:
        reply = client.chat.completions.create(model="m", messages=messages)
        return reply.choices[0].message.content or ""
    chunks = client.chat.completions.create(model="m", messages=messages, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_a_request_with_no_step_left_fails_verification() -> None:
    model = ScriptedModel([say("only one")]).start()
    try:
        assert ask(model, "first") == "only one"
        with pytest.raises(BadRequestError, match="no step left"):
            ask(model, "second")
    finally:
        model.stop()
    with pytest.raises(AssertionError, match="unexpected request"):
        model.verify()


def test_a_failed_check_and_an_unused_step_fail_verification() -> None:
    def wants_hello(body: dict[str, object]) -> None:
        assert body["messages"] == [{"role": "user", "content": "hello"}]

    model = ScriptedModel([say("hi", check=wants_hello), say("never asked for")]).start()
    try:
        with pytest.raises(BadRequestError, match="check failed"):
            ask(model, "goodbye")
    finally:
        model.stop()
    with pytest.raises(AssertionError, match=r"(?s)check failed.*1 scripted step"):
        model.verify()


def test_streamed_and_plain_replies_and_the_stream_flag_is_checked() -> None:
    model = ScriptedModel([say("streamed in pieces", piece=2), Step(text="whole", stream=False)]).start()
    try:
        assert ask(model, "a") == "streamed in pieces"
        assert ask(model, "b", stream=False) == "whole"
    finally:
        model.stop()
    model.verify()
    assert len(model.requests) == 2 and model.requests[0]["stream"] is True
