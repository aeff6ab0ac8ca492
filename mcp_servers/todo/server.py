"""The todo MCP server: seven tools over a SQLite task list, each with structured output.

Every tool returns `structuredContent` matching its output schema plus a one-line text for
clients that read text only. Mistakes are results, not crashes: an unknown id or a bad
argument comes back as `isError: true` with a message naming the id or the field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from mcp_servers.todo.models import Deleted, Priority, Status, Task, TaskPage, TaskResult
from mcp_servers.todo.store import BadCursor, TaskNotFound, TaskStore

TaskId = Annotated[int, Field(ge=1, description="The id of the task (from add_task or list_tasks).")]
Title = Annotated[str, Field(min_length=1, max_length=200, description="A short title, e.g. 'Buy milk'.")]
Description = Annotated[str, Field(max_length=5000, description="Longer notes about the task.")]
DueDate = Annotated[date, Field(description="The day the task is due, as YYYY-MM-DD.")]
Tags = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=40)]],
    Field(max_length=20, description="Labels for grouping and filtering, e.g. ['home', 'errands']."),
]

READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
IDEMPOTENT_WRITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def _result(model: BaseModel, summary: str) -> CallToolResult:
    """Structured content for programs, one line of text for people and text-only clients."""
    return CallToolResult(
        content=[TextContent(type="text", text=summary)],
        structured_content=model.model_dump(mode="json"),
    )


def _describe(task: Task) -> str:
    due = f", due {task.due_date.isoformat()}" if task.due_date else ""
    return f"task {task.id}: {task.title} ({task.status}, {task.priority} priority{due})"


def build_server(db_path: Path) -> MCPServer:
    """The todo MCPServer, persisting to `db_path`."""
    store = TaskStore(db_path)

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[None]:
        await store.start()
        try:
            yield
        finally:
            await store.close()

    mcp = MCPServer(
        "todo",
        instructions="A task list. Add tasks, list and search them, update, complete, reopen or delete them by id.",
        lifespan=lifespan,
    )

    async def existing(task_id: int, work: Any) -> Task:
        try:
            return await work
        except TaskNotFound as exc:
            raise ToolError(f"{exc}: check the id with list_tasks") from exc

    @mcp.tool(
        title="Add task",
        description="Create a new pending task. Returns the task with its assigned id.",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
        ),
    )
    async def add_task(
        title: Title,
        description: Description = "",
        priority: Annotated[Priority, Field(description="How important the task is.")] = "medium",
        due_date: DueDate | None = None,
        tags: Tags | None = None,
    ) -> Annotated[CallToolResult, TaskResult]:
        task = await store.add(
            title=title.strip() or title,
            description=description,
            priority=priority,
            due_date=due_date,
            tags=tags or [],
        )
        return _result(TaskResult(task=task), f"Added {_describe(task)}")

    @mcp.tool(
        title="List tasks",
        description=(
            "List tasks in id order, one page at a time. Filter by status, by text in the title or "
            "description (case-insensitive), and by tag. When next_cursor is not null, call again "
            "with cursor=next_cursor for the next page."
        ),
        annotations=READ,
    )
    async def list_tasks(
        status: Annotated[Status | None, Field(description="Only tasks with this status.")] = None,
        search: Annotated[str | None, Field(max_length=200, description="Text to look for in title or description.")] = None,
        tag: Annotated[str | None, Field(max_length=40, description="Only tasks carrying this tag.")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Tasks per page (1-100).")] = 20,
        cursor: Annotated[str | None, Field(description="next_cursor from the previous page.")] = None,
    ) -> Annotated[CallToolResult, TaskPage]:
        try:
            tasks, total, next_cursor = await store.list(
                status=status, search=search or None, tag=tag or None, limit=limit, cursor=cursor or None
            )
        except BadCursor as exc:
            raise ToolError(str(exc)) from exc
        shown = f"{len(tasks)} of {total} tasks" if next_cursor else f"{total} tasks" if total != 1 else "1 task"
        lines = [f"#{t.id} {t.title} ({t.status})" for t in tasks]
        summary = shown + (": " + "; ".join(lines) if lines else "")
        return _result(TaskPage(tasks=tasks, total=total, next_cursor=next_cursor), summary)

    @mcp.tool(title="Get task", description="Read one task by its id.", annotations=READ)
    async def get_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        task = await existing(id, store.get(id))
        return _result(TaskResult(task=task), _describe(task).capitalize())

    @mcp.tool(
        title="Update task",
        description=(
            "Change a task's title, description, priority, due date or tags. Only the fields you pass "
            "change; pass at least one. Use complete_task / reopen_task to change its status."
        ),
        annotations=IDEMPOTENT_WRITE,
    )
    async def update_task(
        id: TaskId,
        title: Title | None = None,
        description: Description | None = None,
        priority: Annotated[Priority | None, Field(description="New priority.")] = None,
        due_date: DueDate | None = None,
        tags: Tags | None = None,
    ) -> Annotated[CallToolResult, TaskResult]:
        changes = {
            key: value
            for key, value in {
                "title": title,
                "description": description,
                "priority": priority,
                "due_date": due_date,
                "tags": tags,
            }.items()
            if value is not None
        }
        if not changes:
            raise ToolError(
                f"update_task {id}: nothing to change; pass at least one of title, description, priority, due_date, tags"
            )
        task = await existing(id, store.update(id, changes))
        return _result(TaskResult(task=task), f"Updated {_describe(task)}")

    @mcp.tool(
        title="Complete task",
        description="Mark a task completed (doing it twice changes nothing).",
        annotations=IDEMPOTENT_WRITE,
    )
    async def complete_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        task = await existing(id, store.update(id, {"status": "completed"}))
        return _result(TaskResult(task=task), f"Completed {_describe(task)}")

    @mcp.tool(
        title="Reopen task",
        description="Mark a completed task pending again (doing it twice changes nothing).",
        annotations=IDEMPOTENT_WRITE,
    )
    async def reopen_task(id: TaskId) -> Annotated[CallToolResult, TaskResult]:
        task = await existing(id, store.update(id, {"status": "pending"}))
        return _result(TaskResult(task=task), f"Reopened {_describe(task)}")

    @mcp.tool(
        title="Delete task",
        description="Delete a task for good. This cannot be undone.",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
        ),
    )
    async def delete_task(id: TaskId) -> Annotated[CallToolResult, Deleted]:
        task = await existing(id, store.delete(id))
        return _result(Deleted(deleted=True, id=task.id, title=task.title), f"Deleted task {task.id}: {task.title}")

    return mcp
