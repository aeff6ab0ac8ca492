"""Calls through the registry: validated first, bounded by the server's timeout, errors that say what happened."""

from __future__ import annotations

import functools
from pathlib import Path

import anyio
import pytest

from gateway.errors import InvalidArgumentsError, OutputSchemaError, ToolTimeoutError
from gateway.mcp.registry import ToolRegistry
from tests.servers.launch import http_server, python_server, todo_server
from tests.support.events import wait_for_text


async def test_arguments_that_break_the_input_schema_are_refused_per_field_without_calling(
    tmp_path: Path,
) -> None:
    async with ToolRegistry({"todo": todo_server(tmp_path / "todo.db")}) as registry:
        with pytest.raises(InvalidArgumentsError) as refused:
            await registry.call("todo.add_task", {"title": 42, "priority": "urgent"})
        problems = refused.value.problems
        assert set(problems) == {"title", "priority"}
        assert problems["title"] == "expected text, got 42"
        assert problems["priority"] == 'expected one of low, medium, high, got "urgent"'
        assert str(refused.value).startswith("Invalid arguments for todo.add_task: ")
        with pytest.raises(InvalidArgumentsError) as missing:
            await registry.call("todo.add_task", {})
        assert missing.value.problems == {"title": "required"}
        listed = await registry.call("todo.list_tasks", {})
        assert listed.structured_content is not None
        assert listed.structured_content["total"] == 0  # nothing reached the server


async def test_an_error_result_is_returned_not_raised(tmp_path: Path) -> None:
    async with ToolRegistry({"todo": todo_server(tmp_path / "todo.db")}) as registry:
        result = await registry.call("todo.get_task", {"id": 4242})
    assert result.is_error
    assert result.content[0].type == "text" and "4242" in result.content[0].text


async def test_structured_content_that_breaks_the_output_schema_is_a_clear_error() -> None:
    async with ToolRegistry({"paged": python_server("tests.servers.paged", "3", "2")}) as registry:
        with pytest.raises(OutputSchemaError) as broken:
            await registry.call("paged.bad_point", {})
    message = str(broken.value)
    assert message.startswith(
        "paged.bad_point returned structured content that does not match its output schema"
    )
    assert "'y' is a required property" in message


async def test_an_output_schema_pattern_is_judged_as_the_sdk_judges_it() -> None:
    # The output check runs in Rust first; a `pattern` (ECMA there, Python's `re` in the SDK)
    # is left to the SDK, so a mark only ECMA's `\s` accepts is still refused.
    async with ToolRegistry({"paged": python_server("tests.servers.paged", "3", "2")}) as registry:
        with pytest.raises(OutputSchemaError) as broken:
            await registry.call("paged.bom_point", {})
    assert "does not match its output schema at mark" in str(broken.value)


async def test_a_missing_or_uncheckable_structured_result_is_an_output_schema_error() -> None:
    async with ToolRegistry({"paged": python_server("tests.servers.paged", "3", "2")}) as registry:
        with pytest.raises(OutputSchemaError) as missing:
            await registry.call("paged.no_point", {})
        with pytest.raises(OutputSchemaError) as odd:
            await registry.call("paged.odd_point", {})
        ok = await registry.call("paged.tool_0", {})  # the session is fine afterwards
    assert str(missing.value) == (
        "paged.no_point returned no structured content, though its output schema asks for it"
    )
    assert str(odd.value).startswith("paged.odd_point returned a result its own output schema cannot check")
    assert "3 is not of type 'array'" in str(odd.value)
    assert missing.value.may_have_run and odd.value.may_have_run
    assert ok.content[0].type == "text" and ok.content[0].text == "tool_0"


async def test_many_concurrent_calls_share_one_session(tmp_path: Path) -> None:
    async with ToolRegistry({"todo": todo_server(tmp_path / "todo.db")}) as registry:
        async with anyio.create_task_group() as tasks:
            for i in range(20):
                tasks.start_soon(registry.call, "todo.add_task", {"title": f"task {i}"})
        listed = await registry.call("todo.list_tasks", {"limit": 50})
    assert listed.structured_content is not None and listed.structured_content["total"] == 20


async def test_progress_of_a_python_server_reaches_the_callback() -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    async with ToolRegistry({"quirky": python_server("tests.servers.quirky")}) as registry:
        result = await registry.call("quirky.progress", {"steps": 3}, progress=progress)
    assert not result.is_error
    assert seen == [(1, 3, "step 1 of 3"), (2, 3, "step 2 of 3"), (3, 3, "step 3 of 3")]


async def _wait_for_line(path: Path, line: str) -> str:
    """The marker file's text, once the server has written `line` to it (waited for in a worker
    thread, so the event loop runs on meanwhile)."""
    return await anyio.to_thread.run_sync(functools.partial(wait_for_text, path, f"{line}\n", timeout=10))


async def test_a_call_slower_than_its_timeout_is_cancelled_on_the_server_over_stdio(marker: Path) -> None:
    slow = python_server("tests.servers.quirky", "--marker", str(marker), timeout=0.5)
    async with ToolRegistry({"quirky": slow}) as registry:
        with pytest.raises(ToolTimeoutError) as timed_out:
            await registry.call("quirky.sleep", {"seconds": 30})
        assert str(timed_out.value) == "quirky.sleep did not answer within 0.5 s; the call was cancelled"
        assert "cancelled" in await _wait_for_line(marker, "cancelled")
        assert not (await registry.call("quirky.sleep", {"seconds": 0})).is_error  # the session lives on


async def test_a_call_slower_than_its_timeout_is_cancelled_on_the_server_over_http(marker: Path) -> None:
    with http_server("tests.servers.quirky", "--marker", str(marker)) as server:
        async with ToolRegistry({"quirky": server.config(timeout=0.5)}) as registry:
            with pytest.raises(ToolTimeoutError):
                await registry.call("quirky.sleep", {"seconds": 30})
            assert "cancelled" in await _wait_for_line(marker, "cancelled")
