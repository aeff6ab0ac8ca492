"""Issue 14's rendering points on results real servers returned (tests/corpus): what a person
reading each widget would check. The goldens hold every widget whole; these name what matters."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.corpus.golden import Recorded, recorded_cases, render
from tests.render_cases.checks import check, of_type, texts

CASES = {c.id: c for c in recorded_cases()}


def shown(case: str) -> tuple[Any, Any]:
    rendered = render(CASES[case])
    return rendered, check(rendered)


def text_of(recorded: Recorded) -> str:
    block = recorded.result.content[0]
    assert block.type == "text"
    return block.text


def markdown_of(tree: Any) -> list[str]:
    return [n["value"] for n in of_type(tree, "Markdown")]


def test_git_branch_keeps_its_lines_and_the_current_branch_mark() -> None:
    _, tree = shown("git/branch_local")
    listing = text_of(CASES["git/branch_local"])
    assert "* main" in listing and "\n  " in listing  # what mcp-server-git sends
    assert markdown_of(tree) == [f"```\n{listing}\n```"]


def test_a_git_diff_is_a_diff_block_under_its_heading_with_every_leading_space() -> None:
    _, tree = shown("git/diff_unstaged")
    heading, _, diff = text_of(CASES["git/diff_unstaged"]).partition("\n")
    (value,) = markdown_of(tree)
    assert value == f"{heading}\n\n```diff\n{diff.strip(chr(10))}\n```"
    assert "\n+        raise ValueError" in value  # the indentation of added code survives


def test_a_diff_the_server_fenced_itself_shows_no_backticks() -> None:
    _, tree = shown("filesystem/edit_file")
    sent = text_of(CASES["filesystem/edit_file"])
    assert sent.startswith("```diff")  # server-filesystem fences its own diff
    (value,) = markdown_of(tree)
    assert value.startswith("```diff\n") and value.count("```") == 2


def test_git_status_keeps_its_indented_hints_aligned() -> None:
    _, tree = shown("git/status")
    (value,) = markdown_of(tree)
    assert value.startswith("```\n") and "\n\tmodified:   hello.py" in value.replace(
        "    modified", "\tmodified"
    )


def test_a_directory_listing_is_a_list_of_its_entries() -> None:
    _, tree = shown("filesystem/list_directory")
    (value,) = markdown_of(tree)
    entries = text_of(CASES["filesystem/list_directory"]).split("\n")
    escaped = [e.replace("[", "\\[").replace("]", "\\]") for e in entries]
    assert value.split("\n") == [f"- {e}" for e in escaped]


def test_markdown_a_server_returns_stays_markdown() -> None:
    _, tree = shown("filesystem/read_text_markdown")
    assert markdown_of(tree) == [text_of(CASES["filesystem/read_text_markdown"]).strip("\n")]


def test_a_directory_tree_sent_as_json_text_is_drawn_as_a_tree_with_the_raw_json_reachable() -> None:
    rendered, tree = shown("filesystem/directory_tree")
    (value,) = markdown_of(tree)
    assert value.startswith("```\n├── README.md\n├── data/\n│   ├── config.json")
    assert '"children"' not in texts(tree)
    (raw,) = [b for b in of_type(tree, "Button") if b["label"] == "Raw JSON"]
    assert json.loads(raw["onClickAction"]["payload"]["text"]) == json.loads(
        CASES["filesystem/directory_tree"].result.structured_content["content"]  # type: ignore[index]
    )
    assert rendered.copy_text.startswith("Tree of 14 entries: README.md, data, images")


def test_a_one_text_field_result_is_its_text_whole_not_a_cut_content_field() -> None:
    recorded = CASES["filesystem/read_multiple_files"]
    assert list(recorded.result.structured_content or {}) == ["content"]
    _, tree = shown("filesystem/read_multiple_files")
    assert "Content" not in texts(tree) and not of_type(tree, "Caption")
    (value,) = markdown_of(tree)
    assert "Linus,maintainer,1991" in value
    assert "\\\n" + "\u00a0" * 4 + "\\- section one\\\n" in value  # its own lines and indentation


def test_key_value_lines_become_fields_and_records_become_rows() -> None:
    _, tree = shown("filesystem/file_info")
    visible = texts(tree)
    assert "Permissions\n644" in visible and "Is directory\nfalse" in visible
    rendered, tree = shown("git/log")
    assert tree["type"] == "ListView" and tree["status"]["text"] == "Commit history"
    assert [r["children"][0]["children"][0]["children"][0]["value"] for r in tree["children"]] == [
        "Add a changelog",
        "Document usage",
        "Add the greeting module",
    ]
    assert rendered.copy_text.startswith("3 items: Add a changelog, Document usage")


def test_a_knowledge_graph_is_two_tables_not_caption_strings() -> None:
    _, tree = shown("memory/read_graph")
    visible = texts(tree)
    assert "Entities" in visible and "Relations" in visible
    assert "Name\nEntity type\nObservations" in visible and "From\nTo\nRelation type" in visible
    assert "entityType:" not in visible and "observations: [" not in visible
    assert "• Wrote the first published program" in visible


def test_a_text_blob_in_an_embedded_resource_is_decoded_and_shown() -> None:
    recorded = CASES["everything/resource_reference_blob"]
    (blob,) = [b for b in recorded.result.content if b.type == "resource"]
    decoded = base64.b64decode(blob.resource.blob).decode()  # type: ignore[union-attr]
    _, tree = shown("everything/resource_reference_blob")
    assert any(decoded.strip() in m for m in markdown_of(tree))
    assert "Binary content" not in texts(tree)


def test_no_real_result_is_cut_with_a_bare_ellipsis() -> None:
    for case_id in CASES:
        _, tree = shown(case_id)
        for node in of_type(tree, "Markdown") + of_type(tree, "Text"):
            assert not node["value"].endswith("…"), f"{case_id}: {node['value'][-80:]!r}"
