"""The chat pane with a model: a reply streams in token by token and renders as Markdown, a
model's tool call shows as a workflow beside its widget, the title arrives, and Stop keeps
what was said. The scripted model server stands in for OpenAI; the rest is real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import PageErrors, new_page, save_screenshot
from tests.support.gateway import Gateway
from tests.support.model_server import ScriptedModel, call, say, title


@pytest.fixture()
def page(browser: Browser, model_gateway: Gateway) -> Iterator[tuple[Page, PageErrors]]:
    opened, errors = new_page(browser, model_gateway.url)
    opened.goto(model_gateway.url + "/chat")
    yield opened, errors
    opened.context.close()


def send(page: Page, text: str) -> None:
    composer = page.get_by_role("textbox", name="Message")
    composer.fill(text)
    composer.press("Enter")


def test_a_reply_streams_in_and_stop_keeps_what_was_said(
    page: tuple[Page, PageErrors], model: ScriptedModel
) -> None:
    browser_page, errors = page
    model.script(say("Once upon a time there was a gateway that", hold_after=6, pace=0.02))
    send(browser_page, "Tell me a story")
    answer = browser_page.locator("article[data-item-type=assistant_message]")
    assert model.holding.wait(10)
    # The model sent its first 6 chunks (the role, then 5 pieces of 3 characters) and holds: the
    # page shows those while the stream is still open.
    held = "Once upon a tim"
    expect(answer).to_have_text(held)
    browser_page.get_by_role("button", name="Stop").click()
    assert model.released.wait(10), "the model's stream was never closed"
    expect(browser_page.get_by_role("button", name="Send")).to_be_enabled()

    browser_page.reload()  # what was said is in the thread, as far as it got
    expect(browser_page.locator("article[data-item-type=assistant_message]")).to_have_text(held)
    assert errors.exceptions == [] and errors.offsite == []


def test_a_tool_call_shows_its_workflow_and_widget_and_the_answer_renders_as_markdown(
    page: tuple[Page, PageErrors], model: ScriptedModel
) -> None:
    browser_page, errors = page
    model.script(
        call("todo__add_task", {"title": "Paint the fence"}),
        say("Added **Paint the fence**; see [the docs](https://example.com/docs)."),
        title("Fence painting"),
    )
    send(browser_page, "Remind me to paint the fence")
    workflow = browser_page.locator("article[data-item-type=workflow]")
    expect(workflow.locator(".cp-task-complete")).to_contain_text("todo.add_task")
    expect(browser_page.locator("article[data-item-type=widget]")).to_contain_text("Paint the fence")
    answer = browser_page.locator("article[data-item-type=assistant_message]")
    expect(answer.locator("strong")).to_have_text("Paint the fence")
    link = answer.get_by_role("link", name="the docs")
    expect(link).to_have_attribute("href", "https://example.com/docs")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(browser_page.get_by_role("navigation", name="Conversations")).to_contain_text("Fence painting")
    expect(browser_page.get_by_role("heading", name="Fence painting")).to_be_visible()
    save_screenshot(browser_page, "chat-model")
    assert errors.exceptions == [] and errors.dialogs == [] and errors.offsite == []
