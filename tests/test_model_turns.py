"""A configured model holds the conversation: it calls the todo tools, their widgets land in the
thread, its text streams token by token, and later turns see what happened before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.chat import actions_for, tasks, text_of
from tests.support.gateway import Gateway
from tests.support.model_server import ScriptedModel, call, say, title


def tool_named(body: dict[str, Any], name: str) -> dict[str, Any]:
    found = [t["function"] for t in body.get("tools", []) if t["function"]["name"] == name]
    assert found, f"no tool {name} offered"
    return found[0]


def said(message: dict[str, Any]) -> str:
    """The text of one chat message, whether its content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content)
    return content or ""


def contents(body: dict[str, Any]) -> str:
    """Everything the gateway told the model in one request, as text."""
    return json.dumps(body["messages"], ensure_ascii=False)


def test_a_message_leads_to_a_tool_call_a_widget_then_streamed_text(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    def offered_the_todo_tools(body: dict[str, Any]) -> None:
        add = tool_named(body, "todo__add_task")
        assert "title" in add["parameters"]["properties"], add
        assert "title" in add["parameters"].get("required", []), add
        assert body["messages"][-1]["role"] == "user" and said(body["messages"][-1]) == "Remember to buy milk"
        assert body["stream_options"] == {"include_usage": True}

    def given_the_result(body: dict[str, Any]) -> None:
        tool_message = body["messages"][-1]
        assert tool_message["role"] == "tool", tool_message
        given = json.loads(tool_message["content"])
        assert given["structured_content"]["task"]["title"] == "Buy milk", given
        assert "Buy milk" in given["shown_to_user"], given

    model.script(
        call("todo__add_task", {"title": "Buy milk"}, check=offered_the_todo_tools),
        say("Added **Buy milk** to your list.", check=given_the_result),
        title("Shopping reminder"),
    )
    reply = model_gateway.client().create_thread("Remember to buy milk")

    assert reply.status == 200
    # The tool call shows as a running workflow task before its widget lands.
    workflow_added = next(e for e in reply.of_type("thread.item.added") if e["item"]["type"] == "workflow")
    assert workflow_added["item"]["workflow"]["tasks"][0]["status_indicator"] == "loading"
    assert "todo.add_task" in workflow_added["item"]["workflow"]["tasks"][0]["title"]
    workflow_done = reply.done_items("workflow")[0]
    assert workflow_done["workflow"]["tasks"][0]["status_indicator"] == "complete"
    widget = reply.widgets()[0]
    assert "Buy milk" in text_of(widget["widget"])
    # Then the reply text, streamed in several deltas.
    deltas = [
        e["update"]["delta"]
        for e in reply.of_type("thread.item.updated")
        if e["update"]["type"] == "assistant_message.content_part.text_delta"
    ]
    assert len(deltas) > 3 and "".join(deltas) == "Added **Buy milk** to your list."
    message = reply.done_items("assistant_message")[0]
    assert message["content"][0]["text"] == "Added **Buy milk** to your list."
    assert message["id"] != "__fake_id__"
    # Order: workflow, widget, message.
    done_order = [i["type"] for i in reply.done_items()]
    assert done_order.index("workflow") < done_order.index("widget") < done_order.index("assistant_message")
    assert [t["title"] for t in tasks(todo_db)] == ["Buy milk"]
    # The model named the thread.
    thread = model_gateway.client().get_thread(reply.thread_id).json
    assert thread["title"] == "Shopping reminder"


def test_a_follow_up_turn_sees_earlier_results_and_what_was_done_through_widgets(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    model.script(
        call("todo__list_tasks", {}),
        say("You have one open task."),
        title("Tasks"),
    )
    from tests.support.chat import todo_call

    task = todo_call(todo_db, "add_task", {"title": "Water the plants"})["task"]
    client = model_gateway.client()
    first = client.create_thread("What is on my list?")
    thread_id = first.thread_id
    listing = first.widgets()[0]
    complete = actions_for(listing["widget"], "todo.complete_task")
    assert complete, text_of(listing["widget"])
    done = client.action(thread_id, listing["id"], complete[0])
    assert done.status == 200
    assert tasks(todo_db)[0]["status"] == "completed"

    def sees_history(body: dict[str, Any]) -> None:
        sent = contents(body)
        messages = body["messages"]
        # The earlier tool call and its result, as the model's own call and output.
        calls = [m for m in messages if m.get("tool_calls")]
        assert calls and calls[0]["tool_calls"][0]["function"]["name"] == "todo__list_tasks", messages
        assert any(m["role"] == "tool" and "Water the plants" in said(m) for m in messages), messages
        # The earlier reply, and the hidden note of the widget action.
        assert any(m["role"] == "assistant" and said(m) == "You have one open task." for m in messages)
        notes = [said(m) for m in messages if "<HiddenContext>" in said(m)]
        assert any("todo.complete_task" in n and f'"id": {task["id"]}' in n for n in notes), messages
        # No widget JSON: widgets reach the model as text only.
        assert '"type": "Card"' not in sent and "ListView" not in sent
        assert said(messages[-1]) == "What did I just finish?"

    model.script(say("You just finished **Water the plants**.", check=sees_history))
    follow_up = client.send(thread_id, "What did I just finish?")
    assert follow_up.done_items("assistant_message")[0]["content"][0]["text"] == (
        "You just finished **Water the plants**."
    )


def test_history_is_bounded_by_history_items(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> None:
    from tests.conftest import model_section
    from tests.support.gateway import running_local_gateway

    def at_most(count: int) -> Any:
        def check(body: dict[str, Any]) -> None:
            non_system = [m for m in body["messages"] if m["role"] != "system"]
            assert len(non_system) <= count, non_system

        return check

    with running_local_gateway(
        tmp_path, todo_db=todo_db, model=model_section(model, history_items=3, retries=0)
    ) as gateway:
        client = gateway.client()
        model.script(say("reply-one"), title("Count"))
        thread_id = client.create_thread("message-one").thread_id
        model.script(say("reply-two", check=at_most(3)))
        client.send(thread_id, "message-two")

        def newest_only(body: dict[str, Any]) -> None:
            sent = contents(body)
            assert "message-one" not in sent and "reply-one" not in sent, sent
            assert "message-two" in sent and "reply-two" in sent, sent
            assert said(body["messages"][-1]) == "message-three"

        model.script(say("reply-three", check=newest_only))
        client.send(thread_id, "message-three")


def test_slash_commands_and_widget_actions_still_work_with_a_model(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    client = model_gateway.client()
    reply = client.create_thread('/add_task {"title": "Typed"}')
    assert "Typed" in text_of(reply.widgets()[-1]["widget"])
    listing = client.send(reply.thread_id, "/list_tasks {}").widgets()[-1]
    complete = actions_for(listing["widget"], "todo.complete_task")
    assert client.action(reply.thread_id, listing["id"], complete[0]).status == 200
    assert tasks(todo_db)[0]["status"] == "completed"
    catalog = client.send(reply.thread_id, "/tools").widgets()[-1]
    assert "add_task" in text_of(catalog["widget"])
    # No request reached the model: the scripted model has no steps and would fail the test.
    assert model.requests == []


def test_each_turn_logs_its_token_usage_and_the_thread_keeps_the_totals(
    tmp_path: Path, model_gateway: Gateway, model: ScriptedModel
) -> None:
    import sqlite3

    model.script(say("Hello.", usage=(31, 4)), title("Greeting"))
    client = model_gateway.client()
    reply = client.create_thread("Hi")
    model.script(say("Again.", usage=(10, 2)))
    client.send(reply.thread_id, "And again")
    log = model_gateway.logs()
    assert f"model turn in thread {reply.thread_id}: 1 requests, 31 input + 4 output tokens" in log, log
    assert f"model turn in thread {reply.thread_id}: 1 requests, 10 input + 2 output tokens" in log, log
    with sqlite3.connect(tmp_path / "gateway.db") as db:
        (data,) = db.execute("SELECT data FROM chatkit_threads WHERE id = ?", (reply.thread_id,)).fetchone()
    usage = json.loads(data)["metadata"]["usage"]
    # Two turns and the title request (20 + 5 tokens, the scripted default).
    assert usage["turns"] == 2 and usage["requests"] == 3, usage
    assert (usage["input_tokens"], usage["output_tokens"]) == (31 + 10 + 20, 4 + 2 + 5), usage
    assert usage["last_turn"] == {"requests": 1, "input_tokens": 10, "output_tokens": 2}
    # Metadata stays on the server: the browser never sees it.
    assert "usage" not in json.dumps(client.get_thread(reply.thread_id).json)


def test_the_model_is_given_a_big_result_bounded(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> None:
    from tests.conftest import model_section
    from tests.support.gateway import ROOT, running_local_gateway

    echo = {"command": "python", "args": ["-m", "tests.servers.echo"], "cwd": str(ROOT)}
    big = {"rows": [{"n": i, "text": "x" * 90} for i in range(400)]}  # about 40,000 characters

    def bounded(body: dict[str, Any]) -> None:
        output = [m for m in body["messages"] if m["role"] == "tool"][-1]["content"]
        assert 7000 < len(output) <= 8400, len(output)
        given = json.loads(output)
        assert "cut to its first" in given["note"], given.keys()
        assert given["shown_to_user"], given

    with running_local_gateway(
        tmp_path, todo_db=todo_db, model=model_section(model, retries=0), mcp_servers={"echo": echo}
    ) as gateway:
        model.script(call("echo__echo", {"value": big}), say("That is a lot.", check=bounded), title("Big"))
        reply = gateway.client().create_thread("echo something big")
    assert reply.done_items("assistant_message")


def test_a_failing_call_marks_its_task_failed(model_gateway: Gateway, model: ScriptedModel) -> None:
    from tests.support.chat import is_error_card

    def told_it_failed(body: dict[str, Any]) -> None:
        given = json.loads([m for m in body["messages"] if m["role"] == "tool"][-1]["content"])
        assert given.get("is_error") is True, given

    model.script(
        call("todo__get_task", {"id": 999}), say("There is no task 999.", check=told_it_failed), title("x")
    )
    reply = model_gateway.client().create_thread("show task 999")
    task = reply.done_items("workflow")[0]["workflow"]["tasks"][0]
    assert task["status_indicator"] == "complete" and task["title"] == "todo.get_task failed", task
    assert "999" in task["content"], task
    assert is_error_card(reply.widgets()[0]["widget"])


def test_several_tool_calls_in_one_reply_each_get_a_task_and_a_widget(
    model_gateway: Gateway, model: ScriptedModel, todo_db: Path
) -> None:
    from tests.support.chat import todo_call
    from tests.support.model_server import Step

    todo_call(todo_db, "add_task", {"title": "First"})
    todo_call(todo_db, "add_task", {"title": "Second"})

    def both_answered(body: dict[str, Any]) -> None:
        outputs = [m for m in body["messages"] if m["role"] == "tool"]
        assert [m["tool_call_id"] for m in outputs] == ["call_1_0", "call_1_1"], outputs

    model.script(
        Step(tool_calls=[("todo__get_task", '{"id": 1}'), ("todo__get_task", '{"id": 2}')]),
        say("Both found.", check=both_answered),
        title("Two tasks"),
    )
    reply = model_gateway.client().create_thread("show tasks 1 and 2")
    shown = [text_of(w["widget"]) for w in reply.widgets()]
    assert len(shown) == 2 and "First" in shown[0] and "Second" in shown[1], shown
    workflows = reply.done_items("workflow")
    tasks_shown = [t for w in workflows for t in w["workflow"]["tasks"]]
    assert len(tasks_shown) == 2 and all(t["status_indicator"] == "complete" for t in tasks_shown)
    assert reply.done_items("assistant_message")[0]["content"][0]["text"] == "Both found."

    def remembers_both(body: dict[str, Any]) -> None:
        calls = [c["function"]["arguments"] for m in body["messages"] for c in m.get("tool_calls") or []]
        assert calls == ['{"id": 1}', '{"id": 2}'], body["messages"]

    # The next turn is sent both calls and their outputs, in an order Chat Completions accepts
    # (the scripted model refuses any other, as OpenAI does).
    model.script(say("Still two.", check=remembers_both))
    model_gateway.client().send(reply.thread_id, "how many?")


def test_a_long_call_shows_its_progress_in_its_task(
    tmp_path: Path, todo_db: Path, model: ScriptedModel
) -> None:
    from tests.conftest import model_section
    from tests.support.gateway import quirky_server_config, running_local_gateway

    with running_local_gateway(
        tmp_path,
        todo_db=todo_db,
        model=model_section(model, retries=0),
        mcp_servers={"quirky": quirky_server_config(tmp_path / "quirky.log")},
    ) as gateway:
        model.script(call("quirky__progress", {"steps": 3}), say("Done in three steps."), title("Steps"))
        reply = gateway.client().create_thread("run three steps")
    updates = [
        e["update"]["task"]
        for e in reply.of_type("thread.item.updated")
        if e["update"]["type"] == "workflow.task.updated"
    ]
    running = [u.get("content") for u in updates if u["status_indicator"] == "loading"]
    assert "3/3: step 3 of 3" in running, updates
    assert updates[-1]["status_indicator"] == "complete"
    assert "did 3 steps" in text_of(reply.widgets()[0]["widget"])


def test_a_turn_that_runs_out_of_steps_says_so(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> None:
    from tests.conftest import model_section
    from tests.support.chat import is_error_card
    from tests.support.gateway import running_local_gateway

    with running_local_gateway(
        tmp_path, todo_db=todo_db, model=model_section(model, retries=0, max_turns=1)
    ) as gateway:
        model.script(call("todo__list_tasks", {}))
        reply = gateway.client().create_thread("loop forever")
    cards = [w for w in reply.widgets() if is_error_card(w["widget"])]
    assert cards and "model.max_turns" in text_of(cards[0]["widget"]), [
        text_of(w["widget"]) for w in reply.widgets()
    ]


def test_a_reload_that_adds_a_model_makes_plain_text_a_conversation(
    tmp_path: Path, todo_db: Path, model: ScriptedModel
) -> None:
    import signal

    from tests.conftest import model_section
    from tests.support.events import wait_for_text
    from tests.support.gateway import local_config, running_gateway, write_config

    config = write_config(tmp_path / "config.yaml", local_config(tmp_path, todo_db=todo_db))
    with running_gateway(config) as gateway:
        client = gateway.client()
        before = client.create_thread("hello")
        assert "add_task" in text_of(before.widgets()[-1]["widget"])  # the catalog: no model yet
        write_config(config, local_config(tmp_path, todo_db=todo_db, model=model_section(model, retries=0)))
        gateway.process.send_signal(signal.SIGHUP)
        wait_for_text(gateway.log, "config reloaded (SIGHUP)", timeout=30, process=gateway.process)
        model.script(say("Now I can talk."))
        after = client.send(before.thread_id, "hello again")
    assert after.done_items("assistant_message")[0]["content"][0]["text"] == "Now I can talk."
