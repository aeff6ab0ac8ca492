"""`gateway call` and `gateway tools` wait only for what they need: a server that never answers
(tests/servers/silent.py) neither holds up a call on another server nor the listing of the others.

Every run is bounded well under the silent server's 30 s: a command that waits for it fails
by its timeout instead of hanging. Speed figures are the benchmark's (bench/cli_start.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

BOUND_S = 15  # each command's whole run; the silent server's own timeout is 30 s


def python_server(module: str, *args: str, **extra: Any) -> dict[str, Any]:
    return {"command": "python", "args": ["-m", module, *args], "cwd": str(ROOT), **extra}


def todo(tmp_path: Path, name: str = "todo") -> dict[str, Any]:
    return python_server("mcp_servers.todo", "--db", str(tmp_path / f"{name}.db"))


def silent(**extra: Any) -> dict[str, Any]:
    """A server that never answers its `initialize`."""
    return python_server("tests.servers.silent", **extra)


def write(tmp_path: Path, servers: dict[str, Any]) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"mcp_servers": servers}, sort_keys=False))
    return str(path)


def gateway(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=ROOT, capture_output=True, text=True, timeout=BOUND_S
    )


# -- call -------------------------------------------------------------------------------------


def test_call_does_not_wait_for_a_server_that_never_answers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"silent": silent(timeout=30), "todo": todo(tmp_path), "echo": python_server("tests.servers.echo")},
    )
    added = gateway("call", "todo.add_task", "--args", '{"title": "Buy milk"}', "--config", path)
    assert added.returncode == 0, added.stderr
    got = gateway("call", "todo.get_task", "--args", '{"id": 1}', "--config", path)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["task"]["title"] == "Buy milk"
    assert got.stderr == ""


def test_call_starts_only_the_server_it_names(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    touch = {"command": "python", "args": ["-c", "import pathlib, sys; pathlib.Path(sys.argv[1]).touch()"]}
    path = write(
        tmp_path, {"todo": todo(tmp_path), "other": {**touch, "args": [*touch["args"], str(marker)]}}
    )
    named = gateway("call", "todo.list_tasks", "--config", path)
    assert named.returncode == 0, named.stderr
    assert not marker.exists()  # `other` was never launched
    quoted = gateway("call", '"todo".list_tasks', "--config", path)
    assert quoted.returncode == 0, quoted.stderr
    assert not marker.exists()
    bare = gateway("call", "list_tasks", "--config", path)  # any server may have it: all start
    assert bare.returncode == 0, bare.stderr
    assert json.loads(bare.stdout)["total"] == 0
    assert marker.exists()


def test_a_bare_name_is_called_once_a_silent_server_has_had_its_timeout(tmp_path: Path) -> None:
    path = write(tmp_path, {"todo": todo(tmp_path), "silent": silent(timeout=3)})
    done = gateway("call", "list_tasks", "--config", path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 0


def test_a_bare_name_on_two_servers_is_still_refused_with_a_silent_server_configured(tmp_path: Path) -> None:
    path = write(
        tmp_path, {"todo": todo(tmp_path), "more": todo(tmp_path, "more"), "silent": silent(timeout=2)}
    )
    done = gateway("call", "list_tasks", "--config", path)
    assert done.returncode == 1
    assert done.stderr == (
        "error: Unknown tool: list_tasks. Did you mean: todo.list_tasks, more.list_tasks?"
        " The tools of the server `silent` are not known yet: it is still starting.\n"
    )


# -- tools ------------------------------------------------------------------------------------


def test_tools_marks_a_server_that_does_not_answer_within_the_timeout(tmp_path: Path) -> None:
    """`--timeout 2` bounds every server (no server here needs longer: the good ones' blocks are
    the next test's, under the default bound, so that a loaded machine cannot fail them)."""
    servers = {
        "silent": silent(),
        "ghost": {"command": "no-such-command-xyz"},
        "off": {**todo(tmp_path), "enabled": False},
    }
    done = gateway("tools", "--timeout", "2", "--config", write(tmp_path, servers))
    assert done.returncode == 1, done.stderr
    assert sorted(done.stdout.splitlines()) == [
        "ghost [down] stdio: command not found: no-such-command-xyz",
        "off [disabled] stdio: disabled in the config",
        "silent [not answering] stdio: no answer to the MCP handshake within 2 s",
    ]
    assert done.stdout.splitlines()[-1].startswith("silent")  # the others did not wait for it


def test_tools_prints_each_server_as_it_answers(tmp_path: Path) -> None:
    """The silent server's own `timeout` (5 s) bounds the wait for it; the others' blocks come first,
    while the command still runs."""
    path = write(tmp_path, {"silent": silent(timeout=5), "todo": todo(tmp_path)})
    with subprocess.Popen(
        [sys.executable, "-m", "gateway", "tools", "--config", path],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        assert process.stdout is not None
        started = time.monotonic()
        try:
            first = process.stdout.readline()
            still_running = process.poll() is None
            rest = process.stdout.read()
            process.wait(timeout=BOUND_S)
        finally:
            process.kill()
    assert time.monotonic() - started < BOUND_S
    assert first == "todo [up] stdio: 7 tools, protocol 2026-07-28\n"
    assert still_running  # todo's block was printed while the command still waited for silent
    assert rest.index("todo.delete_task") < rest.index("silent [not answering]")
    assert rest.endswith("silent [not answering] stdio: no answer to the MCP handshake within 5 s\n")
    assert process.returncode == 1


def test_tools_json_is_one_document_with_the_silent_server_down(tmp_path: Path) -> None:
    servers = {
        "todo": todo(tmp_path),
        "silent": silent(timeout=2),
        "off": {**todo(tmp_path), "enabled": False},
    }
    done = gateway("tools", "--json", "--config", write(tmp_path, servers))  # silent's own timeout bounds it
    assert done.returncode == 1, done.stderr
    listing = json.loads(done.stdout)
    states = {s["name"]: (s["state"], s["error"]) for s in listing["servers"]}
    assert list(states) == ["todo", "silent", "off"]  # config order
    assert states == {
        "todo": ("up", None),
        "silent": ("down", "no answer to the MCP handshake within 2 s"),
        "off": ("disabled", None),
    }
    assert {t["server"] for t in listing["tools"]} == {"todo"}


def test_tools_refuses_a_timeout_that_is_not_positive(tmp_path: Path) -> None:
    done = gateway("tools", "--timeout", "0", "--config", write(tmp_path, {"todo": todo(tmp_path)}))
    assert done.returncode == 2
    assert done.stderr == "error: --timeout must be a positive number of seconds, got 0\n"
