"""Tools with `taskSupport` run as MCP tasks (2025-11-25): the task's status shows live in a card
with Cancel, and the card becomes the result. Against server-everything's
`simulate-research-query` (four one-second stages; `ambiguous` asks for a clarification),
through POST /chatkit on the real gateway."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.chat import buttons, form_action, last_widget, newest_stored_widget, text_of
from tests.support.gateway import (
    Gateway,
    Reply,
    everything_server_config,
    running_gateway,
    submit_form,
    write_config,
)

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("tasks")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"everything": everything_server_config()},
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def _task_cards(reply: Reply) -> list[dict[str, Any]]:
    events = reply.of_type("thread.item.done") + reply.of_type("thread.item.replaced")
    items = [e["item"] for e in events if e["item"]["type"] == "widget"]
    return [i for i in items if "Task " in text_of(i["widget"])]


def test_a_task_shows_its_status_live_and_its_card_becomes_the_result(gateway: Gateway) -> None:
    reply = gateway.client().create_thread('/everything.simulate-research-query topic="honey bees"')
    cards = _task_cards(reply)
    assert cards, [e["type"] for e in reply.events]
    card_id = cards[0]["id"]
    assert all(c["id"] == card_id for c in cards)
    shown = [text_of(c["widget"]) for c in cards]
    assert any("working" in s for s in shown) and any("Analyzing content" in s for s in shown)
    assert buttons(cards[0]["widget"], "Cancel")
    final = reply.of_type("thread.item.replaced")[-1]["item"]
    assert final["id"] == card_id
    assert "honey bees" in text_of(final["widget"]) and not buttons(final["widget"], "Cancel")
    stored = gateway.client().list_items(reply.thread_id).json["data"]
    assert next(i for i in stored if i["id"] == card_id)["widget"] == final["widget"]


def test_cancel_from_the_card_stops_the_task_on_the_server(gateway: Gateway) -> None:
    client = gateway.client()
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(client.create_thread, '/everything.simulate-research-query topic="tides"')
        card, thread_id = newest_stored_widget(gateway.client(), lambda w: bool(buttons(w, "Cancel")))
        (cancel,) = buttons(card["widget"], "Cancel")
        answered = gateway.client().action(thread_id, card["id"], cancel["onClickAction"])
        assert "Cancelled everything.simulate-research-query" in answered.of_type("notice")[0]["message"]
        reply = running.result(timeout=30)
    final = reply.of_type("thread.item.replaced")[-1]["item"]
    assert final["id"] == card["id"] and "cancelled" in text_of(final["widget"])
    again = gateway.client().action(thread_id, card["id"], cancel["onClickAction"])
    assert "no longer running" in again.of_type("notice")[0]["message"]


def test_a_task_that_needs_input_asks_the_person_and_goes_on(gateway: Gateway) -> None:
    client = gateway.client()
    asked = client.create_thread('/everything.simulate-research-query topic="python" ambiguous=true')
    (card, *_) = _task_cards(asked)
    question = last_widget(asked)
    assert "multiple interpretations" in text_of(question["widget"])
    action = submit_form(form_action(question["widget"]), {"input.interpretation": "programming"})
    answered = client.action(asked.thread_id, question["id"], action)
    final = answered.of_type("thread.item.replaced")[-1]["item"]
    assert final["id"] == card["id"]  # the task's own card, now its result
    assert "programming" in text_of(final["widget"]).lower() and not buttons(final["widget"], "Cancel")
