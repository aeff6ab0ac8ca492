"""Servers nobody here wrote, through the chat: progress, images, structured content, generic rendering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.chat import last_widget, text_of
from tests.support.gateway import Gateway, everything_server_config, find_nodes, running_gateway, write_config

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("partners")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "everything": everything_server_config(),
                "time": {"command": "python", "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]},
            },
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
        },
    )
    with running_gateway(config) as running:
        yield running


def test_progress_notifications_update_a_widget_live(gateway: Gateway) -> None:
    reply = gateway.client().create_thread('/trigger-long-running-operation {"duration": 2, "steps": 4}')
    types = [e["type"] for e in reply.events]
    added = reply.of_type("thread.item.added")
    assert added and added[0]["item"]["type"] == "widget", types
    item_id = added[0]["item"]["id"]
    updates = [e for e in reply.of_type("thread.item.updated") if e["item_id"] == item_id]
    assert len(updates) >= 2, f"expected live progress updates, got {types}"
    (done,) = [e for e in reply.of_type("thread.item.done") if e["item"]["id"] == item_id]
    assert (
        "progress" not in done["item"]["copy_text"].lower() or "complete" in done["item"]["copy_text"].lower()
    )
    assert types.index("thread.item.added") < types.index("thread.item.updated") < len(types) - 1


def test_images_render_as_image_components_with_data_urls(gateway: Gateway) -> None:
    widget = last_widget(gateway.client().create_thread("/get-tiny-image"))
    images = find_nodes(widget["widget"], lambda n: n.get("type") == "Image")
    assert images and images[0]["src"].startswith("data:image/png;base64,")
    assert widget["copy_text"]


def test_structured_content_renders_as_labelled_fields(gateway: Gateway) -> None:
    widget = last_widget(gateway.client().create_thread('/get-structured-content {"location": "New York"}'))
    visible = text_of(widget["widget"]).lower()
    assert "temperature" in visible
    assert "humidity" in visible
    assert widget["copy_text"]


def test_a_python_server_from_pypi_is_rendered_generically(gateway: Gateway) -> None:
    widget = last_widget(gateway.client().create_thread('/get_current_time {"timezone": "Europe/Paris"}'))
    visible = text_of(widget["widget"])
    assert "Europe/Paris" in visible
    assert widget["copy_text"] and "Europe/Paris" in widget["copy_text"]


def test_annotations_from_a_foreign_server_appear_in_the_catalog(gateway: Gateway) -> None:
    catalog = last_widget(gateway.client().create_thread("/tools"))
    visible = text_of(catalog["widget"])
    assert "everything" in visible and "time" in visible
    assert "get_current_time" in visible or "Get current time" in visible
