"""Servers that fail to start, die mid-session or change their tools: the registry copes alone."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from pathlib import Path

import pytest

from gateway.config import ServerConfig, StdioServerConfig
from gateway.errors import ServerUnavailableError, UnknownToolError
from gateway.mcp.registry import ToolRegistry
from tests.servers.launch import grow_server, http_server, python_server, todo_server


def fast(servers: Mapping[str, ServerConfig]) -> ToolRegistry:
    """A registry that retries quickly, as tests want."""
    return ToolRegistry(servers, backoff_initial=0.05, backoff_max=0.2)


def _pid(result: object) -> int:
    structured = getattr(result, "structured_content", None)
    assert isinstance(structured, dict)
    return int(structured["result"])


async def test_a_missing_command_leaves_its_server_down_with_the_reason_and_the_others_up(
    tmp_path: Path,
) -> None:
    servers = {
        "todo": todo_server(tmp_path / "todo.db"),
        "ghost": StdioServerConfig(command="no-such-command-xyz"),
    }
    async with fast(servers) as registry:
        status = {s.name: s for s in registry.servers()}
        assert status["todo"].state == "up"
        assert status["ghost"].state == "down"
        assert status["ghost"].error == "command not found: no-such-command-xyz"
        assert {t.server for t in registry.tools()} == {"todo"}
        with pytest.raises(UnknownToolError):
            registry.resolve("ghost.anything")


async def test_a_server_that_exits_at_start_up_is_down_with_its_last_words() -> None:
    crash = StdioServerConfig(command="python", args=["-c", "import sys; sys.exit('no database configured')"])
    async with fast({"crash": crash}) as registry:
        [status] = registry.servers()
    assert status.state == "down"
    assert (
        status.error == "the server process exited during start-up (its last output: no database configured)"
    )


async def test_a_disabled_server_is_listed_but_never_started(tmp_path: Path) -> None:
    off = todo_server(tmp_path / "todo.db", enabled=False)
    async with ToolRegistry({"todo": off}) as registry:
        [status] = registry.servers()
        assert status.state == "disabled" and registry.tools() == []


async def test_a_stdio_server_killed_mid_session_fails_the_next_call_then_comes_back() -> None:
    async with fast({"quirky": python_server("tests.servers.quirky")}) as registry:
        tool = registry.resolve("quirky.pid")
        first = _pid(await registry.call(tool, {}))
        os.kill(first, signal.SIGKILL)
        with pytest.raises(ServerUnavailableError) as failed:
            await registry.call(tool, {})
        assert "quirky" in str(failed.value)
        await registry.wait_ready("quirky", timeout=20)
        second = _pid(await registry.call("quirky.pid", {}))
        assert second != first


async def test_an_http_server_killed_and_restarted_is_reconnected_without_restarting_the_registry() -> None:
    with http_server("tests.servers.quirky") as server:
        async with fast({"quirky": server.config()}) as registry:
            before = _pid(await registry.call("quirky.pid", {}))
            server.kill()
            with pytest.raises(ServerUnavailableError):
                await registry.call("quirky.pid", {})
            # Reconnecting keeps failing while nothing listens, and the reason says where it dials.
            await registry.wait_for(
                lambda: (registry.servers()[0].error or "").startswith("cannot connect to")
            )
            assert server.url in (registry.servers()[0].error or "")
            server.start()
            await registry.wait_ready("quirky", timeout=20)
            assert _pid(await registry.call("quirky.pid", {})) not in (before, None)


async def test_tools_list_changed_is_picked_up_in_the_2026_era() -> None:
    changes: list[int] = []
    async with ToolRegistry({"quirky": python_server("tests.servers.quirky")}) as registry:
        assert registry.servers()[0].protocol_version == "2026-07-28"
        unsubscribe = registry.on_change(lambda: changes.append(len(registry.tools())))
        await registry.call("quirky.grow", {})
        await registry.wait_for(lambda: any(t.name == "extra_1" for t in registry.tools()), timeout=10)
        unsubscribe()
        assert (await registry.call("quirky.extra_1", {})).structured_content == {"result": "extra_1"}
    assert changes


@pytest.mark.node
async def test_tools_list_changed_is_picked_up_in_the_2025_handshake_era() -> None:
    async with ToolRegistry({"grow": grow_server()}) as registry:
        assert registry.servers()[0].protocol_version == "2025-11-25"
        await registry.call("grow.grow", {"name": "sprout"})
        await registry.wait_for(lambda: any(t.name == "sprout" for t in registry.tools()), timeout=10)
        result = await registry.call("grow.sprout", {})
    assert result.content[0].type == "text" and result.content[0].text == "I am sprout"
