"""With no model configured, slash commands drive every tool from the chat (through uvicorn)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.chat import actions_for, field, last_widget, tasks, text_of, todo_call
from tests.support.gateway import Gateway
from tests.support.todo import TODO_TOOLS


@pytest.mark.parametrize("text", ["/tools", "/help", "hello there"])
def test_the_catalog_lists_every_tool_with_a_button_that_opens_its_form(gateway: Gateway, text: str) -> None:
    reply = gateway.client().create_thread(text)
    catalog = last_widget(reply)
    visible = text_of(catalog["widget"])
    assert "todo" in visible
    for tool in TODO_TOOLS:
        opens = actions_for(catalog["widget"], f"todo.{tool}", "tool.form")
        assert opens, f"no button opens the form of {tool}"
    assert "Add task" in visible or "add_task" in visible
    assert catalog["copy_text"]


def test_a_slash_command_calls_the_tool_and_shows_its_result(gateway: Gateway, todo_db: Path) -> None:
    reply = gateway.client().create_thread('/add_task {"title": "Buy milk", "priority": "high"}')
    widget = last_widget(reply)
    assert "Buy milk" in text_of(widget["widget"])
    assert "Buy milk" in widget["copy_text"]
    assert [t["title"] for t in tasks(todo_db)] == ["Buy milk"]


def test_qualified_names_and_key_value_arguments_work(gateway: Gateway, todo_db: Path) -> None:
    client = gateway.client()
    thread_id = client.create_thread('/todo.add_task title="Write report" priority=low').thread_id
    (task,) = tasks(todo_db)
    assert task["title"] == "Write report" and task["priority"] == "low"
    reply = client.send(thread_id, f"/todo.get_task id={task['id']}")
    assert "Write report" in text_of(last_widget(reply)["widget"])


def test_missing_required_arguments_answer_with_the_form_and_call_nothing(
    gateway: Gateway, todo_db: Path
) -> None:
    reply = gateway.client().create_thread('/add_task {"priority": "high"}')
    form = last_widget(reply)["widget"]
    assert field(form, "input.title")  # the missing field is in the form
    assert field(form, "input.priority").get("defaultValue") == "high"  # what was given is kept
    assert "title" in text_of(form).lower()
    assert tasks(todo_db) == []


def test_arguments_that_do_not_match_the_schema_name_the_field(gateway: Gateway, todo_db: Path) -> None:
    reply = gateway.client().create_thread('/add_task {"title": "Plan trip", "priority": "urgent"}')
    form = last_widget(reply)["widget"]
    visible = text_of(form)
    assert "priority" in visible.lower()
    assert "urgent" in visible or "one of" in visible.lower()
    assert field(form, "input.title").get("defaultValue") == "Plan trip"
    assert tasks(todo_db) == []


def test_invalid_json_arguments_answer_with_the_form(gateway: Gateway, todo_db: Path) -> None:
    reply = gateway.client().create_thread('/add_task {"title": ')
    form = last_widget(reply)["widget"]
    assert "JSON" in text_of(form)
    assert tasks(todo_db) == []


def test_an_unknown_tool_suggests_the_closest_names(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/list_task {}")
    (message,) = reply.done_items("assistant_message")
    text = message["content"][0]["text"]
    assert "Unknown tool: list_task" in text
    assert "todo.list_tasks" in text


def test_a_tool_error_becomes_an_error_card_with_the_servers_message(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/get_task id=4242")
    widget = last_widget(reply)
    assert "4242" in text_of(widget["widget"])
    assert "4242" in widget["copy_text"]
    assert not reply.of_type("error")


def test_a_destructive_tool_asks_for_confirmation_before_running(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Old"})["task"]
    reply = gateway.client().create_thread(f"/delete_task id={task['id']}")
    card = last_widget(reply)["widget"]
    assert actions_for(card, "todo.delete_task", "tool.confirm")
    assert [t["id"] for t in tasks(todo_db)] == [task["id"]]
