"""MCP resources in the chat, offline: /resources lists them (each with Read), /read shows one,
a tool result's resource links open in the thread, and a read the gateway did not issue is refused.

Against server-everything over stdio: 7 Markdown documents (demo://resource/static/document/*.md),
templates demo://resource/dynamic/text/{resourceId} and .../blob/{resourceId}, and the tool
`get-resource-links` returning resource links.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.vocabulary.json import is_object
from tests.support.chat import buttons, is_error_card, last_widget, text_of
from tests.support.gateway import Gateway, everything_server_config, find_nodes, running_gateway, write_config

pytestmark = pytest.mark.node

DOCS = "demo://resource/static/document/"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("resources")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"everything": everything_server_config()},
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def read_actions(widget: dict[str, Any], uri: str | None = None) -> list[dict[str, Any]]:
    """Every resource.read action in a widget (optionally only those for `uri`)."""

    def wanted(node: dict[str, Any]) -> bool:
        payload: Any = node.get("payload")
        return (
            node.get("type") == "resource.read"
            and is_object(payload)
            and (uri is None or payload.get("uri") == uri)
        )

    return find_nodes(widget, wanted)


def is_markdown(node: dict[str, Any]) -> bool:
    return node.get("type") == "Markdown"


def markdown_of(widget: dict[str, Any]) -> str:
    return "\n".join(str(n["value"]) for n in find_nodes(widget, is_markdown))


def notices(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("type") == "notice"]


def test_resources_lists_every_document_and_template_with_a_read_button(gateway: Gateway) -> None:
    listing = last_widget(gateway.client().create_thread("/resources"))
    visible = text_of(listing["widget"])
    for name in ("architecture.md", "features.md", "structure.md", "instructions.md"):
        assert name in visible
        (read,) = read_actions(listing["widget"], DOCS + name)
        assert read["payload"] == {"server": "everything", "uri": DOCS + name}
    assert len(buttons(listing["widget"], "Read")) == 7
    assert "demo://resource/dynamic/text/{resourceId}" in visible  # templates, described
    assert "Dynamic Text Resource" in visible
    assert "architecture.md" in listing["copy_text"]


def test_the_read_button_shows_the_markdown_document(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/resources everything")
    listing = last_widget(reply)
    (read,) = read_actions(listing["widget"], DOCS + "architecture.md")
    answer = client.action(reply.thread_id, listing["id"], read)
    shown = last_widget(answer)
    document = markdown_of(shown["widget"])
    assert document.startswith("# Everything Server") and "Architecture" in document.splitlines()[0]
    assert "architecture.md" in text_of(shown["widget"])
    assert "Everything Server" in shown["copy_text"]


def test_read_by_uri_shows_the_text(gateway: Gateway) -> None:
    widget = last_widget(gateway.client().create_thread(f"/read {DOCS}features.md"))["widget"]
    assert "Features" in markdown_of(widget)
    assert not is_error_card(widget)


def test_read_a_uri_that_fits_a_template(gateway: Gateway) -> None:
    client = gateway.client()
    widget = last_widget(client.create_thread("/read demo://resource/dynamic/text/7"))["widget"]
    assert "Resource 7: This is a plaintext resource" in markdown_of(widget)
    blob = last_widget(client.create_thread("/read everything demo://resource/dynamic/blob/2"))["widget"]
    assert "Resource 2: This is a base64 blob" in markdown_of(blob)  # a text/plain blob, decoded


def test_a_resource_that_does_not_exist_is_an_error_card(gateway: Gateway) -> None:
    client = gateway.client()
    widget = last_widget(client.create_thread(f"/read everything {DOCS}missing.md"))["widget"]
    assert is_error_card(widget)
    assert "missing.md" in text_of(widget)
    reply = client.create_thread("/read nowhere://at/all")
    assert is_error_card(last_widget(reply)["widget"])  # no server lists it or has a template it fits
    (usage,) = client.create_thread("/read").done_items("assistant_message")
    assert "/read <uri>" in usage["content"][0]["text"]


def test_a_resource_link_in_a_tool_result_opens_the_linked_resource(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread('/get-resource-links {"count": 2}')
    result = last_widget(reply)
    opens = buttons(result["widget"], "Open")
    assert len(opens) == 2
    action = opens[1]["onClickAction"]  # exactly as the widget issued it
    assert action["payload"] == {"server": "everything", "uri": "demo://resource/dynamic/text/2"}
    answer = client.action(
        reply.thread_id, result["id"], {"type": action["type"], "payload": action["payload"]}
    )
    shown = last_widget(answer)
    assert "Resource 2: This is a plaintext resource" in markdown_of(shown["widget"])
    assert "demo://resource/dynamic/text/2" in text_of(shown["widget"])


def test_a_uri_the_gateway_did_not_issue_is_never_read(gateway: Gateway) -> None:
    client = gateway.client()
    reply = client.create_thread("/resources")
    listing = last_widget(reply)
    (read,) = read_actions(listing["widget"], DOCS + "architecture.md")
    for payload in (
        {**read["payload"], "uri": "file:///etc/passwd"},
        {**read["payload"], "uri": "demo://resource/dynamic/text/99"},
        {**read["payload"], "server": "other"},
        {**read["payload"], "extra": 1},
    ):
        answer = client.action(reply.thread_id, listing["id"], {"type": "resource.read", "payload": payload})
        (notice,) = notices(answer.events)
        assert notice["level"] == "danger" and "not issued" in notice["message"], payload
        assert not answer.widgets() and not answer.of_type("thread.item.replaced")
    # An action naming a widget that never issued it: the catalog has no resource.read at all.
    catalog = last_widget(client.send(reply.thread_id, "/tools"))
    answer = client.action(
        reply.thread_id, catalog["id"], {"type": "resource.read", "payload": read["payload"]}
    )
    assert notices(answer.events)[0]["level"] == "danger" and not answer.widgets()
