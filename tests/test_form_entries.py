"""Arrays of objects in a tool's form: one group of fields per entry, "Add entry" and "Remove"
keep what was typed, the submit sends the array, and problems sit under the entry they are about.

Partners: @modelcontextprotocol/server-memory (`create_entities`: entities of name, entityType
and a string list) and tests/servers/shapes.py (item schemas behind `$ref`, minItems/maxItems,
a group inside a group).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.chat import buttons, field, field_names, form_action, last_widget, text_of
from tests.support.gateway import ROOT, ChatKitClient, Gateway, find_nodes, running_gateway, write_config

pytestmark = pytest.mark.node

MEMORY_JS = ROOT / ".cache/partners/node_modules/@modelcontextprotocol/server-memory/dist/index.js"


@pytest.fixture(scope="module")
def memory_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("memory") / "memory.jsonl"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, memory_file: Path) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("entries")
    servers = {
        "memory": {
            "command": "node",
            "args": [str(MEMORY_JS)],
            "env": {"MEMORY_FILE_PATH": str(memory_file)},
        },
        "shapes": {"command": "python", "args": ["-m", "tests.servers.shapes"], "cwd": str(ROOT)},
    }
    config = {"mcp_servers": servers, "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"}}
    with running_gateway(write_config(tmp / "config.yaml", config)) as running:
        yield running


def entities(memory_file: Path) -> dict[str, dict[str, Any]]:
    """What server-memory saved, by entity name."""
    if not memory_file.exists():
        return {}
    rows = [json.loads(line) for line in memory_file.read_text().splitlines() if line.strip()]
    return {r["name"]: r for r in rows if r.get("type") == "entity"}


def send(action: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """What the web component sends when `action` fires inside the form: every field's value
    merged into the payload by its dotted name (as tests.support.gateway.submit_form does)."""
    payload = copy.deepcopy(action["payload"])
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = payload
        for part in parents:
            target = target.setdefault(part, {})
        target.setdefault(leaf, value)
    return {"type": action["type"], "payload": payload}


def click(
    client: ChatKitClient,
    thread_id: str,
    item: dict[str, Any],
    label: str,
    values: dict[str, Any],
    index: int = 0,
) -> dict[str, Any]:
    """Click the `index`th button labelled `label` in a form with `values` typed; the item shown after."""
    action = buttons(item["widget"], label)[index]["onClickAction"]
    reply = client.action(thread_id, item["id"], send(action, values))
    replaced = reply.of_type("thread.item.replaced")
    assert replaced, f"the form was not shown again: {[e['type'] for e in reply.events]}"
    assert replaced[0]["item"]["id"] == item["id"]
    return replaced[0]["item"]


def submit(client: ChatKitClient, thread_id: str, item: dict[str, Any], values: dict[str, Any]) -> Any:
    return client.action(thread_id, item["id"], send(form_action(item["widget"]), values))


def is_field(node: dict[str, Any]) -> bool:
    return isinstance(node.get("name"), str) and "type" in node


def is_problem(node: dict[str, Any]) -> bool:
    return node.get("color") == "danger"


def is_required(node: dict[str, Any]) -> bool:
    return node.get("required") is True


def shown(widget: dict[str, Any]) -> dict[str, Any]:
    """Every field's name → what it shows (defaultValue, or defaultChecked)."""
    return {f["name"]: f.get("defaultValue", f.get("defaultChecked")) for f in find_nodes(widget, is_field)}


def block_of(widget: dict[str, Any], name: str) -> dict[str, Any]:
    """The innermost container holding the field called `name` (its label, hints and problems)."""

    def holds(node: dict[str, Any]) -> bool:
        children: list[dict[str, Any]] = node.get("children") or []
        return node.get("type") == "Col" and any(c.get("name") == name for c in children)

    holders = find_nodes(widget, holds)
    assert holders, f"no field {name}"
    return holders[0]


def test_create_entities_shows_one_entry_and_add_entry_keeps_what_was_typed(
    gateway: Gateway, memory_file: Path
) -> None:
    client = gateway.client()
    created = client.create_thread("/memory.create_entities")
    form = last_widget(created)
    names = field_names(form["widget"])
    assert names == ["input.entities.0.name", "input.entities.0.entityType", "input.entities.0.observations"]
    assert "Entry 1" in text_of(form["widget"])
    assert buttons(form["widget"], "Remove") == []  # the array is required: one entry stays
    assert len(buttons(form["widget"], "Add entry")) == 1

    typed = {
        "input.entities.0.name": "Ada",
        "input.entities.0.entityType": "person",
        "input.entities.0.observations": "wrote the first program, liked poetry",
    }
    form = click(client, created.thread_id, form, "Add entry", typed)
    assert shown(form["widget"]) == {
        "input.entities.0.name": "Ada",
        "input.entities.0.entityType": "person",
        "input.entities.0.observations": "wrote the first program, liked poetry",
        "input.entities.1.name": None,
        "input.entities.1.entityType": None,
        "input.entities.1.observations": None,
    }
    assert len(buttons(form["widget"], "Remove")) == 2
    assert entities(memory_file) == {}  # adding an entry calls nothing

    reply = submit(
        client,
        created.thread_id,
        form,
        typed
        | {
            "input.entities.1.name": "Analytical Engine",
            "input.entities.1.entityType": "machine",
            "input.entities.1.observations": "designed by Babbage",
        },
    )
    assert not reply.of_type("error")
    saved = entities(memory_file)
    assert saved["Ada"]["entityType"] == "person"
    assert saved["Ada"]["observations"] == ["wrote the first program", "liked poetry"]
    assert saved["Analytical Engine"]["observations"] == ["designed by Babbage"]


def test_remove_takes_out_that_entry_and_keeps_the_others(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/memory.create_entities")
    form = last_widget(created)
    form = click(client, created.thread_id, form, "Add entry", {"input.entities.0.name": "first"})
    typed = {"input.entities.0.name": "first", "input.entities.1.name": "second"}
    form = click(client, created.thread_id, form, "Add entry", typed)
    typed |= {"input.entities.2.name": "third", "input.entities.2.entityType": "kind"}
    form = click(client, created.thread_id, form, "Remove", typed, index=1)
    values = shown(form["widget"])
    assert [values[f"input.entities.{i}.name"] for i in range(2)] == ["first", "third"]
    assert values["input.entities.1.entityType"] == "kind"
    assert "input.entities.2.name" not in values
    form = click(client, created.thread_id, form, "Remove", {"input.entities.0.name": "first"}, index=1)
    assert buttons(form["widget"], "Remove") == []  # back to the one entry a required array needs
    assert shown(form["widget"])["input.entities.0.name"] == "first"


def test_a_problem_is_shown_under_the_field_of_the_entry_it_is_about(
    gateway: Gateway, memory_file: Path
) -> None:
    client = gateway.client()
    created = client.create_thread("/memory.create_entities")
    form = click(client, created.thread_id, last_widget(created), "Add entry", {})
    typed = {
        "input.entities.0.name": "Grace",
        "input.entities.0.entityType": "person",
        "input.entities.0.observations": "admiral",
        "input.entities.1.name": "COBOL",
        "input.entities.1.entityType": "",
        "input.entities.1.observations": "a language",
    }
    reply = submit(client, created.thread_id, form, typed)
    (replaced,) = reply.of_type("thread.item.replaced")
    widget = replaced["item"]["widget"]
    problem = find_nodes(block_of(widget, "input.entities.1.entityType"), is_problem)
    assert [p["value"] for p in problem] == ["required: enter a value"]
    assert not find_nodes(block_of(widget, "input.entities.0.entityType"), is_problem)
    assert shown(widget)["input.entities.1.name"] == "COBOL"  # what was typed is still there
    assert "Grace" not in entities(memory_file)


def test_blank_entries_are_left_out_of_the_array_sent(gateway: Gateway, memory_file: Path) -> None:
    client = gateway.client()
    created = client.create_thread("/memory.create_entities")
    form = click(client, created.thread_id, last_widget(created), "Add entry", {})
    blank = {
        "input.entities.0.name": "",
        "input.entities.0.entityType": "",
        "input.entities.0.observations": "",
    }
    typed = blank | {
        "input.entities.1.name": "Hopper",
        "input.entities.1.entityType": "person",
        "input.entities.1.observations": "found a moth",
    }
    reply = submit(client, created.thread_id, form, typed)
    assert not reply.of_type("error")
    assert entities(memory_file)["Hopper"]["observations"] == ["found a moth"]


def test_entry_actions_are_checked_against_the_form_that_sent_them(
    gateway: Gateway, memory_file: Path
) -> None:
    client = gateway.client()
    created = client.create_thread("/memory.create_entities")
    form = last_widget(created)
    (add,) = [b["onClickAction"] for b in buttons(form["widget"], "Add entry")]

    def refused(action: dict[str, Any]) -> bool:
        reply = client.action(created.thread_id, form["id"], action)
        notices = reply.of_type("notice")
        return bool(notices) and notices[0]["level"] == "danger" and not reply.of_type("thread.item.replaced")

    changes: list[dict[str, Any]] = [
        {"tool": "memory.delete_entities"},
        {"entries": "observations"},
        {"arguments": {"entities": [{"name": "smuggled", "entityType": "x", "observations": []}]}},
        {"remove": 0},
    ]
    for change in changes:
        forged = copy.deepcopy(add)
        forged["payload"].update(change)
        assert refused(forged), change
    forged = copy.deepcopy(add)
    forged["type"] = "tool.call"
    assert refused(forged)
    assert "smuggled" not in entities(memory_file)

    # Values for fields the form does not have are dropped, not shown, not sent.
    extra = {"input.entities.0.name": "kept", "input.entities.7.name": "smuggled", "input.other": "x"}
    form = click(client, created.thread_id, form, "Add entry", extra)
    assert set(shown(form["widget"])) == {
        f"input.entities.{i}.{k}" for i in (0, 1) for k in ("name", "entityType", "observations")
    }
    assert shown(form["widget"])["input.entities.0.name"] == "kept"


def test_item_schemas_behind_refs_with_min_and_max_items(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/shapes.book_trip")
    form = last_widget(created)
    assert "Traveller 1" in text_of(form["widget"])  # the item schema's title names each entry
    assert "1 to 3 entries" in text_of(form["widget"])
    typed = {
        "input.travellers.0.name": "Ann",
        "input.travellers.0.age": "31",
        "input.contact": "ann@example.com",
    }
    form = click(client, created.thread_id, form, "Add entry", typed)
    typed |= {
        "input.travellers.1.name": "Bo",
        "input.travellers.1.age": "7",
        "input.travellers.1.window": True,
    }
    form = click(client, created.thread_id, form, "Add entry", typed)
    assert buttons(form["widget"], "Add entry") == []  # maxItems: 3
    assert shown(form["widget"])["input.travellers.1.window"] is True
    assert shown(form["widget"])["input.contact"] == "ann@example.com"
    # The browser does not check required fields here: "Add entry" must work on an empty form.
    assert not find_nodes(form["widget"], is_required)
    assert field(form["widget"], "input.travellers.0.age")["inputType"] == "number"

    typed |= {
        "input.travellers.2.name": "Cy",
        "input.travellers.2.age": "200",
        "input.travellers.1.meals": "veg",
    }
    reply = submit(client, created.thread_id, form, typed)
    (replaced,) = reply.of_type("thread.item.replaced")
    widget = replaced["item"]["widget"]
    problems = find_nodes(block_of(widget, "input.travellers.2.age"), is_problem)
    assert [p["value"] for p in problems] == ["expected at most 120, got 200"]
    assert "0 to 120" in text_of(block_of(widget, "input.travellers.2.age"))

    typed["input.travellers.2.age"] = "70"
    reply = submit(client, created.thread_id, replaced["item"], typed)
    assert not reply.of_type("error")
    result = [e["item"] for e in reply.of_type("thread.item.replaced") + reply.done_items("widget")]
    text = " ".join(text_of(i["widget"]) for i in result)
    assert "Cy" in text and "70" in text


def test_a_group_inside_a_group_adds_entries_where_it_was_asked(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/shapes.tag_files")
    form = last_widget(created)
    assert field_names(form["widget"]) == ["input.batches.0.folder"]  # files: optional, no entry yet
    (add_file,) = [
        b
        for b in buttons(form["widget"], "Add entry")
        if b["onClickAction"]["payload"]["entries"] == "batches.0.files"
    ]
    reply = client.action(
        created.thread_id, form["id"], send(add_file["onClickAction"], {"input.batches.0.folder": "docs"})
    )
    form = reply.of_type("thread.item.replaced")[0]["item"]
    assert shown(form["widget"]) == {
        "input.batches.0.folder": "docs",
        "input.batches.0.files.0.path": None,
        "input.batches.0.files.0.label": "",
    }
    typed = {
        "input.batches.0.folder": "docs",
        "input.batches.0.files.0.path": "a.md",
        "input.batches.0.files.0.label": "intro",
    }
    reply = submit(client, created.thread_id, form, typed)
    assert not reply.of_type("error")
    result = [e["item"] for e in reply.of_type("thread.item.replaced") + reply.done_items("widget")]
    assert any("docs/a.md: intro" in text_of(i["widget"]) for i in result)


def test_a_command_can_still_give_the_array_as_json_text(gateway: Gateway, memory_file: Path) -> None:
    client = gateway.client()
    entity = {"name": "Lovelace", "entityType": "person", "observations": ["countess"]}
    reply = client.create_thread(f"/memory.create_entities entities='{json.dumps([entity])}'")
    assert not reply.of_type("error")
    assert entities(memory_file)["Lovelace"]["observations"] == ["countess"]


def test_an_id_typed_in_the_form_stays_editable_after_add_entry(gateway: Gateway) -> None:
    client = gateway.client()
    created = client.create_thread("/shapes.tag_account")
    form = last_widget(created)
    assert "input.account_id" in field_names(form["widget"])
    again = click(
        client,
        created.thread_id,
        form,
        "Add entry",
        {"input.account_id": "acct-7", "input.tags.0.path": "a.txt"},
    )
    # the id the person typed is still a field they can change, not a fixed row of the form
    assert shown(again["widget"])["input.account_id"] == "acct-7"
    assert form_action(again["widget"])["payload"]["arguments"] == {}
    assert shown(again["widget"])["input.tags.0.path"] == "a.txt" and "input.tags.1.path" in field_names(
        again["widget"]
    )
