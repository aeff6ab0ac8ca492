"""A server's question and a running task in the built-in chat pane, in a real browser: the
person answers the form, and cancels a task while its reply is still streaming."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import PageErrors, new_page, save_screenshot
from tests.support.gateway import (
    ROOT,
    Gateway,
    everything_server_config,
    running_gateway,
    store_url,
    write_config,
)
from tests.test_web_pages import assert_clean, send, widgets

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("pane")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "everything": everything_server_config(),
                "asking": {"command": "python", "args": ["-m", "tests.servers.asking"], "cwd": str(ROOT)},
            },
            "store": {"url": store_url(tmp)},
        },
    )
    with running_gateway(config) as running:
        yield running


@pytest.fixture()
def page(browser: Browser, gateway: Gateway) -> Iterator[tuple[Page, PageErrors]]:
    opened, errors = new_page(browser, gateway.url)
    yield opened, errors
    opened.context.close()


def test_a_server_s_question_is_answered_in_the_pane_and_the_call_goes_on(
    page: tuple[Page, PageErrors], gateway: Gateway
) -> None:
    browser_page, errors = page
    browser_page.goto(gateway.url + "/chat")
    send(browser_page, "/asking.book_table restaurant=Nopi")
    question = widgets(browser_page).last
    expect(question).to_contain_text("Who is the table for?")
    question.get_by_role("textbox", name=re.compile("^Name")).fill("Grace")
    save_screenshot(browser_page, "question")
    question.get_by_role("button", name="Accept").click()
    expect(widgets(browser_page).last).to_contain_text("Booked Nopi for Grace, 2 seats.")
    expect(question).to_contain_text("Grace")  # the card now says what was answered
    expect(question.get_by_role("button", name="Accept")).to_have_count(0)
    assert_clean(errors)


def test_a_running_task_is_cancelled_from_its_card_while_the_reply_streams(
    page: tuple[Page, PageErrors], gateway: Gateway
) -> None:
    browser_page, errors = page
    browser_page.goto(gateway.url + "/chat")
    send(browser_page, '/everything.simulate-research-query topic="tides"')
    card = widgets(browser_page).last
    expect(card).to_contain_text("working")
    card.get_by_role("button", name="Cancel").click()
    expect(card).to_contain_text("cancelled")
    expect(card.get_by_role("button", name="Cancel")).to_have_count(0)
    assert_clean(errors)
