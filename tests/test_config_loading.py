"""A good config file loads: defaults, ${VAR} interpolation, desktop JSON files, paths next to the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from gateway.config import RemoteServerConfig, StdioServerConfig, load_config
from tests.conftest import ROOT


def test_the_repository_config_is_valid_and_runs_the_todo_server_over_stdio() -> None:
    config = load_config(ROOT / "config.yaml")
    todo = config.mcp_servers["todo"]
    assert isinstance(todo, StdioServerConfig)
    parameters = todo.parameters(config.config_dir)
    assert parameters.command == sys.executable  # `python` is the gateway's own interpreter
    assert parameters.args == ["-m", "mcp_servers.todo", "--db", "./data/todo.db"]
    assert Path(str(parameters.cwd)) == ROOT
    assert config.store_url() == f"sqlite+aiosqlite:///{ROOT / 'data' / 'gateway.db'}"
    assert config.model is None and config.auth is None


def test_an_empty_file_means_every_default(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("")
    config = load_config(path)
    assert config.mcp_servers == {}
    assert config.server.max_body_bytes == 1024 * 1024
    assert config.config_dir == tmp_path


def test_environment_variables_and_defaults_are_interpolated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_TEST_TOKEN", "s3cret")
    monkeypatch.delenv("GATEWAY_TEST_HOST", raising=False)
    path = tmp_path / "config.yaml"
    path.write_text(
        "mcp_servers:\n"
        "  docs:\n"
        "    url: http://${GATEWAY_TEST_HOST:-127.0.0.1}:9/mcp\n"
        "    headers: {Authorization: 'Bearer ${GATEWAY_TEST_TOKEN}'}\n"
        "    transport: sse\n"
    )
    docs = load_config(path).mcp_servers["docs"]
    assert isinstance(docs, RemoteServerConfig)
    assert docs.url == "http://127.0.0.1:9/mcp"
    assert docs.headers == {"Authorization": "Bearer s3cret"}
    assert docs.transport == "sse"


def test_a_desktop_clients_json_file_with_mcp_servers_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "files": {
                        "command": "npx",
                        "args": ["-y", "@scope/server", "/tmp"],
                        "env": {"DEBUG": "1"},
                    },
                    "remote": {"type": "sse", "url": "https://example.com/sse"},
                    "web": {"type": "http", "url": "https://example.com/mcp"},
                }
            }
        )
    )
    servers = load_config(path).mcp_servers
    assert isinstance(servers["files"], StdioServerConfig) and servers["files"].env == {"DEBUG": "1"}
    assert isinstance(servers["remote"], RemoteServerConfig) and servers["remote"].transport == "sse"
    assert isinstance(servers["web"], RemoteServerConfig) and servers["web"].transport == "streamable-http"


def test_numbers_in_args_and_env_are_taken_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "mcp_servers:\n  s:\n    command: srv\n    args: [--port, 8080]\n    env: {DEBUG: 1, FAST: true}\n"
    )
    server = load_config(path).mcp_servers["s"]
    assert isinstance(server, StdioServerConfig)
    assert server.args == ["--port", "8080"] and server.env == {"DEBUG": "1", "FAST": "true"}


def test_relative_paths_resolve_against_the_config_files_directory(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.yaml"
    path.parent.mkdir()
    path.write_text(
        "mcp_servers:\n  s: {command: srv, cwd: servers}\n  t: {command: srv}\n"
        "store: {url: 'sqlite+aiosqlite:///./state/gateway.db'}\n"
    )
    config = load_config(path)
    s, t = config.mcp_servers["s"], config.mcp_servers["t"]
    assert isinstance(s, StdioServerConfig) and isinstance(t, StdioServerConfig)
    assert s.parameters(config.config_dir).cwd == path.parent / "servers"
    assert t.parameters(config.config_dir).cwd == path.parent
    assert config.store_url() == f"sqlite+aiosqlite:///{path.parent / 'state' / 'gateway.db'}"
