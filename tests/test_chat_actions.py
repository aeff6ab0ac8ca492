"""Widget actions become MCP calls: forms, buttons, confirmation, and refusal of forged actions."""

from __future__ import annotations

import copy
from pathlib import Path

from tests.support.chat import actions_for, form_action, last_widget, tasks, text_of, todo_call
from tests.support.gateway import Gateway, find_nodes, submit_form


def test_a_form_opened_from_the_catalog_and_submitted_calls_the_tool(gateway: Gateway, todo_db: Path) -> None:
    client = gateway.client()
    created = client.create_thread("/tools")
    catalog = last_widget(created)
    (open_add,) = actions_for(catalog["widget"], "todo.add_task", "tool.form")[:1]
    opened = client.action(created.thread_id, catalog["id"], open_add)
    form_item = last_widget(opened)

    submitted = submit_form(
        form_action(form_item["widget"]),
        {
            "input.title": "From the form",
            "input.priority": "high",
            "input.due_date": "2026-12-24",
            "input.tags": "home, errands",
        },
    )
    reply = client.action(created.thread_id, form_item["id"], submitted)
    assert not reply.of_type("error")
    (task,) = tasks(todo_db)
    assert task["title"] == "From the form"
    assert task["priority"] == "high" and task["due_date"] == "2026-12-24"
    assert task["tags"] == ["home", "errands"]
    shown = reply.of_type("thread.item.replaced") + reply.of_type("thread.item.done")
    assert any("From the form" in text_of(e["item"]) for e in shown)


def test_an_invalid_form_submit_shows_the_problems_and_calls_nothing(gateway: Gateway, todo_db: Path) -> None:
    client = gateway.client()
    created = client.create_thread('/add_task {"priority": "low"}')
    form_item = last_widget(created)
    submitted = submit_form(
        form_action(form_item["widget"]), {"input.title": "", "input.due_date": "not a date"}
    )
    reply = client.action(created.thread_id, form_item["id"], submitted)
    replaced = reply.of_type("thread.item.replaced")
    assert replaced and replaced[0]["item"]["id"] == form_item["id"]
    visible = text_of(replaced[0]["item"]["widget"]).lower()
    assert "title" in visible
    assert tasks(todo_db) == []


def test_form_values_for_arguments_the_schema_does_not_declare_are_dropped(
    gateway: Gateway, todo_db: Path
) -> None:
    client = gateway.client()
    created = client.create_thread('/add_task {"priority": "low"}')
    form_item = last_widget(created)
    submitted = submit_form(
        form_action(form_item["widget"]), {"input.title": "Plain", "input.owner": "mallory"}
    )
    reply = client.action(created.thread_id, form_item["id"], submitted)
    assert not reply.of_type("error")
    (task,) = tasks(todo_db)
    assert task["title"] == "Plain" and "owner" not in task


def test_a_button_calls_the_tool_and_the_list_is_replaced_in_place(gateway: Gateway, todo_db: Path) -> None:
    milk = todo_call(todo_db, "add_task", {"title": "Buy milk"})["task"]
    todo_call(todo_db, "add_task", {"title": "Walk dog"})
    client = gateway.client()
    created = client.create_thread("/list_tasks {}")
    listing = last_widget(created)
    complete = [
        a
        for a in actions_for(listing["widget"], "todo.complete_task")
        if a["payload"]["arguments"] == {"id": milk["id"]}
    ]
    assert complete, "no Complete button for the task"

    reply = client.action(created.thread_id, listing["id"], complete[0])
    (replaced,) = reply.of_type("thread.item.replaced")
    assert replaced["item"]["id"] == listing["id"]
    assert actions_for(replaced["item"]["widget"], "todo.reopen_task"), (
        "the completed task should now offer Reopen"
    )
    notices = reply.of_type("notice")
    assert notices and "Buy milk" in notices[0]["message"]
    assert {t["title"]: t["status"] for t in tasks(todo_db)} == {
        "Buy milk": "completed",
        "Walk dog": "pending",
    }
    # the stored widget is the new one, so a reload shows the new state
    stored = client.list_items(created.thread_id, order="asc").json["data"]
    assert next(i for i in stored if i["id"] == listing["id"]) == replaced["item"]


def test_sync_custom_action_reaches_the_same_code(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Sync me"})["task"]
    client = gateway.client()
    created = client.create_thread("/list_tasks {}")
    listing = last_widget(created)
    (complete,) = [
        a
        for a in actions_for(listing["widget"], "todo.complete_task")
        if a["payload"]["arguments"]["id"] == task["id"]
    ]
    reply = client.action(created.thread_id, listing["id"], complete, sync=True)
    assert reply.status == 200
    updated = reply.json["updated_item"]
    assert updated["id"] == listing["id"]
    assert actions_for(updated["widget"], "todo.reopen_task")
    assert tasks(todo_db)[0]["status"] == "completed"


def test_a_forged_action_is_refused_with_a_notice_and_no_call(gateway: Gateway, todo_db: Path) -> None:
    mine = todo_call(todo_db, "add_task", {"title": "Mine"})["task"]
    other = todo_call(todo_db, "add_task", {"title": "Someone else's"})["task"]
    client = gateway.client()
    created = client.create_thread(f"/get_task id={mine['id']}")
    card = last_widget(created)
    (complete,) = actions_for(card["widget"], "todo.complete_task")[:1]

    altered = copy.deepcopy(complete)
    altered["payload"]["arguments"]["id"] = other["id"]
    invented = {"type": "tool.call", "payload": {"tool": "todo.delete_task", "arguments": {"id": mine["id"]}}}
    for forged in (altered, invented):
        reply = client.action(created.thread_id, card["id"], forged)
        (notice,) = reply.of_type("notice")
        assert notice["level"] == "danger" and "not issued" in notice["message"]
        assert not reply.of_type("thread.item.replaced") and not reply.widgets()
    no_sender = client.action(created.thread_id, None, complete)
    assert no_sender.of_type("notice")[0]["level"] == "danger"
    assert {t["title"]: t["status"] for t in tasks(todo_db)} == {
        "Mine": "pending",
        "Someone else's": "pending",
    }


def test_delete_asks_for_confirmation_then_refreshes_the_list(gateway: Gateway, todo_db: Path) -> None:
    doomed = todo_call(todo_db, "add_task", {"title": "Doomed"})["task"]
    todo_call(todo_db, "add_task", {"title": "Keeper"})
    client = gateway.client()
    created = client.create_thread("/list_tasks {}")
    listing = last_widget(created)
    (delete,) = [
        a
        for a in actions_for(listing["widget"], "todo.delete_task")
        if a["payload"]["arguments"]["id"] == doomed["id"]
    ]

    asked = client.action(created.thread_id, listing["id"], delete)
    confirm_card = last_widget(asked)
    assert "Doomed" in text_of(confirm_card["widget"]) or str(doomed["id"]) in text_of(confirm_card["widget"])
    assert len(tasks(todo_db)) == 2  # nothing deleted yet

    (confirm,) = actions_for(confirm_card["widget"], "todo.delete_task", "tool.confirm")
    done = client.action(created.thread_id, confirm_card["id"], confirm)
    assert [t["title"] for t in tasks(todo_db)] == ["Keeper"]
    (replaced,) = done.of_type("thread.item.replaced")
    assert replaced["item"]["id"] == listing["id"]
    assert "Doomed" not in text_of(replaced["item"]["widget"])
    assert [e["item_id"] for e in done.of_type("thread.item.removed")] == [confirm_card["id"]]


def test_cancel_on_a_confirmation_deletes_nothing(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Stay"})["task"]
    client = gateway.client()
    created = client.create_thread(f"/delete_task id={task['id']}")
    card = last_widget(created)
    cancels = find_nodes(card["widget"], lambda n: n.get("type") == "tool.cancel")
    assert cancels
    reply = client.action(created.thread_id, card["id"], cancels[0])
    assert reply.of_type("notice")
    assert [t["title"] for t in tasks(todo_db)] == ["Stay"]


def test_an_edit_form_from_the_list_updates_the_task(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Draft"})["task"]
    client = gateway.client()
    created = client.create_thread("/list_tasks {}")
    listing = last_widget(created)
    (edit,) = actions_for(listing["widget"], "todo.update_task", "tool.form")[:1]
    opened = client.action(created.thread_id, listing["id"], edit)
    form_item = last_widget(opened)
    submitted = submit_form(form_action(form_item["widget"]), {"input.title": "Final", "input.id": 999})
    client.action(created.thread_id, form_item["id"], submitted)
    (updated,) = tasks(todo_db)
    assert updated["id"] == task["id"] and updated["title"] == "Final"
