"""A tool's form for an array of objects, as the renderer builds it: one block of fields per
entry given, problems inside their entry, Remove buttons per entry (server-memory's schema).
The same forms through the gateway, with Add entry and Remove clicked: test_form_entries.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.config.render import RenderConfig
from gateway.render.renderer import Renderer
from tests.render_cases.checks import check, find, of_type, texts, tool
from tests.test_forms import field

RENDERER = Renderer(RenderConfig(), Path(__file__).parent)


MEMORY_CREATE_ENTITIES: dict[str, Any] = {  # @modelcontextprotocol/server-memory's create_entities
    "type": "object",
    "properties": {
        "entities": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The name of the entity"},
                    "entityType": {"type": "string", "description": "The type of the entity"},
                    "observations": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "entityType", "observations"],
            },
        }
    },
    "required": ["entities"],
}


def test_given_objects_fill_one_entry_each_and_problems_sit_in_their_entry() -> None:
    given: dict[str, Any] = {
        "entities": [
            {"name": "Ada", "entityType": "person", "observations": ["wrote notes"]},
            {"name": "Engine", "observations": []},
        ]
    }
    problems = {"entities.1.entityType": "required", "entities.1": "needs a type"}
    rendered = RENDERER.form(
        tool("create_entities", input_schema=MEMORY_CREATE_ENTITIES), values=given, problems=problems
    )
    tree = check(rendered)
    assert field(tree, "input.entities.0.name")["defaultValue"] == "Ada"
    assert field(tree, "input.entities.0.observations")["defaultValue"] == "wrote notes"
    assert field(tree, "input.entities.1.name")["defaultValue"] == "Engine"
    assert "defaultValue" not in field(tree, "input.entities.1.entityType")

    def second_entry(node: dict[str, Any]) -> bool:
        children: list[dict[str, Any]] = node.get("children") or []
        return node.get("type") == "Col" and "Entry 2" in texts(children[:1])

    (entry,) = find(tree, second_entry)
    danger = [n["value"] for n in of_type(entry, "Caption") if n.get("color") == "danger"]
    assert danger == ["needs a type", "required"]
    removes = [b["onClickAction"]["payload"] for b in of_type(tree, "Button") if b["label"] == "Remove"]
    assert removes == [
        {"tool": "todo.create_entities", "arguments": {}, "entries": "entities", "remove": i} for i in (0, 1)
    ]
    assert "entities.1.entityType: required" in rendered.copy_text
