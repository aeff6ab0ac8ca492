"""Model-facing tool names: `server__tool`, only [a-zA-Z0-9_-], at most 64 characters, unique."""

from __future__ import annotations

import re

from gateway.mcp.naming import assign_model_names, model_name

VALID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def test_a_plain_name_is_server_double_underscore_tool() -> None:
    assert model_name("todo", "list_tasks") == "todo__list_tasks"
    assert model_name("everything", "get-sum") == "everything__get-sum"


def test_characters_models_reject_become_underscores() -> None:
    name = model_name("my.server", "tool with spaces/and:colons")
    assert VALID.match(name)
    assert name == "my_server__tool_with_spaces_and_colons"


def test_long_names_are_cut_to_64_with_a_hash_so_they_stay_distinct() -> None:
    first = model_name("server", "a" * 80 + "_one")
    second = model_name("server", "a" * 80 + "_two")
    assert len(first) == 64 and len(second) == 64
    assert VALID.match(first) and VALID.match(second)
    assert first != second
    assert first.startswith("server__aaaa")


def test_collisions_after_cleaning_get_distinct_names_whatever_the_order() -> None:
    pairs = [("s", "a.b"), ("s", "a_b"), ("t", "x")]
    names = assign_model_names(pairs)
    again = assign_model_names(list(reversed(pairs)))
    assert names == again
    assert names[("t", "x")] == "t__x"
    assert names[("s", "a.b")] != names[("s", "a_b")]
    assert all(VALID.match(n) for n in names.values())
    assert len(set(names.values())) == len(pairs)


def test_many_tools_all_get_valid_unique_names() -> None:
    pairs = [("srv", f"tool {i}") for i in range(300)] + [("srv", f"tool_{i}") for i in range(300)]
    names = assign_model_names(pairs)
    assert len(set(names.values())) == 600
    assert all(VALID.match(n) for n in names.values())
