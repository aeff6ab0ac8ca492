"""The gateway's own pages in a real browser: the inspector, the chat pane, and GET / without
OpenAI's CDN. Playwright drives Debian's Chromium against the real gateway and real servers.

Each page is checked as a person uses it (roles and accessible names, clicks and typing), and
for what must never happen: a script from a tool result running, a dialog opening, a request
leaving the gateway's origin, or the page's Content Security Policy having to stop one.
Screenshots go to .cache/screenshots for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import PageErrors, new_page, save_screenshot
from tests.support.chat import tasks as _tasks
from tests.support.chat import todo_call as _todo_call
from tests.support.gateway import ROOT, Gateway, running_gateway, store_url, todo_server_config, write_config
from tests.support.todo import TODO_TOOLS


@dataclass
class Site:
    gateway: Gateway
    todo_db: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("pages")
    todo_db = tmp / "todo.db"
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "todo": todo_server_config(todo_db),
                "hostile": {"command": "python", "args": ["-m", "tests.servers.hostile"], "cwd": str(ROOT)},
            },
            "store": {"url": store_url(tmp)},
            "ui": {
                "title": "Task desk",
                "greeting": "What shall we get done?",
                "starter_prompts": ["/tools"],
            },
        },
    )
    with running_gateway(config) as running:
        yield Site(running, todo_db)


@pytest.fixture()
def page(browser: Browser, site: Site) -> Iterator[tuple[Page, PageErrors]]:
    opened, errors = new_page(browser, site.gateway.url)
    yield opened, errors
    opened.context.close()


def tasks(db: Path) -> list[dict[str, Any]]:
    """Every task, asked of the todo server itself (in a thread: Playwright's loop runs in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_tasks, db).result()


def todo_call(db: Path, tool: str, arguments: dict[str, Any]) -> Any:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_todo_call, db, tool, arguments).result()


def assert_clean(errors: PageErrors) -> None:
    """Nothing ran, opened or loaded that should not have, and the page threw nothing."""
    assert errors.exceptions == [], errors.exceptions
    assert errors.dialogs == [], errors.dialogs
    assert errors.offsite == [], errors.offsite
    blocked = [m for m in errors.console if "Content Security Policy" in m]
    assert blocked == [], f"the renderer tried something the page's policy had to stop: {blocked}"


def send(page: Page, text: str) -> None:
    composer = page.get_by_role("textbox", name="Message")
    composer.fill(text)
    composer.press("Enter")


def widgets(page: Page) -> Locator:
    return page.locator("article[data-item-type=widget]")


def row(scope: Locator, text: str) -> Locator:
    return scope.get_by_role("listitem").filter(has_text=text)


# -- the inspector -----------------------------------------------------------------------------


def test_the_inspector_calls_add_task_through_its_form_and_shows_raw_result_beside_widget(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    browser_page.goto(site.gateway.url + "/inspector")
    todo = browser_page.get_by_role("region", name="Server todo")
    expect(todo).to_contain_text("up")
    expect(todo).to_contain_text("stdio")
    expect(todo).to_contain_text("2026-07-28")  # the protocol version it negotiated
    tools = todo.get_by_role("list", name="Tools of todo")
    for name in TODO_TOOLS:
        expect(tools.get_by_role("button", name=re.compile(rf"\b{name}\b"))).to_be_visible()

    tools.get_by_role("button", name=re.compile(r"\badd_task\b")).click()
    panel = browser_page.get_by_role("tabpanel")
    expect(panel.get_by_role("heading", name="Add task todo.add_task")).to_be_visible()
    expect(panel).to_contain_text("Input schema")
    panel.get_by_role("textbox", name=re.compile("^Title")).fill("Inspect the roof")
    panel.get_by_role("button", name="Run").click()

    raw = browser_page.get_by_role("region", name="Raw MCP result")
    expect(raw).to_contain_text("structuredContent matches the output schema")
    expect(raw).to_contain_text('"title": "Inspect the roof"')
    widget = browser_page.get_by_role("region", name="Rendered widget")
    expect(widget).to_contain_text("Inspect the roof")
    expect(widget).to_contain_text("Chosen by: template todo.add_task.widget")
    expect(browser_page.get_by_role("table", name="Timings")).to_contain_text(re.compile(r"Server .*\d ms"))
    assert [t["title"] for t in tasks(site.todo_db)].count("Inspect the roof") == 1
    raw.scroll_into_view_if_needed()
    save_screenshot(browser_page, "inspector")

    browser_page.get_by_role("tab", name="Traffic").click()
    browser_page.get_by_role("searchbox", name="Filter traffic").fill("tools/call")
    calls = browser_page.locator("table.in-traffic tbody tr")
    expect(calls.first).to_contain_text("tools/call")
    expect(calls.filter(has_text="response").first).to_contain_text("ms")
    calls.filter(has_text="request").first.click()
    expect(browser_page.locator("tr.in-detail")).to_contain_text('"name": "add_task"')
    save_screenshot(browser_page, "inspector-traffic")
    assert_clean(errors)


def test_the_inspector_shows_a_live_call_made_elsewhere_in_its_traffic_log(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    browser_page.goto(site.gateway.url + "/inspector")
    browser_page.get_by_role("tab", name="Traffic").click()
    browser_page.get_by_role("combobox", name="Server").select_option("todo")
    expect(browser_page.get_by_role("combobox", name="Server")).to_have_value("todo")
    # The page marks the panel live once the gateway says the stream is subscribed.
    expect(browser_page.get_by_role("tabpanel", name="Traffic")).to_have_attribute("data-live", "on")
    site.gateway.client().create_thread('/get_task {"id": 424242}')
    expect(browser_page.locator("table.in-traffic tbody")).to_contain_text("424242")
    assert_clean(errors)


# -- the chat pane -----------------------------------------------------------------------------


def test_the_chat_pane_completes_a_task_in_place_and_deletes_one_through_its_confirmation(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    todo_call(site.todo_db, "add_task", {"title": "Buy oat milk"})
    todo_call(site.todo_db, "add_task", {"title": "Walk the dog"})
    browser_page.goto(site.gateway.url + "/chat")
    expect(browser_page.get_by_text("What shall we get done?")).to_be_visible()
    send(browser_page, "/list_tasks {}")
    listing = widgets(browser_page).last
    expect(row(listing, "Buy oat milk")).to_be_visible()
    listing_id = listing.get_attribute("data-item-id")
    shown_before = widgets(browser_page).count()

    row(listing, "Buy oat milk").get_by_role("button", name="Complete").click()
    same = browser_page.locator(f'article[data-item-id="{listing_id}"]')
    expect(row(same, "Buy oat milk").get_by_role("button", name="Reopen")).to_be_visible()
    expect(browser_page.get_by_role("status")).to_contain_text("Buy oat milk")
    assert widgets(browser_page).count() == shown_before  # replaced in place, nothing appended
    assert {t["title"]: t["status"] for t in tasks(site.todo_db)}["Buy oat milk"] == "completed"

    row(same, "Walk the dog").get_by_role("button", name="Delete").click()
    expect(widgets(browser_page).last).to_contain_text("may change or delete data")
    confirmation_id = widgets(browser_page).last.get_attribute("data-item-id")
    confirmation = browser_page.locator(f'article[data-item-id="{confirmation_id}"]')
    assert "Walk the dog" in [t["title"] for t in tasks(site.todo_db)]  # nothing deleted yet
    confirmation.get_by_role("button", name="Delete task").click()
    expect(row(same, "Walk the dog")).to_have_count(0)
    expect(confirmation).to_have_count(0)  # the answered confirmation is gone
    assert "Walk the dog" not in [t["title"] for t in tasks(site.todo_db)]
    save_screenshot(browser_page, "chat")

    # The thread survives a reload: the same list, in its new state, from the store.
    browser_page.reload()
    restored = browser_page.locator(f'article[data-item-id="{listing_id}"]')
    expect(row(restored, "Buy oat milk").get_by_role("button", name="Reopen")).to_be_visible()
    expect(browser_page.get_by_role("navigation", name="Conversations")).to_contain_text("/list_tasks")
    assert_clean(errors)


def test_a_form_submit_merges_its_fields_into_the_action_as_the_web_component_does(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    browser_page.goto(site.gateway.url + "/chat")
    send(browser_page, "/add_task")
    form = widgets(browser_page).last
    form.get_by_role("textbox", name=re.compile("^Title")).fill("Typed into the form")
    form.get_by_role("combobox", name=re.compile("^Priority")).select_option("high")
    form.get_by_role("button", name="Run").click()
    expect(widgets(browser_page).last).to_contain_text("Typed into the form")
    added = [t for t in tasks(site.todo_db) if t["title"] == "Typed into the form"]
    assert [t["priority"] for t in added] == ["high"]
    assert_clean(errors)


def test_retry_answers_a_message_again_in_place_of_the_old_answer(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    browser_page.goto(site.gateway.url + "/chat")
    send(browser_page, "/tools")
    first = widgets(browser_page).last
    expect(first).to_contain_text("add_task")
    old_id = first.get_attribute("data-item-id")
    message = browser_page.locator("article[data-item-type=user_message]")
    message.hover()
    message.get_by_role("button", name="Retry from this message").click()
    expect(browser_page.locator(f'article[data-item-id="{old_id}"]')).to_have_count(0)
    expect(widgets(browser_page)).to_have_count(1)
    expect(widgets(browser_page).last).to_contain_text("add_task")
    browser_page.reload()  # the store agrees: one message, one answer
    expect(widgets(browser_page)).to_have_count(1)
    assert widgets(browser_page).last.get_attribute("data-item-id") != old_id
    assert_clean(errors)


def test_history_pages_back_and_threads_can_be_switched(page: tuple[Page, PageErrors], site: Site) -> None:
    browser_page, errors = page
    client = site.gateway.client()
    created = client.create_thread("/tools")
    for i in range(12):  # each turn is a message and a widget: more than one page of items
        client.send(created.thread_id, f"/get_task id={1000 + i}")
    other = client.create_thread("/tools").thread_id
    browser_page.goto(f"{site.gateway.url}/chat#thread={created.thread_id}")
    older = browser_page.get_by_role("button", name="Load earlier messages")
    expect(older).to_be_visible()
    log = browser_page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("id=1011")
    expect(log).not_to_contain_text("id=1000")
    older.click()
    expect(log).to_contain_text("id=1000")
    expect(older).to_be_hidden()
    browser_page.locator(f'[data-thread-id="{other}"]').get_by_role("button").first.click()
    expect(log).not_to_contain_text("id=1011")
    assert f"thread={other}" in browser_page.url
    assert_clean(errors)


def test_a_tool_result_carrying_script_and_remote_content_runs_and_loads_nothing(
    page: tuple[Page, PageErrors], site: Site
) -> None:
    browser_page, errors = page
    browser_page.goto(site.gateway.url + "/chat")
    send(browser_page, "/hostile.show_markdown {}")
    expect(widgets(browser_page).last).to_contain_text("raw anchor")
    send(browser_page, "/hostile.show_fields {}")
    expect(widgets(browser_page)).to_have_count(2)
    expect(widgets(browser_page).last).to_contain_text("avatar")
    log = browser_page.get_by_role("log", name="Conversation")
    # The HTML is shown as text: a person sees what the server sent.
    expect(log).to_contain_text("<script>window.__pwned='bio'</script>")
    hrefs = log.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith(("http://", "https://", "mailto:")) for href in hrefs), hrefs
    widgets(browser_page).last.hover()  # where an onmouseover would have fired
    assert log.locator("script, iframe, svg[onload], [onerror], [onload], [onmouseover]").count() == 0
    images = log.locator("img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert all(src.startswith("data:") for src in images), images
    assert browser_page.evaluate("window.__pwned") is None
    save_screenshot(browser_page, "chat-hostile")
    assert_clean(errors)


# -- GET / without the CDN ---------------------------------------------------------------------


def test_without_openais_cdn_the_home_page_falls_back_to_the_built_in_chat(
    browser: Browser, site: Site
) -> None:
    opened, errors = new_page(browser, site.gateway.url)
    opened.route("https://cdn.platform.openai.com/**", lambda route: route.abort())
    opened.goto(site.gateway.url + "/")
    expect(opened.locator("body")).to_have_attribute("data-chatkit", "unavailable")
    expect(opened.get_by_role("alert")).to_contain_text("built-in chat")
    chat = opened.frame_locator("iframe[title=Chat]")
    composer = chat.get_by_role("textbox", name="Message")
    composer.fill("/tools")
    composer.press("Enter")
    expect(chat.locator("article[data-item-type=widget]").last).to_contain_text("add_task")
    errors.offsite = [u for u in errors.offsite if not u.startswith("https://cdn.platform.openai.com/")]
    assert_clean(errors)
    opened.context.close()


# -- with auth ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("pages-auth")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"todo": todo_server_config(tmp / "todo.db")},
            "store": {"url": store_url(tmp)},
            "auth": {"tokens": {"token-alice": "alice"}},
        },
    )
    with running_gateway(config) as running:
        yield running


def test_with_auth_the_pages_ask_for_a_token_and_then_work(browser: Browser, guarded: Gateway) -> None:
    opened, errors = new_page(browser, guarded.url)
    opened.goto(guarded.url + "/chat")
    token = opened.get_by_label("Access token")
    expect(opened.get_by_role("status")).to_contain_text("requires an Authorization: Bearer token")
    token.fill("token-alice")
    opened.get_by_role("button", name="Sign in").click()
    send(opened, "/tools")
    expect(widgets(opened).last).to_contain_text("add_task")

    opened.goto(guarded.url + "/inspector")  # the same tab keeps the token for the inspector
    expect(opened.get_by_role("region", name="Server todo")).to_contain_text("up")
    opened.context.close()
    assert errors.exceptions == []
