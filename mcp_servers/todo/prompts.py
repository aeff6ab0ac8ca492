"""The todo server's prompt: `plan_week`, a request to plan the week around the open tasks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.types import Completion
from pydantic import Field

from mcp_servers.todo.base import TodoMCPServer
from mcp_servers.todo.records import TaskRecord
from mcp_servers.todo.store import TaskStore

PROMPT_TASKS = 50
"""How many open tasks the prompt names at most (the most urgent ones)."""
FOCUS_MAX = 200
FOCUS_HINTS = ["high priority", "overdue", "due this week"]
"""Suggested focus values, besides the tags of the open tasks."""


def _day(day: date) -> str:
    return f"{day:%a} {day.isoformat()}"


def _line(task: TaskRecord, today: date) -> str:
    """'- #3 Buy milk: due Tue 2026-12-01 (overdue), high priority, tags home, errands. Notes: ...'."""
    facts: list[str] = []
    if task.due_date:
        late = " (overdue)" if task.due_date < today else " (today)" if task.due_date == today else ""
        facts.append(f"due {_day(task.due_date)}{late}")
    else:
        facts.append("no due date")
    facts.append(f"{task.priority} priority")
    if task.tags:
        facts.append("tags " + ", ".join(task.tags))
    notes = " ".join(task.description.split())
    notes = f". Notes: {notes[:117]}..." if len(notes) > 120 else f". Notes: {notes}" if notes else ""
    return f"- #{task.id} {task.title}: {', '.join(facts)}{notes}"


def plan_week_text(tasks: list[TaskRecord], total: int, focus: str | None, today: date) -> str:
    """The prompt's one user message."""
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    lines = [
        f"Please help me plan my week ({_day(monday)} to {_day(sunday)}; today is {_day(today)}).",
    ]
    focus = " ".join((focus or "").split())[:FOCUS_MAX]
    if focus:
        lines.append(f"Focus on: {focus}.")
    lines.append("")
    if not tasks:
        lines.append("I have no open tasks on my todo list right now.")
        lines.append("Suggest how I could use the week, and ask me what I would like to add to the list.")
        return "\n".join(lines)
    count = f"{total} open tasks" if total != 1 else "1 open task"
    shown = f" (the {len(tasks)} most urgent shown)" if len(tasks) < total else ""
    lines.append(f"I have {count}{shown}, most urgent first:")
    lines += [_line(task, today) for task in tasks]
    lines.append("")
    lines.append(
        "Spread the work over the days left this week, overdue and high-priority tasks first. "
        "Give me a short plan per day, and name anything that will not fit so I can move "
        "its due date or drop it."
    )
    return "\n".join(lines)


def register_prompt(mcp: TodoMCPServer, store: TaskStore) -> None:
    """Add `plan_week`."""

    @mcp.prompt(
        name="plan_week",
        title="Plan my week",
        description=(
            "Ask for a day-by-day plan of this week built from the open tasks on the todo list "
            "(title, due date, priority, tags), most urgent first."
        ),
    )
    async def plan_week(
        focus: Annotated[
            str | None,
            Field(description="Optional: what to put first, e.g. 'high priority', 'overdue' or a tag."),
        ] = None,
    ) -> list[Message]:
        tasks, total = await store.open_tasks(PROMPT_TASKS)
        return [UserMessage(plan_week_text(tasks, total, focus, date.today()))]


async def complete_focus(store: TaskStore, typed: str) -> Completion:
    """Completions for `plan_week`'s `focus`: the fixed hints and the open tasks' tags."""
    tasks, _total = await store.open_tasks(PROMPT_TASKS)
    tags = dict.fromkeys(tag for task in tasks for tag in task.tags)
    prefix = typed.strip().casefold()
    values = [value for value in [*FOCUS_HINTS, *tags] if value.casefold().startswith(prefix)][:100]
    return Completion(values=values, total=len(values), has_more=False)
