"""The todo MCP server: seven tools over a SQLite task list, each with structured output.

Every tool returns `structuredContent` matching its output schema plus a one-line text for
clients that read text only. Mistakes are results, not crashes: an unknown id or a bad
argument comes back as `isError: true` with a one-line message naming the id or the field.

It also serves the prompt `plan_week` (prompts.py), the resources `todo://tasks` and
`todo://tasks/{id}` (resources.py), completions for their arguments, and tells subscribers
of both protocol eras when a tool changes a task (changes.py).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import (
    CallToolResult,
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
    TextContent,
    ToolAnnotations,
)
from pydantic import Field, StringConstraints

from mcp_servers.todo.base import TodoMCPServer
from mcp_servers.todo.changes import TASK_URI_TEMPLATE, TaskEvents
from mcp_servers.todo.database import DatabaseLocked
from mcp_servers.todo.models import Deleted, Priority, Status, TaskPage, TaskResult
from mcp_servers.todo.prompts import complete_focus, register_prompt
from mcp_servers.todo.records import TaskRecord
from mcp_servers.todo.resources import complete_task_id, register_resources
from mcp_servers.todo.store import BadCursor, TaskNotFound, TaskStore

TaskId = Annotated[int, Field(ge=1, description="The id of the task (from add_task or list_tasks).")]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="A short title, e.g. 'Buy milk'."),
]
Description = Annotated[str, Field(max_length=5000, description="Longer notes about the task.")]
DueDate = Annotated[date, Field(description="The day the task is due, as YYYY-MM-DD.")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Tags = Annotated[
    list[Tag],
    Field(max_length=20, description="Labels for grouping and filtering, e.g. ['home', 'errands']."),
]

_READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
_IDEMPOTENT_WRITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
_ADD = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
# Deleting twice fails the second time (the id is gone), so it is not idempotent either.
_DELETE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
)


@contextmanager
def _as_tool_errors() -> Generator[None, None, None]:
    """Turn the store's anticipated failures into ToolErrors a caller can act on."""
    try:
        yield
    except TaskNotFound as exc:
        raise ToolError(f"Task {exc.task_id} not found; list_tasks shows the ids that exist") from exc
    except BadCursor as exc:
        raise ToolError(str(exc)) from exc
    except DatabaseLocked as exc:
        raise ToolError("the task database stayed locked by another process; try again") from exc


def _result(structured: dict[str, Any], summary: str) -> CallToolResult:
    """Structured content for programs, one line of text for people and text-only clients.

    `structured` is already JSON (records.py); MCPServer validates it against the tool's
    output schema model (TaskResult, TaskPage or Deleted).
    """
    return CallToolResult(content=[TextContent(type="text", text=summary)], structured_content=structured)


def _describe(task: TaskRecord) -> str:
    """'3: Buy milk (pending, high priority, due 2026-12-24, tags home, errands)'."""
    facts = [task.status, f"{task.priority} priority"]
    if task.due_date:
        facts.append(f"due {task.due_date.isoformat()}")
    if task.tags:
        facts.append("tags " + ", ".join(task.tags))
    return f"{task.id}: {task.title} ({', '.join(facts)})"


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def build_server(db_path: Path) -> MCPServer[None]:
    """The todo MCPServer, persisting to `db_path`."""
    store = TaskStore(db_path)
    events = TaskEvents()
    sessions = 0
    lock = anyio.Lock()

    @asynccontextmanager
    async def lifespan(_server: MCPServer[None]) -> AsyncGenerator[None, None]:
        # Over stdio and streamable HTTP this runs once; over SSE once per connection, so the
        # store opens with the first user and closes with the last.
        nonlocal sessions
        async with lock:
            if sessions == 0:
                await store.start()
            sessions += 1
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                async with lock:
                    sessions -= 1
                    if sessions == 0:
                        await store.close()

    mcp = TodoMCPServer(
        "todo",
        instructions=(
            "A task list. Add tasks, list and search them, update, complete, reopen or delete them by id. "
            "Resources: todo://tasks (the open tasks) and todo://tasks/{id} (one task), both JSON; "
            "prompt plan_week plans the week around the open tasks."
        ),
        lifespan=lifespan,
        subscriptions=events.bus,
    )
    register_resources(mcp, store, events)
    register_prompt(mcp, store)

    @mcp.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        _context: CompletionContext | None,
    ) -> Completion | None:
        if isinstance(ref, PromptReference) and ref.name == "plan_week" and argument.name == "focus":
            return await complete_focus(store, argument.value)
        if (
            isinstance(ref, ResourceTemplateReference)
            and ref.uri == TASK_URI_TEMPLATE
            and argument.name == "id"
        ):
            return await complete_task_id(store, argument.value)
        return None

    @mcp.tool(
        title="Add task",
        description="Create a new pending task. Returns the task with the id the server assigned.",
        annotations=_ADD,
    )
    async def add_task(
        title: Title,
        description: Description = "",
        priority: Annotated[Priority, Field(description="How important the task is.")] = "medium",
        due_date: DueDate | None = None,
        tags: Tags | None = None,
    ) -> Annotated[CallToolResult, TaskResult]:
        with _as_tool_errors():
            task = await store.add(
                title=title,
                description=description,
                priority=priority,
                due_date=due_date,
                tags=_unique(tags or []),
            )
        await events.changed(None, task)
        return _result({"task": task.json()}, f"Added task {_describe(task)}")

    @mcp.tool(
        title="List tasks",
        description=(
            "List tasks in id order, one page at a time (20 by default, at most 100). Filter by "
            "status, by text in the title or description (case-insensitive) and by tag; filters "
            "combine. `total` counts every match. When next_cursor is not null, call again with "
            "the same filters and cursor=next_cursor for the next page."
        ),
        annotations=_READ,
    )
    async def list_tasks(
        status: Annotated[Status | None, Field(description="Only tasks with this status.")] = None,
        search: Annotated[
            str | None, Field(max_length=200, description="Text to look for in the title or description.")
        ] = None,
        tag: Annotated[str | None, Field(max_length=40, description="Only tasks carrying this tag.")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Tasks per page (1-100).")] = 20,
        cursor: Annotated[str | None, Field(description="next_cursor from the previous page.")] = None,
    ) -> Annotated[CallToolResult, TaskPage]:
        with _as_tool_errors():
            tasks, total, next_cursor = await store.page(
                status=status, search=search or None, tag=tag or None, limit=limit, cursor=cursor or None
            )
        if not tasks:
            summary = "No tasks match." if total == 0 else f"No more tasks ({total} match)."
        else:
            count = f"{len(tasks)} of {total} tasks" if next_cursor else f"{total} task{'s' * (total != 1)}"
            summary = count + ": " + "; ".join(f"#{t.id} {t.title} ({t.status})" for t in tasks)
        page = {"tasks": [t.json() for t in tasks], "total": total, "next_cursor": next_cursor}
        return _result(page, summary)

    @mcp.tool(
        title="Get task", description="Read one task, with all its fields, by its id.", annotations=_READ
    )
    async def get_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        with _as_tool_errors():
            task = await store.get(id)
        notes = f": {task.description}" if task.description else ""
        return _result({"task": task.json()}, f"Task {_describe(task)}{notes}"[:500])

    @mcp.tool(
        title="Update task",
        description=(
            "Change a task's title, description, priority, due date or tags. Only the fields you pass "
            "change (tags are replaced as a whole); pass at least one. clear_due_date=true removes "
            "the due date. Use complete_task / reopen_task to change its status."
        ),
        annotations=_IDEMPOTENT_WRITE,
    )
    async def update_task(
        id: TaskId,
        title: Title | None = None,
        description: Description | None = None,
        priority: Annotated[Priority | None, Field(description="New priority.")] = None,
        due_date: DueDate | None = None,
        clear_due_date: Annotated[bool, Field(description="True removes the task's due date.")] = False,
        tags: Tags | None = None,
    ) -> Annotated[CallToolResult, TaskResult]:
        if due_date is not None and clear_due_date:
            raise ToolError("pass either due_date or clear_due_date=true, not both")
        given = {"title": title, "description": description, "priority": priority, "due_date": due_date}
        changes: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        if clear_due_date:
            changes["due_date"] = None
        if tags is not None:
            changes["tags"] = _unique(tags)
        if not changes:
            raise ToolError(
                f"nothing to change for task {id}: pass at least one of "
                "title, description, priority, due_date, clear_due_date, tags"
            )
        with _as_tool_errors():
            before, task = await store.change(id, changes)
        await events.changed(before, task)
        return _result({"task": task.json()}, f"Updated task {_describe(task)}")

    @mcp.tool(
        title="Complete task",
        description="Mark a task completed. Completing a completed task changes nothing.",
        annotations=_IDEMPOTENT_WRITE,
    )
    async def complete_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        with _as_tool_errors():
            before, task = await store.change(id, {"status": "completed"})
        await events.changed(before, task)
        return _result({"task": task.json()}, f"Completed task {_describe(task)}")

    @mcp.tool(
        title="Reopen task",
        description="Mark a completed task pending again. Reopening a pending task changes nothing.",
        annotations=_IDEMPOTENT_WRITE,
    )
    async def reopen_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        with _as_tool_errors():
            before, task = await store.change(id, {"status": "pending"})
        await events.changed(before, task)
        return _result({"task": task.json()}, f"Reopened task {_describe(task)}")

    @mcp.tool(
        title="Delete task",
        description="Delete a task for good; this cannot be undone. Returns the id and title it had.",
        annotations=_DELETE,
    )
    async def delete_task(id: TaskId) -> Annotated[CallToolResult, Deleted]:
        with _as_tool_errors():
            task = await store.delete(id)
        await events.changed(task, None)
        return _result(
            {"deleted": True, "id": task.id, "title": task.title}, f"Deleted task {task.id}: {task.title}"
        )

    return mcp
