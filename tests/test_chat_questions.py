"""A server asks the person during a call (elicitation): the question is a form in the thread,
the answer resumes the call, and its result renders as usual.

Against server-everything (handshake era: `elicitation/create` sent mid-call, over stdio and
streamable HTTP) and a Python server on mcp 2.x (2026-07-28: an `input_required` result the
gateway answers by retrying the call), through POST /chatkit on the real gateway.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.servers.launch import HttpServer, everything_http
from tests.support.chat import buttons, field_names, form_action, last_widget, text_of
from tests.support.gateway import (
    ChatKitClient,
    Gateway,
    Reply,
    everything_server_config,
    running_gateway,
    submit_form,
    write_config,
)

pytestmark = pytest.mark.node


def _asking(**extra: Any) -> dict[str, Any]:
    return {"command": "python", "args": ["-m", "tests.servers.asking"], "cwd": str(ROOT), **extra}


@pytest.fixture(scope="module")
def everything_over_http() -> Iterator[HttpServer]:
    with everything_http() as server:
        yield server


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, everything_over_http: HttpServer) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("questions")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "everything": everything_server_config(),
                "remote": {"url": everything_over_http.url, "timeout": 60},
                "hurried": everything_server_config(ask_timeout=1.5, timeout=2),
                "asking": _asking(),
                "slow_asking": _asking(timeout=1),
                "slow_everything": everything_server_config(timeout=1),
            },
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def _question(reply: Reply) -> dict[str, Any]:
    """The question card a stream ended with."""
    item = last_widget(reply)
    assert buttons(item["widget"], "Decline"), f"no question at the end: {text_of(item['widget'])}"
    return item


def _answer(
    client: ChatKitClient,
    thread_id: str,
    item: dict[str, Any],
    answer: str,
    values: dict[str, Any] | None = None,
) -> Reply:
    """Click a question's button, or submit its form (Accept), as the web component does."""
    widget = item["widget"]
    if answer == "Accept":
        action = submit_form(form_action(widget), values or {})
    else:
        (button,) = buttons(widget, answer)
        action = button["onClickAction"]
    return client.action(thread_id, item["id"], action)


@pytest.mark.parametrize("server", ["everything", "remote"])
def test_an_accepted_form_resumes_the_call_with_the_values(gateway: Gateway, server: str) -> None:
    client = gateway.client()
    asked = client.create_thread(f"/{server}.trigger-elicitation-request {{}}")
    question = _question(asked)
    shown = text_of(question["widget"])
    assert "Please provide inputs" in shown
    assert {"input.name", "input.integer", "input.check"} <= set(field_names(question["widget"]))

    answered = _answer(
        client, asked.thread_id, question, "Accept", {"input.name": "Ada Lovelace", "input.integer": "7"}
    )
    replaced = answered.of_type("thread.item.replaced")
    assert replaced and replaced[0]["item"]["id"] == question["id"]
    assert "Ada Lovelace" in text_of(replaced[0]["item"]["widget"])  # the card now shows the answer
    result = text_of(last_widget(answered)["widget"])
    assert "Ada Lovelace" in result and "accept" in result.lower()


@pytest.mark.parametrize("answer", ["Decline", "Cancel"])
def test_declining_or_cancelling_reaches_the_server(gateway: Gateway, answer: str) -> None:
    client = gateway.client()
    asked = client.create_thread("/everything.trigger-elicitation-request {}")
    answered = _answer(client, asked.thread_id, _question(asked), answer)
    result = text_of(last_widget(answered)["widget"]).lower()
    assert ("decline" if answer == "Decline" else "cancel") in result


def test_a_2026_server_asks_with_input_required_and_gets_the_answer_on_retry(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread("/asking.book_table restaurant=Chez-Nous")
    question = _question(asked)
    assert "Who is the table for?" in text_of(question["widget"])
    answered = _answer(
        client, asked.thread_id, question, "Accept", {"input.name": "Grace", "input.seats": "4"}
    )
    assert "Booked Chez-Nous for Grace, 4 seats." in text_of(last_widget(answered)["widget"])


def test_an_invalid_answer_reshows_the_form_with_the_problem_and_keeps_waiting(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread("/asking.book_table restaurant=Chez-Nous")
    question = _question(asked)
    wrong = _answer(client, asked.thread_id, question, "Accept", {"input.name": "Grace", "input.seats": "40"})
    (reshown,) = wrong.of_type("thread.item.replaced")
    assert reshown["item"]["id"] == question["id"]
    assert "12" in text_of(reshown["item"]["widget"])  # the maximum, named under the field
    assert not wrong.widgets()  # no result: the call still waits
    fixed = _answer(
        client, asked.thread_id, reshown["item"], "Accept", {"input.name": "Grace", "input.seats": "3"}
    )
    assert "Booked Chez-Nous for Grace, 3 seats." in text_of(last_widget(fixed)["widget"])


def test_the_question_is_a_thread_item_a_reload_finds_and_can_answer(gateway: Gateway) -> None:
    asked = gateway.client().create_thread("/asking.book_table restaurant=Luigi")
    question = _question(asked)
    # A reload: a new client reads the thread back, and answers the question it finds there.
    reloaded = gateway.client()
    items = reloaded.list_items(asked.thread_id, order="asc").json["data"]
    (stored,) = [i for i in items if i["id"] == question["id"]]
    answered = _answer(reloaded, asked.thread_id, stored, "Accept", {"input.name": "Alan"})
    assert "Booked Luigi for Alan, 2 seats." in text_of(last_widget(answered)["widget"])
    again = _answer(reloaded, asked.thread_id, stored, "Accept", {"input.name": "Mallory"})
    assert not again.widgets()
    assert "no longer waiting" in again.of_type("notice")[0]["message"]


def test_an_unanswered_question_times_out_and_the_thread_says_so(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread("/hurried.trigger-elicitation-request {}")
    question = _question(asked)

    def widgets() -> list[dict[str, Any]]:
        items = client.list_items(asked.thread_id, order="asc").json["data"]
        return [i for i in items if i["type"] == "widget"]

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(widgets()) < 2:  # the call's end, saved unattended
        time.sleep(0.2)
    closed, result = widgets()
    assert closed["id"] == question["id"]
    assert "Nobody answered within 1.5 s" in text_of(closed["widget"])
    assert not buttons(closed["widget"], "Decline")
    shown = text_of(result["widget"]).lower()
    assert "cancel" in shown and "nobody answered" not in shown  # the server's own answer to "cancel"
    late = _answer(client, asked.thread_id, question, "Decline")
    assert "no longer waiting" in late.of_type("notice")[0]["message"]


@pytest.mark.parametrize("server", ["slow_asking", "slow_everything"])
def test_the_time_a_person_takes_does_not_count_against_the_call_s_timeout(
    gateway: Gateway, server: str
) -> None:
    client = gateway.client()
    tool = "book_table restaurant=Nopi" if server == "slow_asking" else "trigger-elicitation-request {}"
    asked = client.create_thread(f"/{server}.{tool}")
    question = _question(asked)
    time.sleep(2)  # twice the server's one-second timeout
    answered = _answer(client, asked.thread_id, question, "Accept", {"input.name": "Grace"})
    result = last_widget(answered)
    assert "Grace" in text_of(result["widget"]), text_of(result["widget"])


def test_a_question_is_answered_only_from_its_own_thread(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread("/asking.book_table restaurant=Nopi")
    question = _question(asked)
    elsewhere = client.create_thread("/tools").thread_id
    refused = _answer(client, elsewhere, question, "Accept", {"input.name": "Mallory"})
    assert not refused.widgets()
    answered = _answer(client, asked.thread_id, question, "Accept", {"input.name": "Grace"})
    assert "Booked Nopi for Grace" in text_of(last_widget(answered)["widget"])


def test_with_two_calls_in_flight_on_one_stdio_server_a_question_is_not_guessed(gateway: Gateway) -> None:
    """The handshake wire does not say which call a question belongs to; servers are shared, so
    a question that could belong to either call is refused rather than shown to the wrong person."""
    client = gateway.client()
    first = client.create_thread("/everything.trigger-elicitation-request {}")
    question = _question(first)  # parked: its call is still in flight
    second = client.create_thread("/everything.trigger-elicitation-request {}")
    refused = last_widget(second)
    assert not buttons(refused["widget"], "Decline")
    assert "nobody to ask" in text_of(refused["widget"])
    answered = _answer(client, first.thread_id, question, "Decline")
    assert "decline" in text_of(last_widget(answered)["widget"]).lower()


def test_an_answer_to_a_question_the_gateway_never_asked_is_refused(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread("/asking.book_table restaurant=Chez-Nous")
    question = _question(asked)
    forged = {"type": "question.answer", "payload": {"question": "q_0000000000000000", "answer": "accept"}}
    refused = client.action(asked.thread_id, question["id"], forged)
    assert "no longer waiting" in refused.of_type("notice")[0]["message"]
    # The real question still waits, and still works.
    answered = _answer(client, asked.thread_id, question, "Accept", {"input.name": "Grace"})
    assert "Booked Chez-Nous for Grace" in text_of(last_widget(answered)["widget"])


def test_a_url_question_shows_the_link_and_waits_for_done(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread(
        '/everything.trigger-url-elicitation url="https://example.com/verify?step=2"'
    )
    question = _question(asked)
    links = [n for n in _nodes(question["widget"]) if n.get("type") == "Markdown"]
    assert any("(https://example.com/verify?step=2)" in n["value"] for n in links)
    done = _answer(client, asked.thread_id, question, "Done")
    assert "accept" in text_of(last_widget(done)["widget"]).lower()


def test_sampling_with_no_model_configured_is_declined_with_the_reason(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/asking.summarise text=Tides")
    assert "no model configured to answer sampling requests" in text_of(last_widget(reply)["widget"])


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def test_a_question_is_answered_only_by_the_person_whose_call_asked_it(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        {
            "mcp_servers": {"asking": _asking()},
            "auth": {"tokens": {"alice-token": "alice", "bob-token": "bob"}},
            "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        alice = running.client(Authorization="Bearer alice-token")
        bob = running.client(Authorization="Bearer bob-token")
        asked = alice.create_thread("/asking.book_table restaurant=Nopi")
        question = _question(asked)
        stolen = _answer(bob, asked.thread_id, question, "Accept", {"input.name": "Bob"})
        assert stolen.status == 404 or not stolen.widgets()  # Bob cannot even see Alice's thread
        answered = _answer(alice, asked.thread_id, question, "Accept", {"input.name": "Alice"})
        assert "Booked Nopi for Alice" in text_of(last_widget(answered)["widget"])
