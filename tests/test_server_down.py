"""A configured server that is not running: a command naming it says so and why, and a server
that dies at start-up is reported by the lines that say what went wrong, not its last words."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gateway.config import StdioServerConfig
from gateway.mcp.registry import ToolRegistry
from tests.servers.launch import python_server
from tests.support.chat import last_widget, text_of
from tests.support.gateway import ROOT, Gateway, Reply, running_gateway, todo_server_config, write_config

CRASH_JS = ROOT / "tests" / "servers" / "crash.cjs"
NODE_ERROR = "Error: CRASH_DB is not set: cannot open the database"
CRASHED = f"the server process exited during start-up (its output: {NODE_ERROR})"


def crash_server(**env: str) -> dict[str, object]:
    """tests/servers/crash.cjs: a Node server that throws at start-up."""
    return {"command": "node", "args": [str(CRASH_JS)], "env": env}


def config(tmp: Path) -> dict[str, object]:
    return {
        "mcp_servers": {
            "todo": todo_server_config(tmp / "todo.db"),
            "git": crash_server(),
            "off": {**todo_server_config(tmp / "off.db"), "enabled": False},
        },
        "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """Our todo server up, `git` dead at start-up, `off` disabled."""
    tmp = tmp_path_factory.mktemp("down")
    with running_gateway(write_config(tmp / "config.yaml", config(tmp))) as gateway:
        yield gateway


def said(reply: Reply) -> str:
    (message,) = reply.done_items("assistant_message")
    return message["content"][0]["text"]


# -- in the chat -------------------------------------------------------------------------------


def test_a_tool_on_a_server_that_is_down_says_the_server_is_not_running_and_why(site: Gateway) -> None:
    text = said(site.client().create_thread('/git.status path="."'))
    assert text == (
        f"The server `git` is not running: {CRASHED}. `git.status` can be called once it is up. "
        "Type /tools to see every server's state."
    )


def test_a_bare_name_while_one_server_is_down_says_its_tools_are_not_known(site: Gateway) -> None:
    text = said(site.client().create_thread("/status"))
    assert text.startswith(
        f"Unknown tool: status. The tools of the server `git` are not known: it is not running ({CRASHED})."
    )


def test_a_tool_on_a_disabled_server_says_it_is_disabled(site: Gateway) -> None:
    text = said(site.client().create_thread("/off.list_tasks {}"))
    assert text.startswith(
        "The server `off` is disabled in the configuration, so `off.list_tasks` cannot be called."
    )


def test_the_servers_that_are_up_still_answer_and_the_catalog_shows_the_reason(site: Gateway) -> None:
    client = site.client()
    assert last_widget(client.create_thread("/todo.list_tasks {}"))["copy_text"] == "No tasks match."
    catalog = text_of(last_widget(client.create_thread("/tools"))["widget"])
    assert CRASHED in catalog and "Node.js v" not in catalog
    assert "7 tools on 3 servers" in catalog


# -- on the command line -----------------------------------------------------------------------


def gateway_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_gateway_call_says_the_server_is_not_running_for_a_qualified_and_a_bare_name(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config(tmp_path)))
    qualified = gateway_cli("call", "git.status", "--config", str(path))
    assert qualified.returncode == 1
    assert (
        qualified.stderr
        == f"error: The server `git` is not running: {CRASHED}. `git.status` can be called once it is up.\n"
    )
    bare = gateway_cli("call", "status", "--config", str(path))
    assert bare.returncode == 1 and bare.stderr.startswith(
        f"error: Unknown tool: status. The tools of the server `git` are not known: it is not running ({CRASHED})."
    )


# -- what a server that died at start-up said --------------------------------------------------


async def down_because(server: StdioServerConfig) -> str:
    async with ToolRegistry({"it": server}, backoff_initial=5, backoff_max=5) as registry:
        [status] = registry.servers()
    assert status.state == "down" and status.error is not None
    return status.error


async def test_a_node_server_that_throws_is_reported_by_its_error_not_its_version_banner() -> None:
    error = await down_because(StdioServerConfig(command="node", args=[str(CRASH_JS)]))
    assert error == CRASHED


async def test_a_node_server_missing_a_module_says_which() -> None:
    error = await down_because(
        StdioServerConfig(command="node", args=[str(CRASH_JS)], env={"CRASH": "module"})
    )
    assert error == (
        "the server process exited during start-up"
        " (its output: Error: Cannot find module './no-such-module-for-crash')"
    )


async def test_a_python_server_that_raises_is_reported_by_the_end_of_its_traceback() -> None:
    script = "import sys; print('loading the settings', file=sys.stderr); import json; json.loads('{oops')"
    error = await down_because(StdioServerConfig(command="python", args=["-c", script]))
    assert error == (
        "the server process exited during start-up (its output: json.decoder.JSONDecodeError:"
        " Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
    )


async def test_a_python_server_that_refuses_its_arguments_is_reported_by_the_usage_error() -> None:
    error = await down_because(python_server("mcp_servers.todo", "--no-such-option"))
    assert error.startswith("the server process exited during start-up (its output: ")
    assert "error: unrecognized arguments: --no-such-option" in error and "usage:" not in error
