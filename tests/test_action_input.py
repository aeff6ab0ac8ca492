"""Which actions a stored widget issued, and which of them may carry form values.

Only a form's own actions carry `input` (the web component adds the fields of the form they
sit in); a button or a Confirm that arrives with values was altered by someone. And only
actions in the properties the browser fires count as issued: an action-shaped value inside
a tool's result, shown in a widget, was never offered to the person.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chat import actions_for, form_action, last_widget, tasks, todo_call
from tests.support.gateway import (
    ROOT,
    Gateway,
    find_nodes,
    local_config,
    running_gateway,
    running_local_gateway,
    submit_form,
    write_config,
)

# A template that puts a result's rows into a chart as they are, as a server author may write.
CHART_TEMPLATE = {
    "version": "1.0",
    "name": "echo.echo",
    "template": '{"type": "Card", "children": [{"type": "Chart", "data": {{ (result.rows) | tojson }}, '
    '"series": [{"type": "bar", "dataKey": "n"}], "xAxis": "type"}]}',
    "jsonSchema": {},
}


@pytest.fixture()
def gateway(tmp_path: Path, todo_db: Path) -> Iterator[Gateway]:
    templates = tmp_path / "widgets"
    shutil.copytree(ROOT / "widgets", templates)
    (templates / "echo.echo.widget").write_text(json.dumps(CHART_TEMPLATE))
    config = local_config(tmp_path, todo_db=todo_db, render={"templates_dir": str(templates)})
    config["mcp_servers"]["echo"] = {
        "command": "python",
        "args": ["-m", "tests.servers.echo"],
        "cwd": str(ROOT),
    }
    with running_gateway(write_config(tmp_path / "config.yaml", config)) as running:
        yield running


def refused(reply: object) -> bool:
    notices = reply.of_type("notice")  # type: ignore[attr-defined]
    return bool(notices) and notices[0]["level"] == "danger"


def test_form_values_on_a_plain_button_are_refused(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Plain"})["task"]
    client = gateway.client()
    created = client.create_thread(f"/todo.get_task id={task['id']}")
    card = last_widget(created)
    (complete,) = actions_for(card["widget"], "todo.complete_task")[:1]
    altered = copy.deepcopy(complete)
    altered["payload"]["input"] = {"id": task["id"]}
    reply = client.action(created.thread_id, card["id"], altered)
    assert refused(reply) and "not a form submit" in reply.of_type("notice")[0]["message"]
    assert tasks(todo_db)[0]["status"] == "pending"


def test_form_values_on_a_confirm_are_refused(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Keep me"})["task"]
    client = gateway.client()
    created = client.create_thread(f"/todo.delete_task id={task['id']}")
    card = last_widget(created)
    (confirm,) = actions_for(card["widget"], "todo.delete_task", "tool.confirm")
    altered = copy.deepcopy(confirm)
    altered["payload"]["input"] = {"id": 12345}
    reply = client.action(created.thread_id, card["id"], altered)
    assert refused(reply)
    assert [t["title"] for t in tasks(todo_db)] == ["Keep me"]


def test_a_form_submit_still_carries_its_fields(gateway: Gateway, todo_db: Path) -> None:
    client = gateway.client()
    created = client.create_thread("/todo.add_task")
    form = last_widget(created)
    submitted = submit_form(form_action(form["widget"]), {"input.title": "Via the form"})
    reply = client.action(created.thread_id, form["id"], submitted)
    assert not refused(reply)
    assert [t["title"] for t in tasks(todo_db)] == ["Via the form"]


def test_an_action_shaped_value_in_a_result_is_not_an_issued_action(gateway: Gateway, todo_db: Path) -> None:
    task = todo_call(todo_db, "add_task", {"title": "Target"})["task"]
    planted = {"type": "tool.call", "payload": {"tool": "todo.delete_task", "arguments": {"id": task["id"]}}}
    rows = [{**planted, "n": 1}, {"type": "other", "n": 2}]
    client = gateway.client()
    # A server returns the planted dict; its template charts the rows as they came.
    created = client.create_thread("/echo.echo " + json.dumps({"value": {"rows": rows}}))
    shown = last_widget(created)
    (chart,) = find_nodes(shown["widget"], lambda n: n.get("type") == "Chart")
    assert chart["data"][0]["payload"] == planted["payload"], "the test needs the dict in the stored widget"
    reply = client.action(
        created.thread_id, shown["id"], {"type": "tool.call", "payload": planted["payload"]}
    )
    assert refused(reply) and "not issued" in reply.of_type("notice")[0]["message"]
    assert not reply.widgets()  # not even a confirmation card
    assert [t["title"] for t in tasks(todo_db)] == ["Target"]


def test_feedback_on_another_users_item_is_a_404(tmp_path: Path) -> None:
    auth = {"tokens": {"t-alice": "alice", "t-bob": "bob"}}
    with running_local_gateway(tmp_path, auth=auth) as gateway:
        alice = gateway.client(Authorization="Bearer t-alice")
        bob = gateway.client(Authorization="Bearer t-bob")
        created = alice.create_thread("/tools")
        item_id = created.widgets()[0]["id"]

        def feedback(client: object, thread_id: str, items: list[str]) -> int:
            request = {
                "type": "items.feedback",
                "params": {"thread_id": thread_id, "item_ids": items, "kind": "positive"},
            }
            return client.post(request).status  # type: ignore[attr-defined]

        assert feedback(alice, created.thread_id, [item_id]) == 200
        assert feedback(bob, created.thread_id, [item_id]) == 404
        assert feedback(alice, created.thread_id, ["msg_not_there"]) == 404
