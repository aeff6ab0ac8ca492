"""Config reload on the real gateway: SIGHUP, a changed file, and `gateway reload`.

Servers added, removed and changed are started, stopped and restarted; calls in flight
finish; threads stay; an invalid file is refused and the running configuration stays.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx2

from tests.support.chat import is_error_card, last_widget, tasks, text_of
from tests.support.events import ProcessEnd, children, wait_for_text
from tests.support.gateway import (
    ROOT,
    Gateway,
    Reply,
    local_config,
    quirky_server_config,
    running_gateway,
    todo_server_config,
    write_config,
)

ECHO = {"command": "python", "args": ["-m", "tests.servers.echo"], "cwd": str(ROOT)}


def wait_for_log(gateway: Gateway, text: str, *, after: int = 0, timeout: float = 30.0) -> str:
    """Wait until the gateway's log shows `text` past offset `after`; the line that holds it."""
    logs = wait_for_text(gateway.log, text, timeout=timeout, process=gateway.process, since=after)
    at = logs.find(text, after)
    return logs[logs.rfind("\n", 0, at) + 1 : logs.find("\n", at)]


def health(gateway: Gateway) -> dict[str, Any]:
    return httpx2.get(f"{gateway.url}/health", timeout=10).json()


def server_states(gateway: Gateway) -> dict[str, str]:
    return {s["name"]: s["state"] for s in health(gateway)["servers"]}


def pid_of(gateway: Gateway, thread_id: str, server: str) -> int:
    reply = gateway.client().send(thread_id, f"/{server}.pid {{}}")
    assert not is_error_card(last_widget(reply)["widget"]), text_of(last_widget(reply)["widget"])
    return int(text_of(last_widget(reply)["widget"]).split()[-1])


def in_background(call: Any) -> tuple[threading.Thread, list[Reply]]:
    """Run `call()` (a blocking request) in a thread; its reply lands in the list."""
    replies: list[Reply] = []
    worker = threading.Thread(target=lambda: replies.append(call()), daemon=True)
    worker.start()
    return worker, replies


def reload_command(config: Path, runtime_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "reload", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)},
    )


def test_sighup_starts_stops_and_restarts_servers_while_calls_and_threads_carry_on(tmp_path: Path) -> None:
    steady_marker, moving_marker = tmp_path / "steady.log", tmp_path / "moving.log"
    first: dict[str, Any] = local_config(tmp_path, server={"watch_config": False})
    first["mcp_servers"] |= {
        "steady": quirky_server_config(steady_marker),
        "moving": quirky_server_config(moving_marker),
        "old": ECHO,
    }
    config = write_config(tmp_path / "config.yaml", first)
    with running_gateway(config) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.add_task title=Before-reload").thread_id
        steady_pid = pid_of(gateway, thread_id, "steady")
        moving_pid = pid_of(gateway, thread_id, "moving")
        # One slow call in flight on a server that stays, one on a server about to change.
        steady_call, steady_reply = in_background(
            lambda: gateway.client().create_thread("/steady.sleep seconds=3")
        )
        moving_call, moving_reply = in_background(
            lambda: gateway.client().create_thread("/moving.sleep seconds=3")
        )
        wait_for_text(steady_marker, "started\n", timeout=30)
        wait_for_text(moving_marker, "started\n", timeout=30)
        before = set(children(gateway.process.pid))
        assert len(before) == 4  # todo, steady, moving, old

        second = local_config(tmp_path, todo_db=tmp_path / "other-todo.db", server={"watch_config": False})
        second["mcp_servers"] |= {
            "steady": quirky_server_config(steady_marker),
            "moving": quirky_server_config(moving_marker, env={"CHANGED": "1"}),
            "extra": ECHO,
        }
        write_config(config, second)
        gateway.process.send_signal(signal.SIGHUP)
        line = wait_for_log(gateway, "config reloaded (SIGHUP)")

        assert "started extra" in line and "stopped old" in line, line
        assert "restarted todo, moving" in line or "restarted moving, todo" in line, line
        steady_call.join(30)
        moving_call.join(30)
        for reply in (*steady_reply, *moving_reply):  # both calls in flight finished with their result
            assert not is_error_card(last_widget(reply)["widget"]), text_of(last_widget(reply)["widget"])
            assert "3" in text_of(last_widget(reply)["widget"])
        assert "cancelled" not in steady_marker.read_text() + moving_marker.read_text()
        for pid in before - {steady_pid}:  # old, and the replaced todo and moving, all end
            with ProcessEnd(pid) as end:
                assert end.wait(30), f"process {pid} still runs"
        assert len(children(gateway.process.pid)) == 4  # todo, steady, moving, extra: no process left behind

        assert server_states(gateway) == {"todo": "up", "steady": "up", "moving": "up", "extra": "up"}
        assert pid_of(gateway, thread_id, "steady") == steady_pid  # untouched
        assert pid_of(gateway, thread_id, "moving") != moving_pid  # a fresh process, new settings
        echoed = client.send(thread_id, '/extra.echo {"value": {"said": "hello"}}')
        assert "hello" in text_of(last_widget(echoed)["widget"])
        gone = client.send(thread_id, '/old.echo {"value": {}}')
        (said,) = gone.done_items("assistant_message")
        assert said["content"][0]["text"].startswith("Unknown tool: old.echo.")
        # todo restarted with its new arguments: the other database, empty.
        client.send(thread_id, "/todo.add_task title=After-reload")
        assert [t["title"] for t in tasks(tmp_path / "other-todo.db")] == ["After-reload"]
        assert [t["title"] for t in tasks(tmp_path / "todo.db")] == ["Before-reload"]

        items = client.list_items(thread_id, limit=100).json["data"]
        texts = " ".join(text_of(i["widget"]) for i in items if i["type"] == "widget")
        assert "Before-reload" in texts and "After-reload" in texts  # the thread kept everything


def test_an_invalid_file_is_refused_and_the_running_configuration_stays(tmp_path: Path) -> None:
    runtime_dir = tmp_path / "run"
    runtime_dir.mkdir(mode=0o700)
    config = write_config(tmp_path / "config.yaml", local_config(tmp_path, server={"watch_config": False}))
    good = config.read_text()
    env = {"XDG_RUNTIME_DIR": str(runtime_dir)}
    with running_gateway(config, env=env) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.add_task title=One").thread_id

        config.write_text(good.replace("command: python", "comand: python"))
        refused = reload_command(config, runtime_dir)
        assert refused.returncode == 2, refused
        assert "mcp_servers.todo" in refused.stderr and "comand" in refused.stderr, refused.stderr

        gateway.process.send_signal(signal.SIGHUP)  # the gateway itself refuses it too
        line = wait_for_log(gateway, "config reload (SIGHUP) refused")
        assert "comand" in line and "the running configuration stays" in line, line

        assert server_states(gateway) == {"todo": "up"}
        added = client.send(thread_id, "/todo.add_task title=Two")
        assert not is_error_card(last_widget(added)["widget"]), text_of(last_widget(added)["widget"])
        assert [t["title"] for t in tasks(tmp_path / "todo.db")] == ["One", "Two"]

        config.write_text(good)  # fixed: the command line reports that nothing changed
        done = reload_command(config, runtime_dir)
        assert done.returncode == 0, done
        assert (
            done.stdout.strip()
            == f"{gateway.url} (pid {gateway.process.pid}): nothing changed (templates re-read)"
        )


def test_gateway_reload_applies_rules_ui_and_auth_to_the_next_request(tmp_path: Path) -> None:
    runtime_dir = tmp_path / "run"
    runtime_dir.mkdir(mode=0o700)
    base = local_config(tmp_path, server={"watch_config": False})
    config = write_config(tmp_path / "config.yaml", base)
    with running_gateway(config, env={"XDG_RUNTIME_DIR": str(runtime_dir)}) as gateway:
        client = gateway.client()
        thread_id = client.create_thread("/todo.add_task title=Ruled").thread_id
        before = client.send(thread_id, "/todo.list_tasks {}")
        assert last_widget(before)["widget"]["status"]["text"] != "Everything to do"

        changed = {
            **base,
            "ui": {"title": "Reloaded desk"},
            "render": {
                "templates_dir": str(ROOT / "widgets"),
                "rules": [
                    {
                        "match": {"server": "todo", "tool": "list_tasks"},
                        "renderer": "list",
                        "options": {"items": "tasks", "title": "Everything to do"},
                    }
                ],
            },
            "auth": {"tokens": {"s3cret-token": "alice"}},
        }
        write_config(config, changed)
        done = reload_command(config, runtime_dir)
        assert done.returncode == 0, done
        assert "applied render, ui, auth" in done.stdout, done.stdout

        page = httpx2.get(f"{gateway.url}/", timeout=10).text
        assert "Reloaded desk" in page
        assert client.send(thread_id, "/todo.list_tasks {}").status == 401  # auth is on now
        alice = gateway.client(Authorization="Bearer s3cret-token")
        listed = alice.create_thread("/todo.list_tasks {}")
        assert listed.status == 200
        assert last_widget(listed)["widget"]["status"]["text"] == "Everything to do"  # the new rule


def test_a_changed_file_is_reloaded_on_its_own(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", local_config(tmp_path))
    with running_gateway(config) as gateway:
        assert server_states(gateway) == {"todo": "up"}
        after = len(gateway.logs())
        changed = local_config(tmp_path)
        changed["mcp_servers"]["extra"] = ECHO
        write_config(config, changed)
        line = wait_for_log(gateway, "config reloaded (the file changed)", after=after)
        assert "started extra" in line, line
        assert server_states(gateway) == {"todo": "up", "extra": "up"}

        changed["mcp_servers"]["todo"] = todo_server_config(tmp_path / "todo.db", timeout="soon")
        write_config(config, changed)  # an editor saving a mistake: refused, nothing stops
        line = wait_for_log(gateway, "refused", after=after)
        assert "mcp_servers.todo.timeout" in line, line
        assert server_states(gateway) == {"todo": "up", "extra": "up"}


def test_gateway_reload_says_when_no_gateway_serves_the_file(tmp_path: Path) -> None:
    runtime_dir = tmp_path / "run"
    runtime_dir.mkdir(mode=0o700)
    config = write_config(tmp_path / "config.yaml", local_config(tmp_path))
    done = reload_command(config, runtime_dir)
    assert done.returncode == 1, done
    assert done.stderr.strip() == (
        f"error: no running gateway serves {config.resolve()}; "
        f"start one with: gateway serve --config {config}"
    )


def test_an_edited_template_applies_to_the_next_result(tmp_path: Path) -> None:
    templates = tmp_path / "widgets"
    shutil.copytree(ROOT / "widgets", templates)
    config = write_config(
        tmp_path / "config.yaml", local_config(tmp_path, render={"templates_dir": "widgets"})
    )
    with running_gateway(config) as gateway:
        client = gateway.client()
        first = client.create_thread("/todo.add_task title=First")
        assert last_widget(first)["widget"]["status"]["text"] == "Task added"
        after = len(gateway.logs())
        card = json.loads((templates / "todo.task.widget").read_text())
        card["template"] = card["template"].replace('"Task added"', '"Noted down"')
        (templates / "todo.task.widget").write_text(json.dumps(card))
        wait_for_log(gateway, "config reloaded (a template changed)", after=after)
        added = client.send(first.thread_id, "/todo.add_task title=Second")
        assert last_widget(added)["widget"]["status"]["text"] == "Noted down"
