"""GET / embeds the ChatKit web component and never stays blank; GET /health reports readiness."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest

from tests.support.browser import dump_dom
from tests.support.gateway import Gateway, running_gateway, todo_server_config, write_config

UI = {
    "title": "Task desk",
    "greeting": "What shall we get done?",
    "starter_prompts": [{"label": "My tasks", "prompt": "/list_tasks {}"}, "/tools"],
    "placeholder": "Type /tools",
    "theme": "dark",
    "domain_key": "domain_pk_test",
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("page")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "todo": todo_server_config(tmp / "todo.db"),
                "broken": {"command": "definitely-not-a-command-xyz"},
            },
            "store": {"url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"},
            "ui": UI,
        },
    )
    with running_gateway(config) as running:
        yield running


def test_the_page_embeds_the_web_component_configured_from_the_ui_section(gateway: Gateway) -> None:
    response = httpx2.get(gateway.url + "/")
    assert response.status_code == 200
    page = response.text
    assert "<openai-chatkit" in page
    assert "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js" in page
    assert "<title>Task desk</title>" in page
    for value in (
        "What shall we get done?",
        "/list_tasks {}",
        "Type /tools",
        "domain_pk_test",
        '"colorScheme": "dark"',
    ):
        assert value in page
    assert '"url": "/chatkit"' in page


def test_in_a_real_browser_without_internet_the_page_says_so_instead_of_staying_blank(
    gateway: Gateway,
) -> None:
    dom = dump_dom(gateway.url + "/")
    state = re.search(r'data-chatkit="(\w+)"', dom)
    assert state is not None, "the page never decided whether the component loaded"
    if state.group(1) == "unavailable":  # this machine has no route to OpenAI's CDN
        assert "The chat UI could not be loaded" in dom
        assert re.search(r'<section id="offline"[^>]*role="alert"(?![^>]*hidden)', dom)
    else:
        assert state.group(1) == "ready"


def test_health_reports_the_store_and_each_server(gateway: Gateway) -> None:
    response = httpx2.get(gateway.url + "/health")
    body = response.json()
    assert body["store"]["ok"] is True
    servers = {s["name"]: s for s in body["servers"]}
    assert servers["todo"]["state"] == "up" and servers["todo"]["tool_count"] == 7
    assert servers["broken"]["state"] == "down"
    assert "definitely-not-a-command-xyz" in servers["broken"]["error"]
    # a server down is degraded service, not an unready gateway: the store decides readiness
    assert response.status_code == 200
    assert body["status"] == "degraded"
