"""A field's constraints are said under it, and formats get the browser's own inputs.

The schemas are the ones tests/servers/shapes.py lists (pydantic-made, as servers write them).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from mcp import Client

from gateway.config.render import RenderConfig
from gateway.render.forms import coerce_form_values, edit_form_values
from gateway.render.renderer import Renderer
from gateway.vocabulary.tools import ToolInfo
from tests.render_cases.checks import check, find, texts, tool
from tests.servers.shapes import build

RENDERER = Renderer(RenderConfig(), Path(__file__).parent)


def _listed() -> dict[str, ToolInfo]:
    async def run() -> dict[str, ToolInfo]:
        async with Client(build()) as client:
            return {t.name: ToolInfo.from_tool("shapes", t) for t in (await client.list_tools()).tools}

    return asyncio.run(run())


TOOLS = _listed()


def field(tree: dict[str, Any], name: str) -> dict[str, Any]:
    def named(node: dict[str, Any]) -> bool:
        return node.get("name") == name and "type" in node

    (found,) = find(tree, named)
    return found


def hint(tree: dict[str, Any], name: str) -> str:
    """The words under the field called `name` (its label, hints and problems)."""

    def holds(node: dict[str, Any]) -> bool:
        children: list[dict[str, Any]] = node.get("children") or []
        return node.get("type") == "Col" and any(c.get("name") == name for c in children)

    (holder,) = find(tree, holds)
    return texts(holder)


def test_constraints_are_said_under_each_field() -> None:
    tree = check(RENDERER.form(TOOLS["sign_up"]))
    assert "3 to 20 characters · pattern: ^[a-z]+$" in hint(tree, "input.username")
    assert "format: email" in hint(tree, "input.email")
    assert "format: uri" in hint(tree, "input.homepage")
    assert "18 to 99" in hint(tree, "input.age")
    assert "more than 0 · less than 1" in hint(tree, "input.ratio")
    assert "1 to 5 items" in hint(tree, "input.tags")
    assert "each 1 to 10" in hint(tree, "input.scores")
    assert "format: date-time" in hint(tree, "input.meet_at")


def test_formats_get_matching_inputs() -> None:
    tree = check(RENDERER.form(TOOLS["sign_up"]))
    email = field(tree, "input.email")
    assert email["inputType"] == "email" and email["placeholder"] == "name@example.com"
    assert email["required"] is True
    assert field(tree, "input.homepage")["inputType"] == "url"
    assert field(tree, "input.username")["pattern"] == "^[a-z]+$"
    assert field(tree, "input.age")["inputType"] == "number"
    assert field(tree, "input.born")["type"] == "DatePicker"
    meet = field(tree, "input.meet_at")
    assert (
        meet["type"] == "Input" and "inputType" not in meet and meet["placeholder"] == "2026-01-31T09:30:00Z"
    )


def test_json_boxes_show_a_skeleton_of_what_they_take() -> None:
    tree = check(RENDERER.form(TOOLS["book_trip"]))
    assert field(tree, "input.legs")["placeholder"] == "[[0]]"
    assert field(tree, "input.extras")["placeholder"] == "[{}]"
    assert "as JSON, like [[0]]" in hint(tree, "input.legs")
    assert "more than 0 · a multiple of 0.5" in hint(tree, "input.budget")
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "rows": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "count": {"type": "integer"}},
                    },
                },
            }
        },
    }
    tree = check(RENDERER.form(tool("grid", input_schema=schema)))
    assert field(tree, "input.rows")["placeholder"] == '[[{"name": "", "count": 0}]]'


def test_a_group_submit_is_typed_per_entry_and_blank_entries_are_left_out() -> None:
    schema = TOOLS["book_trip"].input_schema
    submitted = {
        "contact": "a@example.com",
        "travellers": {
            "0": {"name": "Ann", "age": "31", "meals": "veg, fish", "window": True},
            "1": {"name": "", "age": "", "meals": "", "window": False},
            "2": {"name": "Bo", "age": "x", "meals": "", "window": False},
        },
    }
    arguments, problems = coerce_form_values(schema, submitted)
    assert arguments["travellers"] == [
        {"name": "Ann", "age": 31, "meals": ["veg", "fish"], "window": True},
        {"name": "Bo", "window": False},
    ]
    assert problems == {"travellers.1.age": "expected a whole number, got 'x'"}
    assert coerce_form_values(schema, {"contact": "a@example.com", "travellers": {"0": {"name": ""}}})[1] == {
        "travellers": "required: fill in at least one entry"
    }


def test_add_and_remove_keep_even_what_cannot_be_read_yet() -> None:
    schema = TOOLS["book_trip"].input_schema
    submitted = {
        "nights": "many",
        "legs": "[[1, 2",
        "travellers": {"0": {"name": "Ann", "age": "thirty"}},
    }
    values = edit_form_values(schema, submitted, "travellers", None)
    tree = check(RENDERER.form(TOOLS["book_trip"], values=values))
    assert field(tree, "input.nights")["defaultValue"] == "many"
    assert field(tree, "input.legs")["defaultValue"] == "[[1, 2"
    assert field(tree, "input.travellers.0.age")["defaultValue"] == "thirty"
    assert "defaultValue" not in field(tree, "input.travellers.1.name")
    values = edit_form_values(schema, {"travellers": {"0": {"name": "Ann"}}}, "travellers", 0)
    assert values["travellers"] == [{"name": "Ann"}]  # minItems 1: the last entry stays
