"""Content annotations: blocks for the assistant alone stay out of the widget but reach the model,
blocks for the user alone stay out of the model's text, and priority orders what is shown.

Real servers throughout: tests/servers/annotated.py and server-everything's
`get-annotated-message`, called through the registry, rendered by the renderer, and given to
the model as `model_output` gives it; and once through the gateway with the scripted model.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult

from gateway.calls import CallOrigin, CallOutcome, ToolCaller
from gateway.config.render import RenderConfig, RenderRule, RuleMatch
from gateway.mcp.registry import ToolRegistry
from gateway.planning.arguments import prepare_arguments
from gateway.planning.model_tools import model_output
from gateway.render.renderer import Renderer
from gateway.render.widget import Rendered
from tests.conftest import model_section
from tests.render_cases.checks import check, find, of_type
from tests.servers import annotated as srv
from tests.servers.launch import everything_server, python_server
from tests.support.chat import text_of
from tests.support.gateway import ROOT, running_local_gateway
from tests.support.model_server import ScriptedModel, call, say, title

RENDERER = Renderer(RenderConfig(templates_dir="no-such-dir"), Path(__file__).parent)
ORIGIN = CallOrigin(user_id="tester", thread_id=None, via="command")


def nodes(tree: Any, *kinds: str) -> list[dict[str, Any]]:
    """The components of the given types, in document order."""

    def wanted(node: dict[str, Any]) -> bool:
        return node.get("type") in kinds

    return find(tree, wanted)


def shown_texts(rendered: Rendered) -> list[str]:
    """The Text and Markdown values of a widget, in document order."""
    return [n["value"] for n in nodes(check(rendered), "Text", "Markdown")]


def order(shown: list[str], *wanted: str) -> list[str]:
    """The wanted texts in the order the widget shows them (each must be shown exactly once)."""
    found = [w for value in shown for w in wanted if w in value]
    assert sorted(found) == sorted(wanted), f"expected each of {wanted} once in {shown}"
    return found


async def run(caller: ToolCaller, qualified: str, arguments: dict[str, Any] | None = None) -> CallOutcome:
    """One call as the chat makes it: checked arguments, the registry, the renderer."""
    tool = caller.registry.resolve(qualified)
    outcome = await caller.call(tool, prepare_arguments(tool, arguments or {}).checked(), origin=ORIGIN)
    assert outcome.result is not None, outcome.error
    return outcome


def given(outcome: CallOutcome) -> dict[str, Any]:
    """What the model is given of the call."""
    return json.loads(model_output(outcome))


@contextlib.asynccontextmanager
async def annotated_caller() -> AsyncGenerator[ToolCaller]:
    """A caller on tests/servers/annotated.py (opened in the test's own task: anyio wants that)."""
    async with ToolRegistry({"annotated": python_server("tests.servers.annotated")}) as registry:
        yield ToolCaller(registry, RENDERER)


async def test_the_person_sees_no_assistant_only_content_and_the_highest_priority_first() -> None:
    async with annotated_caller() as caller:
        outcome = await run(caller, "annotated.report")
    widget = json.dumps(check(outcome.rendered))
    assert srv.ASSISTANT_ONLY not in widget and srv.ASSISTANT_ONLY not in outcome.rendered.copy_text
    assert "Image" not in widget  # the image is for the assistant too
    # 0.9, 0.6, then unannotated (0.5) before an explicit 0.5 (server order), then 0.1.
    assert order(shown_texts(outcome.rendered), srv.HIGH, srv.BOTH, srv.PLAIN, srv.USER_ONLY, srv.LOW) == [
        srv.HIGH,
        srv.BOTH,
        srv.PLAIN,
        srv.USER_ONLY,
        srv.LOW,
    ]
    assert outcome.rendered.copy_text.index("HIGH") < outcome.rendered.copy_text.index("LOW")


async def test_the_model_gets_assistant_only_content_but_not_user_only_text() -> None:
    async with annotated_caller() as caller:
        output = given(await run(caller, "annotated.report"))
    text = output["text"]
    assert srv.ASSISTANT_ONLY in text and "[image (image/png," in text
    assert srv.USER_ONLY not in text
    # The rest in the server's own order.
    assert [line for line in text.splitlines() if not line.startswith("[")] == [
        srv.LOW,
        srv.ASSISTANT_ONLY,
        srv.PLAIN,
        srv.HIGH,
        srv.BOTH,
    ]
    # What the person saw is there too, without the assistant's content.
    assert srv.USER_ONLY in output["shown_to_user"] and srv.ASSISTANT_ONLY not in output["shown_to_user"]


async def test_beside_structured_content_the_assistant_only_text_goes_to_the_model_alone() -> None:
    async with annotated_caller() as caller:
        outcome = await run(caller, "annotated.measure")
    assert srv.MEASURE_NOTE not in json.dumps(check(outcome.rendered))
    assert srv.MEASURE_NOTE not in outcome.rendered.copy_text
    assert "Temperature" in [n["value"] for n in of_type(check(outcome.rendered), "Caption")]
    output = given(outcome)
    assert output["structured_content"] == {"temperature": 21.5, "unit": "C"}
    assert output["for_assistant"] == srv.MEASURE_NOTE


async def test_a_result_all_for_the_assistant_shows_nothing_of_it() -> None:
    async with annotated_caller() as caller:
        outcome = await run(caller, "annotated.whisper")
    assert srv.WHISPER not in json.dumps(check(outcome.rendered))
    assert "returned nothing to show" in outcome.rendered.copy_text
    assert given(outcome)["text"] == srv.WHISPER


async def test_rules_and_templates_get_the_same_blocks_in_the_same_order(tmp_path: Path) -> None:
    # A template that writes out every content block it is given, and a markdown rule.
    body = (
        '{"type": "Card", "children": [{% for b in content %}{"type": "Text", '
        '"value": {{ b.get("text", b.type) | tojson }}}{% if not loop.last %},{% endif %}{% endfor %}]}'
    )
    widget = {"version": "1.0", "name": "annotated.report.widget", "template": body}
    (tmp_path / "annotated.report.widget").write_text(json.dumps(widget))
    by_template = Renderer(RenderConfig(templates_dir="."), tmp_path)
    rule = RenderRule(match=RuleMatch(server="annotated", tool="report"), renderer="markdown")
    by_rule = Renderer(RenderConfig(templates_dir="no-such-dir", rules=[rule]), tmp_path)
    async with ToolRegistry({"annotated": python_server("tests.servers.annotated")}) as registry:
        tool = registry.resolve("annotated.report")
        result = await registry.call(tool, {})
    expected = [srv.HIGH, srv.BOTH, srv.PLAIN, srv.USER_ONLY, srv.LOW]
    for renderer in (by_template, by_rule):
        rendered = renderer.result(tool, {}, result)
        assert "generic" not in rendered.chosen_by, rendered.chosen_by
        assert srv.ASSISTANT_ONLY not in json.dumps(check(rendered))
        assert order(shown_texts(rendered), *expected) == expected
        assert srv.ASSISTANT_ONLY not in rendered.copy_text


def test_through_the_gateway_the_model_reads_what_the_widget_leaves_out(
    tmp_path: Path, model: ScriptedModel
) -> None:
    server = {"command": "python", "args": ["-m", "tests.servers.annotated"], "cwd": str(ROOT)}

    def told(body: dict[str, Any]) -> None:
        output = json.loads([m for m in body["messages"] if m["role"] == "tool"][-1]["content"])
        assert srv.ASSISTANT_ONLY in output["text"] and srv.USER_ONLY not in output["text"]

    def remembered(body: dict[str, Any]) -> None:  # the next turn, from the thread's history
        assert srv.ASSISTANT_ONLY in json.dumps(body["messages"], ensure_ascii=False)

    with running_local_gateway(
        tmp_path, model=model_section(model, retries=0), mcp_servers={"annotated": server}
    ) as gateway:
        model.script(call("annotated__report", {}), say("Here it is.", check=told), title("Report"))
        client = gateway.client()
        reply = client.create_thread("show me the report")
        (widget,) = reply.widgets()
        visible = text_of(widget["widget"])
        assert srv.ASSISTANT_ONLY not in json.dumps(widget)
        assert visible.index(srv.HIGH) < visible.index(srv.PLAIN) < visible.index(srv.LOW)
        model.script(say("The cache key was in it.", check=remembered))
        follow_up = client.send(reply.thread_id, "what was the cache key?")
        assert follow_up.done_items("assistant_message")


@pytest.mark.node
async def test_server_everything_annotated_messages() -> None:
    async with ToolRegistry({"everything": everything_server(timeout=60)}) as registry:
        caller = ToolCaller(registry, RENDERER)
        debug = await run(caller, "everything.get-annotated-message", {"messageType": "debug"})
        success = await run(
            caller, "everything.get-annotated-message", {"messageType": "success", "includeImage": True}
        )
        error = await run(
            caller, "everything.get-annotated-message", {"messageType": "error", "includeImage": True}
        )
    # debug: priority 0.3, for the assistant alone.
    assert "Cache hit ratio" not in json.dumps(check(debug.rendered))
    assert "Cache hit ratio" not in debug.rendered.copy_text
    assert "Cache hit ratio" in given(debug)["text"]
    # success: text (0.7, user) before the image (0.5, user); neither is in the model's text.
    tree = check(success.rendered)
    kinds = [n["type"] for n in nodes(tree, "Markdown", "Image")]
    assert kinds == ["Markdown", "Image"]
    assert "Operation completed successfully" in text_of(tree)
    assert "Operation completed successfully" not in given(success)["text"]
    # error: for both audiences, first; the model reads it too.
    tree = check(error.rendered)
    kinds = [n["type"] for n in nodes(tree, "Markdown", "Image")]
    assert kinds == ["Markdown", "Image"] and "Error: Operation failed" in text_of(tree)
    assert "Error: Operation failed" in given(error)["text"]
    assert isinstance(error.result, CallToolResult) and not error.result.is_error
