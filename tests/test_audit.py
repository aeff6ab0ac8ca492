"""Every MCP call the gateway makes is in the audit log, and `python -m gateway audit` exports it.

The log is in the store: when, which user, server, tool, arguments (secrets masked), outcome,
duration, how the call was asked for, and who confirmed it where confirmation was asked.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gateway.store.sql import SQLStore
from tests.support.audit import audit_entry
from tests.support.chat import actions_for, form_action, last_widget
from tests.support.gateway import ROOT, local_config, running_gateway, submit_form, write_config

SECRET = "sk-audit-secret-4411"
TOKENS = {"t-alice": "alice", "t-bob": "bob"}


def audit(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "audit", "--config", str(config), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AUDIT_TEST_SECRET": SECRET},
    )


def entries(config: Path, *args: str) -> list[dict[str, Any]]:
    done = audit(config, "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def write(tmp_path: Path, **sections: Any) -> Path:
    todo = local_config(tmp_path)["mcp_servers"]["todo"]
    # The secret reaches the gateway as a ${VAR}: the log must show it masked wherever it appears.
    todo["env"] = {"UNUSED_TOKEN": "${AUDIT_TEST_SECRET}"}
    config = local_config(tmp_path, auth={"tokens": TOKENS}, **sections)
    config["mcp_servers"]["todo"] = todo
    return write_config(tmp_path / "config.yaml", config)


def test_commands_forms_buttons_and_confirmations_are_recorded(tmp_path: Path) -> None:
    config = write(tmp_path)
    env = {"AUDIT_TEST_SECRET": SECRET}
    with running_gateway(config, env=env) as gateway:
        alice = gateway.client(Authorization="Bearer t-alice")
        bob = gateway.client(Authorization="Bearer t-bob")
        added = alice.create_thread(f"/todo.add_task title=Milk description={SECRET}")
        thread_id = added.thread_id

        form = last_widget(alice.send(thread_id, "/todo.add_task"))
        alice.action(
            thread_id, form["id"], submit_form(form_action(form["widget"]), {"input.title": "Bread"})
        )

        listing = last_widget(alice.send(thread_id, "/todo.list_tasks {}"))
        complete = actions_for(listing["widget"], "todo.complete_task")[0]
        alice.action(thread_id, listing["id"], complete)

        card = last_widget(alice.send(thread_id, "/todo.delete_task id=1"))
        (confirm,) = actions_for(card["widget"], "todo.delete_task", "tool.confirm")
        alice.action(thread_id, card["id"], confirm)

        bob.create_thread("/todo.get_task id=999")  # answered with isError: recorded as such

    log = entries(config)
    calls = [(e["user_id"], e["tool"], e["via"], e["outcome"]) for e in log]
    assert calls == [
        ("alice", "add_task", "command", "ok"),
        ("alice", "add_task", "form", "ok"),
        ("alice", "list_tasks", "command", "ok"),
        ("alice", "complete_task", "button", "ok"),
        ("alice", "list_tasks", "refresh", "ok"),
        ("alice", "delete_task", "confirm", "ok"),
        ("bob", "get_task", "command", "error"),
    ]
    first = log[0]
    assert first["server"] == "todo" and first["thread_id"] == thread_id
    assert first["arguments"] == {"title": "Milk", "description": "***"}
    assert 0 < first["duration_ms"] < 30_000
    assert datetime.fromisoformat(first["at"].rstrip("Z")) <= datetime.now(UTC).replace(tzinfo=None)
    confirmed = next(e for e in log if e["via"] == "confirm")
    assert confirmed["confirmed_by"] == "alice" and confirmed["arguments"] == {"id": 1}
    assert "999" in log[-1]["detail"]
    assert SECRET not in audit(config).stdout

    assert [e["user_id"] for e in entries(config, "--user", "bob")] == ["bob"]
    assert entries(config, "--since", "1h") == log
    assert entries(config, "--since", (datetime.now(UTC) + timedelta(days=1)).date().isoformat()) == []
    assert [e["tool"] for e in entries(config, "--limit", "2")] == ["delete_task", "get_task"]
    lines = audit(config, "--user", "alice").stdout.splitlines()
    assert len(lines) == 6 and "todo.delete_task" in lines[-1] and "confirmed by alice" in lines[-1]


def test_a_bad_since_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = audit(write(tmp_path), "--since", "yesterday-ish")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--since" in done.stderr


def test_entries_older_than_the_retention_are_removed_at_start(tmp_path: Path) -> None:
    config = write(tmp_path, audit={"retention_days": 7})
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"

    async def seed() -> None:
        store = await SQLStore.create(url)
        try:
            for age in (30, 1):
                at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=age)
                await store.audit.record(audit_entry(at, tool=f"aged_{age}_days"))
        finally:
            await store.close()

    asyncio.run(seed())
    with running_gateway(config, env={"AUDIT_TEST_SECRET": SECRET}) as gateway:
        gateway.client(Authorization="Bearer t-alice").create_thread("/todo.list_tasks {}")
        log = gateway.logs()
    assert [e["tool"] for e in entries(config)] == ["aged_1_days", "list_tasks"]
    assert "removed 1 entries older than 7 days" in log
