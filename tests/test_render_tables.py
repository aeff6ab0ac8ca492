"""Arrays of objects inside a result are tables, not caption strings (issue 14, point 4).

Synthesized shapes (a knowledge graph as server-memory returns it); the real server's
results are in test_corpus_shapes.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp.types import CallToolResult

from gateway.config.render import RenderConfig
from gateway.render.renderer import Renderer
from tests.render_cases.checks import check, find, of_type, texts, tool

RENDERER = Renderer(RenderConfig(templates_dir="no-such-dir"), Path(__file__).parent)
GRAPH = {
    "entities": [
        {
            "type": "entity",
            "name": "Alice",
            "entityType": "person",
            "observations": ["Works at Acme as an engineer"],
        },
        {
            "type": "entity",
            "name": "Acme",
            "entityType": "company",
            "observations": ["Founded 1999", "Makes anvils"],
        },
        {"type": "entity", "name": "Bob", "entityType": "person", "observations": []},
    ],
    "relations": [{"type": "relation", "from": "Alice", "to": "Acme", "relationType": "works_at"}],
}


def render(data: Any, **kwargs: Any) -> tuple[Any, Any]:
    rendered = RENDERER.result(
        tool("read_graph", server="memory", read_only=True, **kwargs),
        {},
        CallToolResult(content=[], structured_content=data),
    )
    return rendered, check(rendered)


def table_rows(tree: Any, heading: str) -> list[list[str]]:
    """The rows (header first) of the table under a heading: each cell's visible text."""
    card_children = tree["children"]
    start = next(
        i
        for i, n in enumerate(card_children)
        if any(t.get("value") == heading for t in n.get("children", []))
    )
    rows: list[list[str]] = []
    for node in card_children[start + 1 :]:
        cells = node.get("children", [])
        if node.get("type") != "Row" or not cells or not all(c.get("type") == "Box" for c in cells):
            break
        rows.append([" / ".join(t for t in texts(c).split("\n") if t) for c in cells])
    return rows


def test_each_list_of_objects_is_a_table_with_headers_and_aligned_cells() -> None:
    rendered, tree = render(GRAPH)
    entities = table_rows(tree, "Entities")
    assert entities[0] == ["Name", "Entity type", "Observations"]
    assert entities[1][:2] == ["Alice", "person"] and entities[2][:2] == ["Acme", "company"]
    assert entities[3] == ["Bob", "person", "(none)"]
    assert all(len(r) == 3 for r in entities)  # every row has a cell per column: they line up
    relations = table_rows(tree, "Relations")
    assert relations == [["Type", "From", "To", "Relation type"], ["relation", "Alice", "Acme", "works_at"]]
    # no object flattened into "name: Alice, entityType: person, …"
    assert "entityType:" not in texts(tree) and "name: Alice" not in texts(tree)
    assert rendered.copy_text.startswith("3 entities: Alice, Acme, Bob; 1 relation: ")


def test_a_column_with_one_value_in_every_row_becomes_a_note() -> None:
    _, tree = render(GRAPH)
    assert "Type: entity in every row" in texts(tree)
    assert "Type" not in table_rows(tree, "Entities")[0]


def test_nested_lists_are_badges_when_short_and_a_sub_list_otherwise() -> None:
    _, tree = render(GRAPH)
    acme_badges = [b["label"] for b in of_type(tree, "Badge")]
    assert "Founded 1999" in acme_badges and "Makes anvils" in acme_badges
    assert "• Works at Acme as an engineer" in texts(tree)


def test_wide_and_long_tables_say_what_they_leave_out() -> None:
    wide = [{f"col{c}": f"r{r}c{c}" for c in range(9)} for r in range(30)]
    _, tree = render({"title": "Wide", "rows": wide, "note": "x"})
    assert len(table_rows(tree, "Rows")[0]) == 6
    assert "3 more columns not shown: Col6, Col7, Col8" in texts(tree)
    assert "…and 10 more" in texts(tree)


def test_a_list_of_objects_in_a_list_row_is_counted_and_long_strings_are_a_sub_list() -> None:
    people = [
        {
            "id": 1,
            "name": "Alice",
            "notes": ["Prefers email over phone calls", "Based in Oslo", "Speaks Norwegian", "Plays chess"],
        },
        {"id": 2, "name": "Bob", "notes": ["Joined in 2024"]},
    ]
    _, tree = render({"people": people})
    assert tree["type"] == "ListView"
    shown = texts(tree)
    assert "• Prefers email over phone calls" in shown and "…and 1 more" in shown
    assert not find(tree, lambda n: n.get("value", "").startswith("notes: ["))
