"""A confirmation card is answered once: simultaneous clicks, on one replica or several, run the call once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.chat import actions_for, last_widget, tasks, todo_call
from tests.support.gateway import (
    Gateway,
    Reply,
    find_nodes,
    running_gateway,
    running_local_gateway,
    todo_server_config,
    write_config,
)

CLICKS = 10


def ask_to_delete(gateway: Gateway, todo_db: Path) -> tuple[str, dict, dict]:
    """A thread with a confirmation card for deleting a fresh task: (thread id, card, its Confirm)."""
    task = todo_call(todo_db, "add_task", {"title": "Doomed"})["task"]
    created = gateway.client().create_thread(f"/todo.delete_task id={task['id']}")
    card = last_widget(created)
    (confirm,) = actions_for(card["widget"], "todo.delete_task", "tool.confirm")
    return created.thread_id, card, confirm


def already_answered(reply: Reply) -> bool:
    return any("already answered" in n["message"] for n in reply.of_type("notice"))


def test_simultaneous_clicks_on_one_confirm_delete_once(tmp_path: Path, todo_db: Path) -> None:
    with running_local_gateway(tmp_path, todo_db=todo_db) as gateway:
        thread_id, card, confirm = ask_to_delete(gateway, todo_db)
        clients = [gateway.client() for _ in range(CLICKS)]
        with ThreadPoolExecutor(CLICKS) as pool:
            replies = list(pool.map(lambda c: c.action(thread_id, card["id"], confirm), clients))
    ran = [r for r in replies if not already_answered(r)]
    assert len(ran) == 1, [r.of_type("notice") for r in replies]
    assert not find_nodes(ran[0].events, lambda n: n.get("label") == "Error")
    assert tasks(todo_db) == []


def test_a_click_after_the_answer_is_told_so_not_refused(tmp_path: Path, todo_db: Path) -> None:
    # The card is replaced by the call's outcome: a late click (another tab, a slow double
    # click) finds a widget that no longer fires it, and is told it was answered, not forged.
    with running_local_gateway(tmp_path, todo_db=todo_db) as gateway:
        thread_id, card, confirm = ask_to_delete(gateway, todo_db)
        first = gateway.client().action(thread_id, card["id"], confirm)
        late = gateway.client().action(thread_id, card["id"], confirm)
    assert not already_answered(first) and tasks(todo_db) == []
    assert already_answered(late), late.of_type("notice")
    assert not any("not issued" in n["message"] for n in late.of_type("notice"))


def test_cancel_and_confirm_clicked_together_give_one_answer(tmp_path: Path, todo_db: Path) -> None:
    with running_local_gateway(tmp_path, todo_db=todo_db) as gateway:
        thread_id, card, confirm = ask_to_delete(gateway, todo_db)
        (cancel,) = find_nodes(card["widget"], lambda n: n.get("type") == "tool.cancel")
        clients = [gateway.client(), gateway.client()]
        with ThreadPoolExecutor(2) as pool:
            pending = [
                pool.submit(c.action, thread_id, card["id"], a)
                for c, a in zip(clients, (cancel, confirm), strict=True)
            ]
            cancelled, confirmed = (p.result() for p in pending)
    refused = {"cancel": cancelled.status == 404 or already_answered(cancelled)}
    refused["confirm"] = confirmed.status == 404 or already_answered(confirmed)
    if tasks(todo_db):  # kept: the Cancel answered, so the Confirm must not have run
        assert refused == {"cancel": False, "confirm": True}
    else:  # deleted: the Confirm answered, so the Cancel must not say "Cancelled"
        assert refused == {"cancel": True, "confirm": False}


@pytest.mark.postgres
def test_clicks_spread_over_two_replicas_delete_once(
    tmp_path: Path, todo_db: Path, postgres_url: str
) -> None:
    config = {"mcp_servers": {"todo": todo_server_config(todo_db)}, "store": {"url": postgres_url}}
    first = write_config(tmp_path / "first.yaml", config)
    second = write_config(tmp_path / "second.yaml", config)
    with running_gateway(first) as a, running_gateway(second) as b:
        thread_id, card, confirm = ask_to_delete(a, todo_db)
        clients = [(a if i % 2 else b).client() for i in range(CLICKS)]
        with ThreadPoolExecutor(CLICKS) as pool:
            replies = list(pool.map(lambda c: c.action(thread_id, card["id"], confirm), clients))
    ran = [r for r in replies if not already_answered(r)]
    assert len(ran) == 1, [r.of_type("notice") for r in replies]
    assert tasks(todo_db) == []
