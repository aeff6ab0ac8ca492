"""Recorded results of MCP servers nobody here wrote render as their golden widgets (tests/corpus).

UPDATE_GOLDEN=1 rewrites the goldens instead of comparing; review them with
`python -m tests.corpus.review --out DIR` before committing.
"""

from __future__ import annotations

import os

import pytest

from tests.corpus.golden import Recorded, difference, recorded_cases, render, widget_json, write_golden
from tests.render_cases.checks import check
from tests.support.chat import is_error_card

CASES = recorded_cases()
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_the_corpus_is_recorded() -> None:
    assert len(CASES) >= 40, "record it: python -m tests.corpus.record"
    assert {c.server for c in CASES} == {
        "everything", "filesystem", "memory", "sequential-thinking", "git", "time"
    }  # fmt: skip


@pytest.mark.parametrize("recorded", CASES, ids=[c.id for c in CASES])
def test_a_recorded_result_renders_as_its_golden_widget(recorded: Recorded) -> None:
    rendered = render(recorded)
    tree = check(rendered)  # every component and prop is one chatkit knows
    assert not rendered.chosen_by.startswith("the result as JSON"), rendered.chosen_by
    if not recorded.result.is_error:
        assert not is_error_card(tree), f"{recorded.id}: an error card for a result that is no error"
    actual = widget_json(rendered)
    if UPDATE:
        write_golden(recorded, actual)
        return
    diff = difference(recorded, actual)
    if diff is not None:
        pytest.fail(f"{recorded.id} renders differently from its golden widget:\n{diff}", pytrace=False)
