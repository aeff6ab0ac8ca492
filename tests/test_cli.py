"""`python -m gateway`: check, tools, call and serve as a user runs them; mistakes are one line, not tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import yaml

from tests.conftest import ROOT
from tests.support.gateway import running_gateway


def gateway(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line to completion (bounded)."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def write(tmp_path: Path, config: dict[str, Any]) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def todo(tmp_path: Path) -> dict[str, Any]:
    return {
        "command": "python",
        "args": ["-m", "mcp_servers.todo", "--db", str(tmp_path / "todo.db")],
        "cwd": str(ROOT),
    }


def test_check_accepts_a_good_config_with_a_one_line_summary(tmp_path: Path) -> None:
    done = gateway("check", "--config", write(tmp_path, {"mcp_servers": {"todo": todo(tmp_path)}}))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert "ok: 1 MCP server: todo (stdio)" in done.stdout


def test_check_refuses_a_bad_config_with_every_problem_and_exit_code_2(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "mcp_servers": {"todo": {"command": "python", "args": "-m x", "timeout": "soon"}},
            "ui": {"colour": "red"},
        },
    )
    done = gateway("check", "--config", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3
    assert any("mcp_servers.todo.args: expected a list of strings" in line for line in lines)
    assert any("mcp_servers.todo.timeout: expected a number" in line for line in lines)
    assert any("ui.colour: unknown key" in line for line in lines)


def test_a_missing_config_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    done = gateway("tools", "--config", str(tmp_path / "nowhere.yaml"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no such config file" in done.stderr


def test_tools_json_lists_servers_and_tools_for_machines(tmp_path: Path) -> None:
    done = gateway("tools", "--json", "--config", write(tmp_path, {"mcp_servers": {"todo": todo(tmp_path)}}))
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    [server] = listing["servers"]
    assert (server["name"], server["state"], server["protocol_version"]) == ("todo", "up", "2026-07-28")
    tools = {t["qualified"]: t for t in listing["tools"]}
    assert "todo.delete_task" in tools and "destructive" in tools["todo.delete_task"]["flags"]
    assert "read-only" in tools["todo.list_tasks"]["flags"]
    assert tools["todo.add_task"]["model_name"] == "todo__add_task"


def test_tools_table_shows_a_down_server_with_its_reason_and_exits_1(tmp_path: Path) -> None:
    config = {"mcp_servers": {"todo": todo(tmp_path), "ghost": {"command": "no-such-command-xyz"}}}
    done = gateway("tools", "--config", write(tmp_path, config))
    assert done.returncode == 1
    assert "todo [up] stdio: 7 tools" in done.stdout
    assert "ghost [down] stdio: command not found: no-such-command-xyz" in done.stdout
    assert "todo.delete_task" in done.stdout and "[destructive]" in done.stdout


def test_call_prints_structured_content_as_json(tmp_path: Path) -> None:
    path = write(tmp_path, {"mcp_servers": {"todo": todo(tmp_path)}})
    done = gateway("call", "todo.add_task", "--args", '{"title": "Buy milk"}', "--config", path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["task"]["title"] == "Buy milk"


def test_call_with_bad_arguments_reports_each_field_and_calls_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, {"mcp_servers": {"todo": todo(tmp_path)}})
    done = gateway("call", "add_task", "--args", '{"title": 7, "priority": "urgent"}', "--config", path)
    assert done.returncode == 2
    assert "invalid arguments for todo.add_task (nothing was called)" in done.stderr
    assert "  title: expected text, got 7" in done.stderr
    assert '  priority: expected one of low, medium, high, got "urgent"' in done.stderr
    listed = gateway("call", "todo.list_tasks", "--config", path)
    assert json.loads(listed.stdout)["total"] == 0


def test_call_of_an_error_result_prints_the_servers_message_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, {"mcp_servers": {"todo": todo(tmp_path)}})
    done = gateway("call", "todo.get_task", "--args", '{"id": 4242}', "--config", path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: todo.get_task answered with an error:") and "4242" in done.stderr


def test_call_mistakes_are_one_line_each(tmp_path: Path) -> None:
    path = write(
        tmp_path, {"mcp_servers": {"todo": todo(tmp_path), "ghost": {"command": "no-such-command-xyz"}}}
    )
    unknown = gateway("call", "todo.get_tsak", "--config", path)
    assert (
        unknown.returncode == 1
        and "Unknown tool: todo.get_tsak. Did you mean: todo.get_task?" in unknown.stderr
    )
    down = gateway("call", "ghost.anything", "--config", path)
    assert down.returncode == 1 and down.stderr.startswith(
        "error: The server `ghost` is not running: command not found: no-such-command-xyz."
    )
    bad_json = gateway("call", "todo.list_tasks", "--args", "{nope", "--config", path)
    assert bad_json.returncode == 2 and bad_json.stderr.startswith("error: --args is not valid JSON")
    for done in (unknown, down, bad_json):
        assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_serve_runs_the_app_and_reports_health(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"mcp_servers": {"todo": todo(tmp_path)}}))
    with running_gateway(config) as running:
        health = httpx2.get(f"{running.url}/health", timeout=10).json()
    [server] = health["servers"]
    assert (server["name"], server["state"], server["tool_count"]) == ("todo", "up", 7)
