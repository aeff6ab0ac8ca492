"""A bad config file is refused with one line per problem, naming the key path, expected and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import load_config
from gateway.errors import ConfigError


def problems(tmp_path: Path, text: str, name: str = "config.yaml") -> list[str]:
    """The lines of the ConfigError that loading `text` raises, without the file name prefix."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    lines = str(refused.value).splitlines()
    assert all(line.startswith(f"{path}") for line in lines), lines
    return [line.removeprefix(f"{path}").lstrip(":").strip() for line in lines]


def test_a_wrong_type_names_the_key_path_the_expected_type_and_what_was_found(tmp_path: Path) -> None:
    text = "mcp_servers:\n  todo:\n    command: python\n    args: -m mcp_servers.todo\n"
    assert problems(tmp_path, text) == [
        "mcp_servers.todo.args: expected a list of strings, got a string ('-m mcp_servers.todo')"
    ]


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, "model:\n  base_url: http://127.0.0.1:9/v1\n") == [
        "model.model: required key is missing"
    ]


def test_an_unknown_key_is_named_with_the_keys_that_are_accepted(tmp_path: Path) -> None:
    text = "mcp_servers:\n  todo:\n    command: python\n    argz: []\nserver:\n  cors: []\n"
    found = problems(tmp_path, text)
    assert found[0].startswith("mcp_servers.todo.argz: unknown key (did you mean `args`?")
    assert found[1] == (
        "server.cors: unknown key (expected one of: cors_origins, allowed_hosts, max_body_bytes, "
        "shutdown_grace, watch_config)"
    )


def test_an_unknown_top_level_section_is_an_error(tmp_path: Path) -> None:
    [line] = problems(tmp_path, "stores:\n  url: sqlite+aiosqlite:///x.db\n")
    assert line.startswith("stores: unknown key (did you mean `store`?")


def test_a_value_outside_an_enum_lists_the_choices(tmp_path: Path) -> None:
    text = "mcp_servers:\n  docs:\n    url: http://127.0.0.1:9/mcp\n    transport: websocket\nui:\n  theme: pink\n"
    assert problems(tmp_path, text) == [
        "mcp_servers.docs.transport: expected one of 'streamable-http' or 'sse', got 'websocket'",
        "ui.theme: expected one of light, dark, system, or a mapping, got a string ('pink')",
    ]


def test_a_server_with_neither_command_nor_url_says_which_shapes_exist(tmp_path: Path) -> None:
    assert problems(tmp_path, "mcp_servers:\n  todo:\n    comand: python\n") == [
        "mcp_servers.todo: expected a stdio server (`command`) or a remote server (`url`), got keys comand"
    ]


def test_a_missing_environment_variable_names_the_key_that_used_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GATEWAY_TEST_TOKEN", raising=False)
    text = "mcp_servers:\n  docs:\n    url: http://127.0.0.1:9/mcp\n    headers:\n      Authorization: Bearer ${GATEWAY_TEST_TOKEN}\n"
    [line] = problems(tmp_path, text)
    assert line.startswith(
        "mcp_servers.docs.headers.Authorization: environment variable GATEWAY_TEST_TOKEN is not set"
    )


def test_invalid_yaml_gives_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("mcp_servers:\n  todo:\n    command: [python\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value).startswith(f"{path}:4: not valid YAML:")


def test_a_missing_file_is_a_config_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nowhere.yaml")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = "mcp_servers:\n  todo:\n    command: python\n    timeout: soon\n    tools: {allow: x}\nstore:\n  url: mysql://h/db\n"
    assert problems(tmp_path, text) == [
        "mcp_servers.todo.timeout: expected a number, got a string ('soon')",
        "mcp_servers.todo.tools.allow: expected a list of strings, got a string ('x')",
        "store.url: store URL 'mysql://h/db' uses 'mysql': expected sqlite+aiosqlite:// or postgresql+asyncpg://",
    ]


def test_a_starter_prompt_mapping_reports_its_own_fields(tmp_path: Path) -> None:
    text = "ui:\n  starter_prompts:\n    - {label: Tasks}\n    - 3\n"
    assert problems(tmp_path, text) == [
        "ui.starter_prompts[0].prompt: required key is missing",
        "ui.starter_prompts[1]: expected a mapping with `label` and `prompt`, or a string, got a number (3)",
    ]


def test_an_auth_section_needs_tokens_or_a_trusted_header(tmp_path: Path) -> None:
    [line] = problems(tmp_path, "auth: {}\n")
    assert line.startswith("auth: give `tokens` or `trusted_header`")


def test_what_a_server_may_ask_of_the_gateway_is_checked_by_name(tmp_path: Path) -> None:
    text = (
        "mcp_servers:\n  todo:\n    command: python\n    sampling: sometimes\n"
        "    log_level: loud\n    roots: [{uri: no-scheme}]\n"
    )
    found = problems(tmp_path, text)
    assert "mcp_servers.todo.sampling: expected one of 'deny', 'ask' or 'allow', got 'sometimes'" in found
    assert any(line.startswith("mcp_servers.todo.roots[0].uri: ") for line in found), found
    assert any(
        line.startswith("mcp_servers.todo.log_level: expected one of 'alert', 'critical', 'debug'")
        and line.endswith("got 'loud'")
        for line in found
    ), found


def test_a_root_given_as_a_directory_becomes_a_file_uri_named_after_it(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"mcp_servers:\n  todo:\n    command: python\n    roots: [{tmp_path / 'projects'}, 'git://host/repo']\n"
    )
    (projects, repo) = load_config(path).mcp_servers["todo"].roots
    assert (projects.uri, projects.name) == ((tmp_path / "projects").as_uri(), "projects")
    assert (repo.uri, repo.name) == ("git://host/repo", None)
