"""Slash commands by name: a bare `/tool` runs only what changes nothing, names with spaces are
typed in quotes, and what the gateway shows as a name can be typed back (through uvicorn)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.vocabulary.names import needs_quotes, read_name, typed_name
from tests.support.chat import field_names, form_action, last_widget, tasks, text_of
from tests.support.gateway import (
    ROOT,
    Gateway,
    Reply,
    running_gateway,
    submit_form,
    todo_server_config,
    write_config,
)


def names_server(marker: Path) -> dict[str, object]:
    """tests/servers/names.py: tools named with spaces; `stamp` writes to `marker`."""
    return {
        "command": sys.executable,
        "args": ["-m", "tests.servers.names", "--marker", str(marker)],
        "cwd": str(ROOT),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Gateway, Path]]:
    """Our todo server, and the names server twice: as `names` and as `other`."""
    tmp = tmp_path_factory.mktemp("names")
    config = {
        "mcp_servers": {
            "todo": todo_server_config(tmp / "todo.db"),
            "names": names_server(tmp / "names.stamps"),
            "other": names_server(tmp / "other.stamps"),
        },
        "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
    }
    with running_gateway(write_config(tmp / "config.yaml", config)) as gateway:
        yield gateway, tmp


def said(reply: Reply) -> str:
    """The text of the assistant's last message in a reply."""
    messages = reply.done_items("assistant_message")
    assert messages, f"no message in {[e['type'] for e in reply.events]}"
    return messages[-1]["content"][0]["text"]


def shown(reply: Reply) -> str:
    """The text of the last widget in a reply, and its copy text."""
    widget = last_widget(reply)
    return text_of(widget["widget"]) + "\n" + widget["copy_text"]


def stamps(tmp: Path, server: str = "names") -> int:
    marker = tmp / f"{server}.stamps"
    return len(marker.read_text().splitlines()) if marker.exists() else 0


# -- a bare name runs only a read-only tool ----------------------------------------------------


def test_a_bare_read_only_tool_runs_at_once(site: tuple[Gateway, Path]) -> None:
    gateway, tmp = site
    client = gateway.client()
    thread = client.create_thread('/add_task title="Buy oat milk"').thread_id  # arguments: it runs
    assert [t["title"] for t in tasks(tmp / "todo.db")] == ["Buy oat milk"]
    listed = client.send(thread, "/list_tasks")  # todo's list_tasks is annotated read-only
    assert "1 task: #1 Buy oat milk (pending)" in shown(listed)  # the list itself, not a form
    assert "peeked: " in shown(client.send(thread, "/names.peek"))


def test_a_bare_tool_that_changes_something_opens_its_form_and_runs_only_when_submitted(
    site: tuple[Gateway, Path],
) -> None:
    gateway, tmp = site
    client = gateway.client()
    before = stamps(tmp)
    opened = client.create_thread("/names.stamp")
    form = last_widget(opened)
    assert "stamp" in text_of(form["widget"]).lower() and "stamped" not in shown(opened)
    assert stamps(tmp) == before  # nothing ran
    ran = client.action(opened.thread_id, form["id"], submit_form(form_action(form["widget"]), {}))
    (result,) = [e["item"] for e in ran.of_type("thread.item.replaced")]  # the form becomes the result
    assert f"stamped ({before + 1} in all)" in text_of(result["widget"])
    assert stamps(tmp) == before + 1


def test_empty_json_arguments_run_a_tool_that_changes_something(site: tuple[Gateway, Path]) -> None:
    gateway, tmp = site
    before = stamps(tmp)
    reply = gateway.client().create_thread("/names.stamp {}")
    assert f"stamped ({before + 1} in all)" in shown(reply) and stamps(tmp) == before + 1


def test_a_bare_destructive_tool_opens_its_form_then_asks_before_it_runs(site: tuple[Gateway, Path]) -> None:
    gateway, tmp = site
    client = gateway.client()
    client.create_thread("/other.stamp {}")
    assert stamps(tmp, "other") >= 1
    opened = client.create_thread("/other.wipe")
    form = last_widget(opened)
    submitted = client.action(opened.thread_id, form["id"], submit_form(form_action(form["widget"]), {}))
    card = last_widget(submitted)
    assert card["copy_text"] == "Confirm other.wipe()?" and stamps(tmp, "other") >= 1  # not yet
    confirmed = client.action(opened.thread_id, card["id"], card["widget"]["confirm"]["action"])
    (result,) = [e["item"] for e in confirmed.of_type("thread.item.replaced")]  # in place of the form
    assert "wiped" in text_of(result["widget"]) and stamps(tmp, "other") == 0


def test_a_bare_tool_with_required_arguments_still_opens_its_form(site: tuple[Gateway, Path]) -> None:
    gateway, _ = site
    form = last_widget(gateway.client().create_thread("/todo.complete_task"))["widget"]
    assert "input.id" in field_names(form)


# -- names in quotes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ('/names."say hello" who=Ada', "hello, Ada"),
        ('/other."say hello" {"who": "Grace"}', "hello, Grace"),
        ('/"other"."say hello"', "hello, world"),  # server names need no quotes, but may have them
        ('/"other".peek', "peeked: "),
        ('/names."say \\"hi\\""', "hi there"),
    ],
)
def test_a_name_with_spaces_or_quotes_is_typed_in_quotes(
    site: tuple[Gateway, Path], command: str, answer: str
) -> None:
    gateway, _ = site
    assert answer in shown(gateway.client().create_thread(command))


def test_a_bare_quoted_name_on_two_servers_suggests_names_that_can_be_typed(
    site: tuple[Gateway, Path],
) -> None:
    gateway, _ = site
    client = gateway.client()
    reply = client.create_thread('/"say hello" who=Lin')
    text = said(reply)
    assert 'Unknown tool: "say hello". Did you mean: names."say hello", other."say hello"?' in text
    for suggestion in re.findall(r"Did you mean: (.*)\?", text)[0].split(", "):
        assert "hello, Lin" in shown(client.send(reply.thread_id, f"/{suggestion} who=Lin"))


def test_a_quoted_name_whose_quote_is_not_closed_is_explained(site: tuple[Gateway, Path]) -> None:
    gateway, _ = site
    text = said(gateway.client().create_thread('/names."say hello who=Ada'))
    assert text.startswith("This command cannot be read: the quoted name has no closing quote.")


def test_every_name_the_catalog_shows_can_be_typed(site: tuple[Gateway, Path]) -> None:
    gateway, _ = site
    client = gateway.client()
    catalog = last_widget(client.create_thread("/tools"))
    visible = text_of(catalog["widget"])
    for typed in ('names."say hello"', 'other."say hello"', 'names."say \\"hi\\""', "other.peek"):
        assert typed in visible.splitlines(), typed
    assert "19 tools on 3 servers" in visible  # 7 todo tools, 6 on each names server
    for line in visible.splitlines():
        if line.startswith(("names.", "other.")):
            reply = client.send(catalog["thread_id"], f"/{line} {{}}")
            assert not reply.done_items("assistant_message"), f"/{line}: {said(reply)}"


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    config = {
        "mcp_servers": {"names": names_server(tmp_path / "stamps")},
        "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"},
    }
    with running_gateway(write_config(tmp_path / "config.yaml", config)) as gateway:
        catalog = last_widget(gateway.client().create_thread("/tools"))
    assert "6 tools on 1 server" in text_of(catalog["widget"])
    assert catalog["copy_text"].startswith("6 tools on 1 server. names (up; 6 tools: ")


@pytest.mark.parametrize("name", ["say hello", 'say "hi"', "back\\slash", "tab\there", "x.y", "", "plain"])
def test_a_shown_name_reads_back_as_the_same_server_and_tool(name: str) -> None:
    typed, rest = read_name(f"{typed_name('names', name)} who=Ada")
    assert rest == "who=Ada"
    if needs_quotes(name):
        assert (typed.server, typed.name) == ("names", name)
    else:  # as typed before quotes existed: one name, found by lookup
        assert (typed.server, typed.name) == (None, f"names.{name}")


def test_the_command_line_lists_names_as_they_are_typed_and_takes_them(tmp_path: Path) -> None:
    config = {"mcp_servers": {"names": names_server(tmp_path / "stamps")}}
    path = str(write_config(tmp_path / "config.yaml", config))
    listed = cli("tools", "--config", path)
    assert listed.returncode == 0 and '  names."say hello"  ' in listed.stdout
    called = cli("call", 'names."say hello"', "--args", '{"who": "Ada"}', "--config", path)
    assert called.returncode == 0 and json.loads(called.stdout) == {"result": "hello, Ada"}, called.stderr
    spaced = cli("call", "names.say hello", "--config", path)  # one shell word, spaces and all
    assert spaced.returncode == 0 and json.loads(spaced.stdout) == {"result": "hello, world"}, spaced.stderr
    unreadable = cli("call", 'names."say hello', "--config", path)
    assert unreadable.returncode == 2
    assert unreadable.stderr == (
        'error: names."say hello cannot be read as a tool name: the quoted name has no closing quote\n'
    )


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
