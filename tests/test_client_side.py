"""The client side of MCP: the capabilities the gateway declares, the roots it answers, the log
level it asks for, and a server's log lines during a call shown in the thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from gateway.config import StdioServerConfig
from gateway.mcp.registry import ToolRegistry
from gateway.mcp.traffic_entry import TrafficEntry
from tests.conftest import ROOT
from tests.servers.launch import everything_server, python_server
from tests.support.chat import text_of
from tests.support.gateway import Gateway, running_gateway, write_config


def _asking(**options: Any) -> StdioServerConfig:
    return python_server("tests.servers.asking", **options)


def _text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def _sent(registry: ToolRegistry, server: str, method: str) -> list[TrafficEntry]:
    return [e for e in registry.traffic.entries(server=server, method=method) if e.direction == "out"]


@pytest.mark.node
async def test_server_everything_offers_its_elicitation_sampling_and_roots_tools() -> None:
    async with ToolRegistry({"everything": everything_server(timeout=60)}) as registry:
        names = {t.name for t in registry.tools()}
    assert {
        "trigger-elicitation-request",
        "trigger-url-elicitation",
        "trigger-sampling-request",
        "get-roots-list",
    } <= names


@pytest.mark.node
async def test_roots_are_answered_and_a_change_is_announced_to_the_running_server(tmp_path: Path) -> None:
    first, second = tmp_path / "projects", tmp_path / "archive"
    async with ToolRegistry({"everything": everything_server(timeout=60, roots=[str(first)])}) as registry:
        listed = _text(await registry.call("everything.get-roots-list"))
        assert first.as_uri() in listed and "projects" in listed
        connection = registry.traffic.entries(server="everything")[-1].connection

        changes = await registry.reconfigure(
            {"everything": everything_server(timeout=60, roots=[str(second)])}
        )
        assert changes.restarted == []  # told, not restarted
        with anyio.fail_after(10):
            while not _sent(registry, "everything", "notifications/roots/list_changed"):
                await anyio.sleep(0.05)
        listed = _text(await registry.call("everything.get-roots-list"))
        assert second.as_uri() in listed and first.as_uri() not in listed
        assert registry.traffic.entries(server="everything")[-1].connection == connection


async def test_a_2026_server_gets_the_roots_when_it_asks_within_a_call(tmp_path: Path) -> None:
    roots = [{"uri": "file:///srv/data", "name": "data"}, str(tmp_path)]
    async with ToolRegistry({"asking": _asking(roots=roots)}) as registry:
        answer = _text(await registry.call("asking.where_am_i"))
    assert answer == f"Roots: data=file:///srv/data, {tmp_path.name}={tmp_path.as_uri()}"


@pytest.mark.node
async def test_the_log_level_is_sent_to_a_handshake_server_when_it_connects() -> None:
    async with ToolRegistry({"everything": everything_server(timeout=60, log_level="warning")}) as registry:
        (request,) = _sent(registry, "everything", "logging/setLevel")
        message, _ = request.shown(registry.traffic.redactor)
        assert message is not None and message["params"] == {"level": "warning"}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("logging")
    asking = {"command": "python", "args": ["-m", "tests.servers.asking"], "cwd": str(ROOT)}
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"loud": {**asking, "log_level": "debug"}, "quiet": asking},
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def test_warnings_and_errors_during_a_call_show_in_the_thread(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/loud.noisy {}")
    shown = [text_of(w["widget"]) for w in reply.widgets()]
    assert any("the disk is almost full" in t and "warning" in t for t in shown)
    assert any("one record could not be read" in t and "error" in t for t in shown)
    assert not any("starting the noisy work" in t for t in shown)  # debug stays in the traffic log
    assert "done, with warnings" in shown[-1]
    logged = gateway.client().http.get(
        "/api/traffic", params={"server": "loud", "method": "notifications/message"}
    )
    texts = [str(e["message"]["params"]["data"]) for e in logged.json()["entries"]]
    assert {"starting the noisy work", "the disk is almost full", "one record could not be read"} <= set(
        texts
    )


def test_without_a_log_level_a_2026_server_sends_no_log_lines(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/quiet.noisy {}")
    shown = [text_of(w["widget"]) for w in reply.widgets()]
    assert shown and "done, with warnings" in shown[-1]
    assert not any("almost full" in s for s in shown)
    logged = gateway.client().http.get(
        "/api/traffic", params={"server": "quiet", "method": "notifications/message"}
    )
    assert logged.json()["entries"] == []
