"""A destructive tool never runs on the model's word alone: the person confirms in a widget, the
turn ends there, and the model learns the outcome in the next turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.chat import actions_for, tasks, text_of, todo_call
from tests.support.gateway import Gateway
from tests.support.model_server import ScriptedModel, call, say, title


def test_a_destructive_call_waits_for_the_person_and_the_model_hears_the_outcome(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Old errand"})["task"]
    model.script(call("todo__delete_task", {"id": task["id"]}), title("Delete errand"))
    client = model_gateway.client()
    reply = client.create_thread("Delete the old errand")

    card = reply.widgets()[-1]
    assert "Old errand" in text_of(card["widget"]) or str(task["id"]) in text_of(card["widget"])
    (confirm,) = actions_for(card["widget"], "todo.delete_task", "tool.confirm")
    # Nothing ran, and the model was not asked again within the turn.
    assert [t["title"] for t in tasks(todo_db)] == ["Old errand"]
    assert len([r for r in model.requests if r.get("stream")]) == 1
    assert not reply.done_items("assistant_message")

    answered = client.action(reply.thread_id, card["id"], confirm)
    assert answered.status == 200
    assert tasks(todo_db) == []

    def learns_the_outcome(body: dict[str, Any]) -> None:
        messages = body["messages"]
        outputs = [m["content"] for m in messages if m["role"] == "tool"]
        assert outputs and "must confirm" in outputs[0], messages
        notes = json.dumps(messages)
        assert "confirmed and ran todo.delete_task" in notes, notes

    model.script(say("It is gone.", check=learns_the_outcome))
    after = client.send(reply.thread_id, "Did it work?")
    assert after.done_items("assistant_message")[0]["content"][0]["text"] == "It is gone."


def test_a_read_only_call_runs_without_asking(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    todo_call(todo_db, "add_task", {"title": "Visible"})
    model.script(call("todo__list_tasks", {}), say("One task."), title("List"))
    reply = model_gateway.client().create_thread("list them")
    assert not actions_for(reply.widgets()[0]["widget"], "todo.list_tasks", "tool.confirm")
    assert "Visible" in text_of(reply.widgets()[0]["widget"])
