"""The corpus servers (tests/corpus) live behind a gateway: every recorded tool is listed, and a
real call to each server renders through /chatkit without an error card, as recorded."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import fixtures
from tests.corpus.cases import SERVERS, Server
from tests.corpus.golden import WIDGETS, tools_of
from tests.corpus.record import localize
from tests.support.chat import is_error_card, last_widget, text_of
from tests.support.gateway import Gateway, find_nodes, running_gateway, write_config

pytestmark = pytest.mark.node

# One call per server: (server, command arguments with PLACEHOLDER paths, a text the widget shows,
# the golden it must equal when the call does not depend on the fixture's paths).
CALLS: list[tuple[str, str, dict[str, Any], str, str | None]] = [
    ("everything", "get-sum", {"a": 2, "b": 40}, "42", "get_sum"),
    ("filesystem", "list_directory", {"path": "/corpus/workspace/notes"}, "todo.txt", None),
    ("memory", "read_graph", {}, "entities", None),
    (
        "sequential-thinking",
        "sequentialthinking",
        {"thought": "List what the widget must show.", "thoughtNumber": 1, "nextThoughtNeeded": True, "totalThoughts": 3},
        "thoughtHistoryLength",
        "first_thought",
    ),
    ("git", "git_branch", {"repo_path": "/corpus/repo", "branch_type": "local"}, "feature/shout", None),
    ("time", "convert_time", {"source_timezone": "UTC", "time": "16:30", "target_timezone": "Asia/Tokyo"}, "Asia/Tokyo", None),
]  # fmt: skip


def server_config(server: Server, root: Path) -> dict[str, Any]:
    command = "python" if server.command == sys.executable else server.command  # the gateway's own python
    entry: dict[str, Any] = {"command": command, "args": localize(list(server.args), root), "timeout": 60}
    if server.env:
        entry["env"] = localize(dict(server.env), root)
    return entry


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus fixtures (workspace, repository, memory file), built fresh."""
    built = tmp_path_factory.mktemp("corpus-fixtures").resolve()
    fixtures.build(built)
    return built


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Iterator[Gateway]:
    """A gateway with the six corpus servers configured, as record.py starts them."""
    tmp = tmp_path_factory.mktemp("corpus-gateway")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {name: server_config(server, root) for name, server in SERVERS.items()},
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config, timeout=60) as running:
        yield running


def test_every_recorded_tool_of_the_six_servers_is_listed(gateway: Gateway) -> None:
    catalog = last_widget(gateway.client().create_thread("/tools"))["widget"]
    listed = {
        n["payload"]["tool"]
        for n in find_nodes(catalog, lambda n: isinstance(n.get("payload"), dict) and "tool" in n["payload"])
    }
    for server in SERVERS:
        recorded = {f"{server}.{t.name}" for t in tools_of(server)}
        assert recorded, f"nothing recorded for {server}: run python -m tests.corpus.record"
        assert recorded <= listed, (
            f"{server}: not listed: {sorted(recorded - listed)}\n{gateway.logs()[-3000:]}"
        )


@pytest.mark.parametrize(("server", "tool", "arguments", "shows", "golden"), CALLS, ids=[c[0] for c in CALLS])
def test_a_real_call_to_each_server_renders_without_an_error_card(
    gateway: Gateway,
    root: Path,
    server: str,
    tool: str,
    arguments: dict[str, Any],
    shows: str,
    golden: str | None,
) -> None:
    command = f"/{server}.{tool} {json.dumps(localize(arguments, root))}"
    item = last_widget(gateway.client().create_thread(command))
    assert not is_error_card(item["widget"]), text_of(item["widget"])
    assert shows in text_of(item["widget"]) + item["copy_text"]
    if golden is not None:
        expected = json.loads((WIDGETS / server / f"{golden}.widget.json").read_text())
        assert {"copy_text": item["copy_text"], "widget": item["widget"]} == expected
