"""The tools' JSON for a task is exactly what pydantic's `Task` model gives for the same row."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mcp_servers.todo.models import Task
from mcp_servers.todo.records import COLUMNS, TaskRecord, record_of

T1, T2, T3 = "2026-11-30T19:05:43.481+00:00", "2026-01-01T00:00:00.000+00:00", "2026-01-02T10:00:00.100+00:00"
ROWS: list[tuple[Any, ...]] = [
    # As this server writes them: UTC times with milliseconds, ISO dates, a JSON list of tags.
    (1, "Buy milk", "", "pending", "medium", None, "[]", T1, T1, None),
    (2, "Ship it", "notes\nmore", "completed", "high", "2030-01-02", '["home", "Äpfel"]', T2, T3, T3),
    # As older rows and test seeds may have them: no fraction, no offset, a space, another zone.
    (
        3,
        "Old",
        "x",
        "pending",
        "low",
        "2029-12-31",
        '["a"]',
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00",
        None,
    ),
    (
        4,
        "Odd",
        "",
        "completed",
        "low",
        None,
        "[]",
        "2026-01-01 00:00:00.5+02:00",
        "2026-01-01T00:00:00.123456Z",
        T1,
    ),
]


def pydantic_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """What the server answered when every row went through the `Task` model."""
    stored = dict(zip(COLUMNS, row, strict=True))
    return Task.model_validate({**stored, "tags": json.loads(stored["tags"])}).model_dump(mode="json")


@pytest.mark.parametrize("row", ROWS, ids=[str(row[0]) for row in ROWS])
def test_a_record_is_the_json_pydantic_gives(row: tuple[Any, ...]) -> None:
    record = TaskRecord.from_row(row)
    assert record.json() == pydantic_json(row)
    assert json.dumps(record.json()) == json.dumps(pydantic_json(row))  # same key order, too
    assert record.model().model_dump(mode="json") == pydantic_json(row)


def test_a_remembered_record_is_the_same_record() -> None:
    row = ROWS[1]
    assert record_of(row) is record_of(tuple(row))
    assert record_of(row) == TaskRecord.from_row(row)
    assert record_of(row).json() is not record_of(row).json()  # callers get their own dicts
