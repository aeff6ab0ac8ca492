"""Text from any server keeps its lines: diffs, listings, columns, JSON in strings, one-text-field
results, text blobs, and cuts that say what they hide (issue 14, points 1, 2, 3, 5, 6).

Synthesized shapes here; the same shapes from real servers are in test_corpus_shapes.py.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from mcp.types import BlobResourceContents, CallToolResult, EmbeddedResource, ImageContent, TextContent

from gateway.config.render import RenderConfig
from gateway.render.blocks import json_part
from gateway.render.parts import OFFERED_PER_WIDGET, Context, compose
from gateway.render.renderer import Renderer
from tests.render_cases.checks import check, of_type, texts, tool

RENDERER = Renderer(RenderConfig(templates_dir="no-such-dir"), Path(__file__).parent)
TOOL = tool("look", server="files", read_only=True)
ONE_TEXT_FIELD = {"type": "object", "properties": {"content": {"type": "string"}}, "required": ["content"]}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 20).decode()


def render(result: CallToolResult, *, on: Any = TOOL) -> tuple[Any, Any]:
    rendered = RENDERER.result(on, {}, result, siblings=())
    return rendered, check(rendered)


def text_result(value: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=value)])


def markdown_of(tree: Any) -> list[str]:
    return [n["value"] for n in of_type(tree, "Markdown")]


def show_all(tree: Any) -> dict[str, Any]:
    (button,) = [b for b in of_type(tree, "Button") if b["label"] == "Show all"]
    return button["onClickAction"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # git branch: the current-branch star is no bullet, and the indented line stays a line
        ("* feature-x\n  main", "```\n* feature-x\n  main\n```"),
        # space-aligned columns keep their spaces in a monospaced block
        ("NAME    SIZE\nfoo     12\nbarbaz  3", "```\nNAME    SIZE\nfoo     12\nbarbaz  3\n```"),
        # a tree drawn with box characters
        ("src\n├── a.py\n└── b.py", "```\nsrc\n├── a.py\n└── b.py\n```"),
        # a stack trace keeps its indentation
        (
            'Traceback:\n  File "x", line 1\nValueError: x',
            '```\nTraceback:\n  File "x", line 1\nValueError: x\n```',
        ),
    ],
)
def test_aligned_or_indented_text_is_a_code_block(value: str, expected: str) -> None:
    _, tree = render(text_result(value))
    assert markdown_of(tree) == [expected]


def test_a_unified_diff_is_a_diff_code_block_with_its_leading_spaces() -> None:
    diff = (
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n"
        " def main():\n-    print('old')\n+    print('new')\n     return 0"
    )
    _, tree = render(text_result(diff))
    assert markdown_of(tree) == [f"```diff\n{diff}\n```"]


def test_short_lines_become_a_list_and_a_heading_line_stays_a_paragraph() -> None:
    _, tree = render(text_result("Allowed directories:\n/srv/a\n/srv/b_c"))
    assert markdown_of(tree) == ["Allowed directories:\n\n- /srv/a\n- /srv/b\\_c"]


def test_markdown_stays_markdown_and_plain_text_is_escaped_with_its_breaks() -> None:
    _, tree = render(text_result("# Report\n\n**3** checks passed\n- one\n- two"))
    assert markdown_of(tree) == ["# Report\n\n**3** checks passed\n- one\n- two"]
    prose = "The value of a * b is <unknown> for the first entry of the list we read back\n" * 2
    _, tree = render(text_result(prose.strip()))
    (shown,) = markdown_of(tree)
    assert shown.count("\\\n") == 1 and "a \\* b is \\<unknown\\>" in shown


def test_an_already_fenced_block_does_not_show_its_backticks() -> None:
    _, tree = render(text_result("```python\nprint(1)\n```"))
    assert markdown_of(tree) == ["```python\nprint(1)\n```"]
    cut = "```python\n" + "x = 1\n" * 2000 + "```"
    _, tree = render(text_result(cut))
    (shown,) = markdown_of(tree)
    assert shown.startswith("```python\nx = 1") and shown.endswith("\nx = 1\n```") and shown.count("```") == 2


def test_json_in_a_text_block_is_data_and_its_raw_text_is_a_click_away() -> None:
    tree_json = json.dumps([{"name": "src", "type": "directory"}, {"name": "README.md", "type": "file"}])
    image = ImageContent(type="image", data=PNG, mime_type="image/png")
    _, tree = render(CallToolResult(content=[TextContent(type="text", text=tree_json), image]))
    assert "README.md" in texts(tree) and '"name"' not in texts(tree) and "{" not in texts(tree)
    (raw,) = [b for b in of_type(tree, "Button") if b["label"] == "Raw JSON"]
    assert raw["onClickAction"]["payload"]["text"] == tree_json


def test_json_in_a_string_field_is_rendered_as_data() -> None:
    config = json.dumps({"port": 8080, "debug": True})
    result = CallToolResult(content=[], structured_content={"name": "app", "config": config, "owner": "ops"})
    _, tree = render(result)
    visible = texts(tree)
    assert "Port: 8080" in visible and "Debug: yes" in visible and '"port"' not in visible


def test_a_lone_text_field_renders_as_its_text_not_a_one_field_card() -> None:
    listing = "[DIR] src\n[FILE] README.md\n[FILE] setup.py"
    result = CallToolResult(
        content=[TextContent(type="text", text=listing)], structured_content={"content": listing}
    )
    _, tree = render(result, on=tool("list_directory", server="files", output_schema=ONE_TEXT_FIELD))
    assert markdown_of(tree) == ["- \\[DIR\\] src\n- \\[FILE\\] README.md\n- \\[FILE\\] setup.py"]
    assert "Content" not in texts(tree) and "…" not in texts(tree)


def test_a_lone_text_field_holding_json_is_data() -> None:
    value = json.dumps(
        [{"name": "a.txt", "type": "file"}, {"name": "docs", "type": "directory", "children": []}]
    )
    _, tree = render(
        CallToolResult(content=[], structured_content={"content": value}),
        on=tool("directory_tree", server="files", output_schema=ONE_TEXT_FIELD),
    )
    assert "a.txt" in texts(tree) and "docs" in texts(tree) and "[{" not in texts(tree)


def test_every_cut_says_how_much_it_hides_and_offers_the_rest() -> None:
    long_field = "word " * 400  # 2,000 characters in a card field
    _, tree = render(
        CallToolResult(content=[], structured_content={"title": "Note", "body": long_field, "n": 1})
    )
    hidden = [t for t in texts(tree).split("\n") if "more characters not shown" in t]
    assert len(hidden) == 1 and "…" not in markdown_of(tree)[0]
    assert show_all(tree)["payload"] == {"label": "Body", "text": long_field}


def test_a_json_code_block_cut_says_how_much_and_offers_the_rest() -> None:
    data = {"values": list(range(3000))}
    dumped = json.dumps(data, indent=2)
    part = json_part(data, Context(tool=TOOL, arguments={}, source={}), heading="Result")
    tree = check(compose([part]))
    (shown,) = markdown_of(tree)
    assert shown.startswith('```json\n{\n  "values": [') and shown.endswith("\n```")
    hidden = len(dumped) - len(shown.removeprefix("```json\n").removesuffix("\n```"))
    assert f"…{hidden:,} more characters not shown." in texts(tree)
    assert show_all(tree)["payload"] == {"label": "Result", "text": dumped}


def test_one_widget_carries_at_most_its_budget_of_values_to_show_in_full() -> None:
    fields = {f"note{i}": f"{i} " + "word " * 12_000 for i in range(8)}  # 60,000 characters each
    _, tree = render(CallToolResult(content=[], structured_content={"title": "Notes", **fields}))
    offered = [
        b["onClickAction"]["payload"]["text"] for b in of_type(tree, "Button") if b["label"] == "Show all"
    ]
    assert 0 < len(offered) < 8 and sum(map(len, offered)) <= OFFERED_PER_WIDGET
    assert texts(tree).count("this widget offers no more in full") == 8 - len(offered)


def test_a_value_too_long_to_offer_says_so_without_a_button() -> None:
    _, tree = render(text_result("y" * 150_000))
    assert "…146,000 more characters not shown (too long to show in the chat)." in texts(tree)
    assert not [b for b in of_type(tree, "Button") if b["label"] == "Show all"]


def test_a_text_blob_in_an_embedded_resource_is_decoded() -> None:
    blob = base64.b64encode(b"first line\nsecond line\n").decode()
    resource = BlobResourceContents(uri="file:///notes.txt", mime_type="text/plain", blob=blob)
    _, tree = render(CallToolResult(content=[EmbeddedResource(type="resource", resource=resource)]))
    assert markdown_of(tree) == ["- first line\n- second line"]
    assert "Binary content" not in texts(tree)
    binary = BlobResourceContents(
        uri="file:///x.bin", mime_type="text/plain", blob=base64.b64encode(b"\xff\xfe").decode()
    )
    _, tree = render(CallToolResult(content=[EmbeddedResource(type="resource", resource=binary)]))
    assert "Binary content, 2 bytes." in texts(tree)


def test_a_list_of_records_with_their_own_data_is_no_tree() -> None:
    orders = [{"name": "Order 1", "total": 30, "children": [{"name": "Widget", "qty": 2, "price": 3.5}]}]
    _, tree = render(text_result(json.dumps(orders)))
    assert "├──" not in "".join(markdown_of(tree)) and "Order 1" in texts(tree) and "30" in texts(tree)
