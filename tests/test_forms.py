"""A tool's inputSchema becomes a form; the form's submit comes back as typed arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.config.render import RenderConfig
from gateway.render.forms import coerce_form_values
from gateway.render.renderer import Renderer
from gateway.vocabulary.actions import FORM_KEY, tool_call_action
from tests.render_cases.checks import check, find, of_type, submit, texts, todo_tools, tool

RENDERER = Renderer(RenderConfig(), Path(__file__).parent)

KITCHEN_SINK: dict[str, Any] = {
    "type": "object",
    "required": ["name", "count"],
    "properties": {
        "name": {"type": "string", "description": "Who it is for."},
        "notes": {"type": "string"},
        "summary": {"type": "string", "maxLength": 1000},
        "count": {"type": "integer", "default": 3},
        "ratio": {"type": "number"},
        "urgent": {"type": "boolean", "default": True},
        "color": {"enum": ["red", "green"], "default": "green"},
        "size": {"anyOf": [{"enum": [1, 2, 3]}, {"type": "null"}]},
        "when": {"type": "string", "format": "date"},
        "days": {"type": "array", "items": {"enum": ["mon", "tue", "wed"]}},
        "labels": {"type": "array", "items": {"type": "string"}},
        "scores": {"type": "array", "items": {"type": "integer"}},
        "address": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string"},
                "geo": {"type": "object", "properties": {"lat": {"type": "number"}}},
            },
        },
        "shape": {"oneOf": [{"type": "string"}, {"type": "object"}]},
        "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    },
}


def field(tree: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = find(tree, lambda n: n.get("name") == name and "type" in n)
    return found


def form_action(tree: dict[str, Any]) -> dict[str, Any]:
    (form,) = of_type(tree, "Form")
    return form["onSubmitAction"]


def test_each_field_kind_gets_its_control() -> None:
    tree = check(RENDERER.form(tool("make", input_schema=KITCHEN_SINK)))
    assert field(tree, "input.name")["type"] == "Input"
    assert field(tree, "input.notes")["type"] == "Textarea"  # by its name
    assert field(tree, "input.summary")["type"] == "Textarea"  # by its maxLength
    assert field(tree, "input.count") | {} == {
        "type": "Input",
        "name": "input.count",
        "inputType": "number",
        "required": True,
        "placeholder": "A whole number",
        "defaultValue": "3",
    }
    assert field(tree, "input.ratio")["inputType"] == "number"
    assert (
        field(tree, "input.urgent")["type"] == "Checkbox"
        and field(tree, "input.urgent")["defaultChecked"] is True
    )
    color = field(tree, "input.color")
    assert color["type"] == "Select" and color["defaultValue"] == "green"
    assert [o["value"] for o in color["options"]] == ["red", "green"]
    assert [o["value"] for o in field(tree, "input.size")["options"]] == ["1", "2", "3"]
    assert field(tree, "input.when")["type"] == "DatePicker"
    assert [field(tree, f"input.days.{d}")["type"] for d in ("mon", "tue", "wed")] == ["Checkbox"] * 3
    assert "comma" in field(tree, "input.labels")["placeholder"].lower()
    assert field(tree, "input.address.city")["required"] is True
    assert field(tree, "input.address.geo.lat")["inputType"] == "number"
    assert (
        field(tree, "input.shape")["type"] == "Textarea"
        and field(tree, "input.shape")["placeholder"] == "JSON"
    )
    assert field(tree, "input.items")["type"] == "Textarea"
    assert field(tree, "input.items")["placeholder"] == "[[0]]"  # a skeleton of what it takes


def test_required_fields_are_marked_and_descriptions_shown() -> None:
    tree = check(RENDERER.form(tool("make", input_schema=KITCHEN_SINK)))
    labels = {n["fieldName"]: n["value"] for n in of_type(tree, "Label")}
    assert labels["input.name"] == "Name *" and labels["input.notes"] == "Notes"
    assert field(tree, "input.name")["required"] is True
    assert "required" not in field(tree, "input.notes")
    assert "Who it is for." in texts(tree)


def test_the_submit_calls_the_tool_and_carries_no_form_key() -> None:
    tree = check(RENDERER.form(tool("make", input_schema=KITCHEN_SINK)))
    assert form_action(tree) == tool_call_action("todo.make", {})
    (run,) = [b for b in of_type(tree, "Button") if b.get("submit")]
    assert run["label"] == "Run"


def test_given_values_prefill_the_fields_over_schema_defaults() -> None:
    values = {
        "name": "Ann",
        "count": 7,
        "urgent": False,
        "color": "red",
        "when": "2026-12-24",
        "days": ["tue"],
    }
    values |= {"labels": ["a", "b"], "address": {"city": "Oslo"}, "shape": {"k": 1}}
    tree = check(RENDERER.form(tool("make", input_schema=KITCHEN_SINK), values=values))
    assert field(tree, "input.name")["defaultValue"] == "Ann"
    assert field(tree, "input.count")["defaultValue"] == "7"
    assert field(tree, "input.urgent")["defaultChecked"] is False
    assert field(tree, "input.color")["defaultValue"] == "red"
    assert field(tree, "input.when")["defaultValue"] == "2026-12-24"
    assert field(tree, "input.days.tue")["defaultChecked"] is True
    assert field(tree, "input.days.mon")["defaultChecked"] is False
    assert field(tree, "input.labels")["defaultValue"] == "a, b"
    assert field(tree, "input.address.city")["defaultValue"] == "Oslo"
    assert '"k": 1' in field(tree, "input.shape")["defaultValue"]


def test_a_value_outside_an_enum_is_not_preselected() -> None:
    todo = todo_tools()
    tree = check(RENDERER.form(todo["add_task"], values={"priority": "urgent"}))
    assert "defaultValue" not in field(tree, "input.priority")


def test_problems_show_under_their_field_and_the_rest_at_the_top() -> None:
    problems = {
        "count": "expected a whole number",
        "address.city": "required",
        "": "the arguments are not valid JSON",
    }
    problems["owner"] = "not a known argument"
    tree = check(RENDERER.form(tool("make", input_schema=KITCHEN_SINK), problems=problems))
    danger = [n["value"] for n in find(tree, lambda n: n.get("color") == "danger")]
    assert "expected a whole number" in danger and "required" in danger
    assert "the arguments are not valid JSON" in danger and "owner: not a known argument" in danger
    rendered = RENDERER.form(tool("make", input_schema=KITCHEN_SINK), problems=problems)
    assert "expected a whole number" in rendered.copy_text


def test_a_tool_without_arguments_gets_just_a_run_button() -> None:
    rendered = RENDERER.form(tool("ping", description="Checks the server."))
    tree = check(rendered)
    assert not find(tree, lambda n: "name" in n and "type" in n and n["type"] != "Form")
    assert [b["label"] for b in of_type(tree, "Button")] == ["Run"]
    assert "no arguments" in rendered.copy_text


def test_an_edit_form_fixes_the_id_it_was_opened_for() -> None:
    update = todo_tools()["update_task"]
    tree = check(RENDERER.form(update, values={"id": 7, "title": "Draft", "priority": "low", "tags": ["x"]}))
    assert form_action(tree) == tool_call_action("todo.update_task", {"id": 7})
    assert not find(tree, lambda n: n.get("name") == "input.id")
    assert field(tree, "input.title")["defaultValue"] == "Draft"
    sent = submit(form_action(tree), {"input.title": "Final", "input.id": 999})
    arguments, problems = coerce_form_values(update.input_schema, sent["payload"][FORM_KEY])
    arguments.update(sent["payload"]["arguments"])  # the server: what the gateway fixed wins
    assert (arguments, problems) == ({"id": 7, "title": "Final"}, {})


def test_an_id_with_a_problem_stays_editable() -> None:
    get = todo_tools()["get_task"]
    tree = check(RENDERER.form(get, values={"id": 4}, problems={"id": "no such task"}))
    assert field(tree, "input.id")["defaultValue"] == "4"
    assert form_action(tree)["payload"]["arguments"] == {}


def test_the_todo_add_form_round_trips_what_a_person_types() -> None:
    add = todo_tools()["add_task"]
    tree = check(RENDERER.form(add))
    assert field(tree, "input.description")["type"] == "Textarea"
    assert field(tree, "input.priority")["defaultValue"] == "medium"
    assert field(tree, "input.due_date")["type"] == "DatePicker"
    sent = submit(
        form_action(tree),
        {
            "input.title": "From the form",
            "input.description": "",
            "input.priority": "high",
            "input.due_date": "2026-12-24",
            "input.tags": "home, errands",
        },
    )
    assert coerce_form_values(add.input_schema, sent["payload"][FORM_KEY]) == (
        {"title": "From the form", "priority": "high", "due_date": "2026-12-24", "tags": ["home", "errands"]},
        {},
    )


def test_coerce_types_every_kind_from_strings() -> None:
    submitted = {
        "name": "Ann",
        "count": "12",
        "ratio": "0.5",
        "urgent": False,
        "color": "red",
        "size": "2",
        "when": "2026-03-01T00:00:00.000Z",
        "days": {"mon": True, "tue": False, "wed": True},
        "labels": " a, b ,,c ",
        "scores": "1, 2",
        "address": {"city": "Oslo", "geo": {"lat": "59.9"}},
        "shape": '{"k": [1, 2]}',
        "items": "[]",
    }
    arguments, problems = coerce_form_values(KITCHEN_SINK, submitted)
    assert problems == {}
    assert arguments == {
        "name": "Ann",
        "count": 12,
        "ratio": 0.5,
        "urgent": False,
        "color": "red",
        "size": 2,
        "when": "2026-03-01",
        "days": ["mon", "wed"],
        "labels": ["a", "b", "c"],
        "scores": [1, 2],
        "address": {"city": "Oslo", "geo": {"lat": 59.9}},
        "shape": {"k": [1, 2]},
        "items": [],
    }


def test_coerce_reports_what_it_cannot_read_per_field() -> None:
    submitted = {
        "name": "",
        "count": "many",
        "ratio": "1e999",
        "when": "not a date",
        "shape": "{oops",
        "scores": "1, x",
    }
    submitted["urgent"] = "perhaps"
    arguments, problems = coerce_form_values(KITCHEN_SINK, submitted)
    assert arguments == {}
    assert set(problems) == {"name", "count", "ratio", "when", "shape", "scores", "urgent"}
    assert "required" in problems["name"]
    assert "whole number" in problems["count"] and "'many'" in problems["count"]
    assert "YYYY-MM-DD" in problems["when"]
    assert "JSON" in problems["shape"]


def test_coerce_drops_empty_optional_values_and_undeclared_keys() -> None:
    submitted = {
        "name": "Ann",
        "count": 1,
        "notes": "  ",
        "ratio": "",
        "owner": "mallory",
        "days": {"mon": False},
    }
    submitted["address"] = {"city": ""}
    arguments, problems = coerce_form_values(KITCHEN_SINK, submitted)
    assert arguments == {"name": "Ann", "count": 1}
    assert problems == {"address.city": "required: enter a value"}


def test_coerce_reads_dotted_keys_like_nested_ones() -> None:
    flat = {"name": "Ann", "count": "2", "address.city": "Rome", "address.geo.lat": "41.9"}
    arguments, problems = coerce_form_values(KITCHEN_SINK, flat)
    assert arguments == {"name": "Ann", "count": 2, "address": {"city": "Rome", "geo": {"lat": 41.9}}}
    assert problems == {}


def test_coerce_reads_booleans_and_lists_typed_as_words() -> None:
    schema = {
        "type": "object",
        "properties": {"on": {"type": "boolean"}, "days": KITCHEN_SINK["properties"]["days"]},
    }
    assert coerce_form_values(schema, {"on": "yes", "days": "mon,wed"}) == (
        {"on": True, "days": ["mon", "wed"]},
        {},
    )
    assert coerce_form_values(schema, {"on": "off", "days": ["tue"]}) == ({"on": False, "days": ["tue"]}, {})


def test_a_required_checkbox_left_unchecked_means_false() -> None:
    schema = {"type": "object", "required": ["agree"], "properties": {"agree": {"type": "boolean"}}}
    assert coerce_form_values(schema, {}) == ({"agree": False}, {})


def test_enum_options_that_are_not_name_safe_use_their_index() -> None:
    schema = {
        "type": "object",
        "properties": {"picks": {"type": "array", "items": {"enum": ["a.b", "c d", 3]}}},
    }
    tree = check(RENDERER.form(tool("pick", input_schema=schema), values={"picks": [3]}))
    names = [n["name"] for n in of_type(tree, "Checkbox")]
    assert names == ["input.picks.0", "input.picks.1", "input.picks.2"]
    assert [n["defaultChecked"] for n in of_type(tree, "Checkbox")] == [False, False, True]
    sent = submit(form_action(tree), {"input.picks.0": True, "input.picks.1": False, "input.picks.2": True})
    assert coerce_form_values(schema, sent["payload"][FORM_KEY]) == ({"picks": ["a.b", 3]}, {})


def test_refs_and_nullable_unions_are_followed() -> None:
    schema = {
        "type": "object",
        "$defs": {"Level": {"enum": ["low", "high"], "type": "string"}},
        "properties": {
            "level": {"$ref": "#/$defs/Level", "default": "low"},
            "n": {"type": ["integer", "null"]},
        },
    }
    tree = check(RENDERER.form(tool("lvl", input_schema=schema)))
    assert field(tree, "input.level")["defaultValue"] == "low"
    assert field(tree, "input.n")["inputType"] == "number"
    assert coerce_form_values(schema, {"level": "high", "n": "5"}) == ({"level": "high", "n": 5}, {})


def test_odd_schemas_still_give_a_form() -> None:
    deep_string = {"type": "object", "properties": {"d": {"type": "string"}}}
    deep = {"type": "object", "properties": {"c": deep_string}}
    for level in ("b", "a", "deep"):
        deep = {"type": "object", "properties": {level: deep}}
    # (schema, its fields as (name, control, label), what a person submits, the arguments sent)
    cases: list[tuple[dict[str, Any], list[tuple[str, str, str]], dict[str, Any], dict[str, Any]]] = [
        (  # properties that say nothing about themselves: plain text inputs
            {"type": "object", "properties": {"x": True, "y": {}}},
            [("input.x", "Input", "X"), ("input.y", "Input", "Y")],
            {"x": "1", "y": ""},
            {"x": "1"},
        ),
        (  # a $ref to nowhere: a plain text input, not a crash
            {"type": "object", "properties": {"r": {"$ref": "#/nowhere"}}},
            [("input.r", "Input", "R")],
            {"r": "as typed"},
            {"r": "as typed"},
        ),
        (  # nested deeper than forms go: the rest is one JSON text area
            deep,
            [("input.deep.a.b.c", "Textarea", "C")],
            {"deep": {"a": {"b": {"c": '{"d": "e"}'}}}},
            {"deep": {"a": {"b": {"c": {"d": "e"}}}}},
        ),
        ({"type": "object", "properties": "nonsense", "required": "x"}, [], {"x": "1"}, {}),
        ({"type": "array"}, [], {}, {}),
    ]
    for schema, fields, submitted, arguments in cases:
        rendered = RENDERER.form(tool("odd", input_schema=schema))
        tree = check(rendered)
        # a form, not the error card `form()` falls back to when building one fails
        assert not find(tree, lambda n: n.get("type") == "Badge" and n.get("label") == "Error"), schema
        assert form_action(tree) == tool_call_action("todo.odd", {}), schema
        assert [b["label"] for b in of_type(tree, "Button") if b.get("submit")] == ["Run"], schema
        shown = find(tree, lambda n: "name" in n and n.get("type") != "Form")
        assert [(n["name"], n["type"]) for n in shown] == [(name, kind) for name, kind, _ in fields], schema
        labels = {n["fieldName"]: n["value"] for n in of_type(tree, "Label")}
        assert labels == {name: label for name, _, label in fields}, schema
        assert all("defaultValue" not in n and "required" not in n for n in shown), schema
        names = [name.removeprefix("input.") for name, _, _ in fields]
        assert rendered.copy_text == f"Form for todo.odd ({', '.join(names) or 'no arguments'})"
        assert coerce_form_values(schema, submitted) == (arguments, {}), schema
