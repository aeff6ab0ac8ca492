"""The todo server's resources: `todo://tasks` (the open tasks) and `todo://tasks/{id}` (one task).

Both are JSON. `resources/list` shows `todo://tasks` and, after it, one entry per open task
(the most urgent LISTED_TASKS of them); any task, open or completed, reads through the
template. Reading an id that does not exist is a -32602 error naming the id.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    Completion,
    EmptyResult,
    Resource,
    SubscribeRequestParams,
    UnsubscribeRequestParams,
)

from mcp_servers.todo.base import TodoMCPServer
from mcp_servers.todo.changes import (
    TASK_URI_TEMPLATE,
    TASKS_URI,
    TaskEvents,
    connection_of,
    task_id_in,
    task_uri,
)
from mcp_servers.todo.models import OpenTasks
from mcp_servers.todo.records import TaskRecord
from mcp_servers.todo.store import TaskNotFound, TaskStore

LISTED_TASKS = 100
"""How many open tasks `resources/list` names, and how many id completions are offered."""
OPEN_TASKS_LIMIT = 500
"""How many open tasks `todo://tasks` holds at most (`truncated` says when there are more)."""
JSON = "application/json"


def summary(task: TaskRecord) -> str:
    """'pending, high priority, due 2026-12-24, tags home, errands'."""
    facts = [task.status, f"{task.priority} priority"]
    if task.due_date:
        facts.append(f"due {task.due_date.isoformat()}")
    if task.tags:
        facts.append("tags " + ", ".join(task.tags))
    return ", ".join(facts)


async def read_task(store: TaskStore, uri: str) -> TaskRecord:
    """The task a `todo://tasks/<id>` URI names; ResourceNotFoundError if there is none."""
    segment = task_id_in(uri) or ""
    digits = segment.isascii() and segment.isdigit() and len(segment) <= 18  # below SQLite's 2**63
    task_id = int(segment) if digits else 0
    if task_id < 1:
        raise ResourceNotFoundError(f"Unknown resource {uri}: a task id is a whole number from 1 up")
    try:
        return await store.get(task_id)
    except TaskNotFound as exc:
        raise ResourceNotFoundError(
            f"Task {task_id} not found ({uri}); todo://tasks lists the open tasks"
        ) from exc


def register_resources(mcp: TodoMCPServer, store: TaskStore, events: TaskEvents) -> None:
    """Add the resources, their `resources/list` entries, and subscriptions of both eras."""

    @mcp.resource(
        TASKS_URI,
        name="open_tasks",
        title="Open tasks",
        description=(
            f"The pending tasks as JSON, most urgent first (earliest due date, then priority; at "
            f"most {OPEN_TASKS_LIMIT}): {{tasks, total, truncated}}."
        ),
        mime_type=JSON,
    )
    async def open_tasks() -> str:
        tasks, total = await store.open_tasks(OPEN_TASKS_LIMIT)
        listing = {"tasks": [t.json() for t in tasks], "total": total, "truncated": len(tasks) < total}
        return OpenTasks.model_validate(listing).model_dump_json(indent=2)

    @mcp.resource(
        TASK_URI_TEMPLATE,
        name="task",
        title="Task",
        description="One task, open or completed, as JSON with all its fields.",
        mime_type=JSON,
    )
    async def task(id: str) -> str:
        return (await read_task(store, task_uri_of(id))).model().model_dump_json(indent=2)

    async def listed() -> list[Resource]:
        tasks, _total = await store.open_tasks(LISTED_TASKS)
        return [
            Resource(
                uri=task_uri(t.id),
                name=f"task_{t.id}",
                title=t.title,
                description=summary(t),
                mime_type=JSON,
            )
            for t in tasks
        ]

    mcp.listed_resources = listed

    async def subscribe(ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
        if params.uri != TASKS_URI:
            try:
                await read_task(store, params.uri)
            except ResourceNotFoundError as exc:
                raise MCPError(code=INVALID_PARAMS, message=str(exc), data={"uri": params.uri}) from exc
        events.handshake.subscribe(connection_of(ctx.session), params.uri)
        return EmptyResult()

    async def unsubscribe(
        ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams
    ) -> EmptyResult:
        events.handshake.unsubscribe(connection_of(ctx.session), params.uri)
        return EmptyResult()

    mcp.serve_resource_subscriptions(subscribe, unsubscribe)
    mcp.middleware.append(events.handshake.track_middleware)


def task_uri_of(segment: str) -> str:
    """The URI whose id segment is `segment` (as the client sent it)."""
    return f"todo://tasks/{segment}"


async def complete_task_id(store: TaskStore, typed: str) -> Completion:
    """Completions for the template's `id`: open task ids starting with what was typed."""
    tasks, total = await store.open_tasks(LISTED_TASKS)
    values = [str(t.id) for t in tasks if str(t.id).startswith(typed.strip())]
    more = total > len(tasks)  # only the most urgent open tasks were looked at
    return Completion(values=values, total=None if more else len(values), has_more=more)
