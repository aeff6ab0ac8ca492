"""Task-augmented tool calls (MCP tasks, protocol 2025-11-25).

A tool whose `execution.taskSupport` is `optional` or `required` is called as a task: the
server answers `tools/call` at once with the task (its id and status), works on in the
background, and keeps the result until the client fetches it with `tasks/result`, which
blocks until the task ends. Meanwhile the gateway polls `tasks/get` (at the server's
`pollInterval`) and hands each status to the call's channel, so the thread shows it live;
`notifications/tasks/status`, where a server sends them, arrive the same way. Questions the
server asks on the task's behalf (elicitation, sampling) come during `tasks/result` and go
to the person as any other. A call cancelled on our side (the person's Cancel, a timeout, the
stream gone) sends `tasks/cancel`.

The SDK validates a `tools/call` result as a `CallToolResult` and has no client helper for
tasks, so the creating request goes through the session's dispatcher (`send_raw_request`, a
private attribute: re-check on upgrade); the others are ordinary typed requests.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult
from mcp_types import (
    CancelTaskRequest,
    CancelTaskRequestParams,
    CancelTaskResult,
    CreateTaskResult,
    GetTaskPayloadRequest,
    GetTaskPayloadRequestParams,
    GetTaskRequest,
    GetTaskRequestParams,
    GetTaskResult,
    Task,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

logger = logging.getLogger(__name__)

TASK_TTL_MS = 3_600_000
"""How long the server is asked to keep a task and its result (an hour)."""
_POLL_MIN_S, _POLL_MAX_S, _POLL_DEFAULT_S = 0.2, 5.0, 1.0
TERMINAL = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True)
class TaskState:
    """A task's status as the server last reported it."""

    server: str
    task_id: str
    status: str
    message: str | None = None

    @property
    def ended(self) -> bool:
        """The task will not change any more."""
        return self.status in TERMINAL


def runs_as_task(client: Client, task_support: str) -> bool:
    """Whether a tool is called as a task on this connection (tasks are a 2025-11-25 feature)."""
    if task_support not in ("optional", "required") or client.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return False
    tasks = client.server_capabilities.tasks
    return tasks is not None and tasks.requests is not None and tasks.requests.tools is not None


async def call_as_task(
    client: Client,
    server: str,
    name: str,
    arguments: dict[str, Any],
    *,
    report: Callable[[TaskState], None],
) -> CallToolResult:
    """Create the task, follow its status, and return its result once it ends."""
    session = client.session
    params = {"name": name, "arguments": arguments, "task": {"ttl": TASK_TTL_MS}}
    raw = await session._dispatcher.send_raw_request("tools/call", params, {})  # pyright: ignore[reportPrivateUsage]
    task = CreateTaskResult.model_validate(raw, by_name=False).task
    last = _state(server, task)
    report(last)
    result: CallToolResult | None = None
    try:
        async with _first_failure(), anyio.create_task_group() as polling:

            async def poll() -> None:
                nonlocal last
                interval = _interval(task)
                while not last.ended:
                    await anyio.sleep(interval)
                    try:
                        now = await session.send_request(
                            GetTaskRequest(params=GetTaskRequestParams(task_id=task.task_id)), GetTaskResult
                        )
                    except Exception as exc:  # the status is a courtesy: the result still comes
                        logger.info(
                            "%s: tasks/get for %s failed, no more status: %s", server, task.task_id, exc
                        )
                        return
                    state = _state(server, now)
                    if state != last:
                        last = state
                        report(state)
                    interval = _interval(now)

            polling.start_soon(poll)
            result = await session.send_request(
                GetTaskPayloadRequest(params=GetTaskPayloadRequestParams(task_id=task.task_id)),
                CallToolResult,
            )
            polling.cancel_scope.cancel()
        assert result is not None
        if not last.ended:  # the result came before the poll saw the task end
            last = TaskState(server, task.task_id, "failed" if result.is_error else "completed")
            report(last)
        return result
    except Exception:  # the result is refused (a cancelled or failed task): say how it ended
        with anyio.CancelScope(shield=True), anyio.move_on_after(5), contextlib.suppress(Exception):
            now = await session.send_request(
                GetTaskRequest(params=GetTaskRequestParams(task_id=task.task_id)), GetTaskResult
            )
            if _state(server, now) != last:
                last = _state(server, now)
                report(last)
        raise
    finally:
        if not last.ended:
            with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                await cancel_task(client, task.task_id)


async def cancel_task(client: Client, task_id: str) -> str | None:
    """Ask the server to cancel a task; its status afterwards (None if the server refused)."""
    try:
        answer = await client.session.send_request(
            CancelTaskRequest(params=CancelTaskRequestParams(task_id=task_id)), CancelTaskResult
        )
    except Exception as exc:
        logger.info("cancelling task %s failed: %s", task_id, exc)
        return None
    return answer.status


@contextlib.asynccontextmanager
async def _first_failure() -> AsyncGenerator[None, None]:
    """A failure inside the polling task group, as itself (the registry maps MCP errors)."""
    try:
        yield
    except BaseExceptionGroup as group:
        cancelled = anyio.get_cancelled_exc_class()
        failures = [e for e in group.exceptions if not isinstance(e, cancelled)]
        if len(failures) == 1 and isinstance(failures[0], Exception):
            raise failures[0] from None
        raise


def _state(server: str, task: Task) -> TaskState:
    return TaskState(server, task.task_id, task.status, task.status_message)


def _interval(task: Task) -> float:
    if task.poll_interval is None:
        return _POLL_DEFAULT_S
    return min(max(task.poll_interval / 1000, _POLL_MIN_S), _POLL_MAX_S)
