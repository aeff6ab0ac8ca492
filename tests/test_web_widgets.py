"""The browser-side widget renderer (gateway/web/static/widgets.js, markdown.js, chart.js) in Chromium.

Each test opens a same-origin page on the gateway (/health), imports the modules from /static/ and
renders widget JSON into the body; actions land in `window.__actions` for the test to read back.
"""

from __future__ import annotations

import base64
import json
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
from playwright.sync_api import Browser, Page, expect

from gateway.config.render import RenderConfig
from gateway.render.renderer import Renderer
from gateway.render.widget import Node
from tests.render_cases.checks import CASES, submit, todo_tools
from tests.support.browser import PageErrors, new_page, save_screenshot
from tests.support.gateway import Gateway, running_local_gateway

WEB_CASES = Path(__file__).parent / "web_cases"
RENDERER = Renderer(RenderConfig(), Path(__file__).resolve().parent.parent)

HARNESS = """
async () => {
  document.head.replaceChildren();
  document.body.replaceChildren();
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/static/widgets.css";
  const loaded = new Promise((resolve) => css.addEventListener("load", resolve));
  document.head.append(css);
  await loaded;
  document.body.style.cssText = "margin:0;padding:24px;background:#f4f4f6";
  const { renderWidget } = await import("/static/widgets.js");
  window.__markdown = await import("/static/markdown.js");
  window.__actions = [];
  window.__hold = false;
  window.__release = () => {};
  window.__render = (widgets) => {
    const main = document.createElement("main");
    main.style.cssText = "max-width:600px;display:flex;flex-direction:column;gap:16px";
    for (const widget of widgets) {
      main.append(renderWidget(widget, {
        onAction: (action, { source }) => {
          window.__actions.push(action);
          if (!window.__hold) return Promise.resolve();
          return new Promise((resolve) => { window.__release = resolve; });
        },
      }));
    }
    document.body.replaceChildren(main);
  };
}
"""


def component_types() -> set[str]:
    """Every component `type` chatkit.widgets declares (roots included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from chatkit import widgets
    found: set[str] = set()
    for value in vars(widgets).values():
        if isinstance(value, type) and issubclass(value, widgets.WidgetComponentBase):
            annotation = value.model_fields["type"].annotation
            if get_origin(annotation) is Literal:
                found.update(get_args(annotation))
    return found


def png_data_url(width: int = 48, height: int = 32) -> str:
    """A small gradient PNG as a data: URL (the only kind of image the renderer loads)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((60 + 150 * x // width, 120 + 80 * y // height, 230)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def types_in(tree: Any) -> set[str]:
    """Every component type used in a widget tree."""
    if isinstance(tree, list):
        return set().union(*(types_in(t) for t in tree)) if tree else set()
    if not isinstance(tree, dict):
        return set()
    own = {tree["type"]} if isinstance(tree.get("type"), str) and tree["type"][:1].isupper() else set()
    return own.union(*(types_in(v) for k, v in tree.items() if k in ("children", "roots")))


def action(kind: str, payload: dict[str, Any] | None = None, loading: str = "auto") -> dict[str, Any]:
    return {"type": kind, "payload": payload or {}, "handler": "server", "loadingBehavior": loading}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with running_local_gateway(tmp_path_factory.mktemp("web-widgets")) as running:
        yield running


@pytest.fixture()
def harness(browser: Browser, gateway: Gateway) -> Iterator[tuple[Page, PageErrors]]:
    page, errors = new_page(browser, gateway.url)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the gateway has none: a 404
    page.goto(gateway.url + "/health")
    page.evaluate(HARNESS)
    yield page, errors
    assert errors.exceptions == [], errors.exceptions
    assert errors.console == [], errors.console
    page.context.close()


def render(page: Page, *widgets: Any) -> None:
    page.evaluate("(widgets) => window.__render(widgets)", list(widgets))


def fired(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("() => window.__actions")


# -- every component -------------------------------------------------------------------------


def test_every_chatkit_component_renders_in_a_gallery(harness: tuple[Page, PageErrors]) -> None:
    page, errors = harness
    gallery = json.loads(
        (WEB_CASES / "gallery.json").read_text().replace('"IMAGE"', json.dumps(png_data_url()))
    )
    missing = component_types() - types_in(gallery["roots"])
    assert not missing, f"the gallery lacks {sorted(missing)}: add them to tests/web_cases/gallery.json"
    render(page, *gallery["roots"])

    assert page.locator(".ck-unsupported").count() == 0
    assert page.locator(".ck-widget").count() == 3
    chart = page.locator(".ck-chart svg[role=img]")
    expect(chart).to_have_count(1)
    assert chart.locator("rect").count() == 8  # 2 stacked bar series x 4 months
    assert chart.locator("path").count() >= 3  # the line, the area fill and its outline
    assert "Done" in (chart.get_attribute("aria-label") or "")
    expect(page.locator(".ck-chart-legend li")).to_have_count(4)

    expect(page.get_by_role("heading", name="Every component")).to_be_visible()
    expect(page.get_by_role("textbox", name="Title")).to_have_attribute("required", "")
    expect(page.get_by_role("textbox", name="Notes")).to_be_visible()
    expect(page.get_by_role("textbox", name="Nickname")).to_have_value("Editable text")
    expect(page.get_by_role("combobox", name="Priority")).to_have_value("")
    expect(page.get_by_label("Due date")).to_have_value("2026-03-05")
    expect(page.get_by_role("checkbox", name="Urgent")).to_be_checked()
    expect(page.get_by_role("radiogroup", name="Size")).to_be_visible()
    expect(page.get_by_role("radio", name="Medium")).to_be_checked()
    expect(page.get_by_role("button", name="Disabled")).to_be_disabled()
    expect(page.get_by_role("button", name="Settings slider")).to_be_visible()
    expect(page.get_by_role("img", name="A blue gradient")).to_have_js_property("naturalWidth", 48)
    expect(page.locator(".ck-markdown a")).to_have_attribute("href", "https://example.invalid/docs")
    expect(page.locator(".ck-icon-unknown")).to_have_count(1)  # the vendor: icon; lucide:trash is known

    # the list shows 3 of its 5 items, then all of them
    expect(page.get_by_text("Fourth item (behind show more)")).to_be_hidden()
    page.get_by_role("button", name="Show 2 more").click()
    expect(page.get_by_text("Fourth item (behind show more)")).to_be_visible()

    page.mouse.move(0, 0)
    shot = save_screenshot(page, "widget-gallery")
    assert shot.stat().st_size > 10_000
    assert errors.offsite == []


def test_what_the_gateway_renders_shows_without_placeholders(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    cases = sorted(p for p in (CASES / "templates").glob("*.json") if not p.name.endswith(".data.json"))
    widgets = [json.loads(p.read_text()) for p in cases]
    assert len(widgets) >= 5
    render(page, *widgets)
    assert page.locator(".ck-unsupported").count() == 0
    assert page.locator(".ck-widget").count() == len(widgets)
    expect(page.get_by_role("button", name="Complete").first).to_be_visible()
    expect(page.get_by_text("Buy milk").first).to_be_visible()


# -- actions and forms -----------------------------------------------------------------------


def form_widget() -> Node:
    on_submit = {
        "type": "tool.call",
        "payload": {"tool": "todo.add_task", "arguments": {"id": 7}, "note": "kept"},
        "handler": "server",
        "loadingBehavior": "self",
        "streaming": True,
    }
    return {
        "type": "Card",
        "children": [
            {
                "type": "Form",
                "onSubmitAction": on_submit,
                "children": [
                    {"type": "Label", "value": "Title", "fieldName": "arguments.title"},
                    {"type": "Input", "name": "arguments.title"},
                    {"type": "Label", "value": "Due", "fieldName": "arguments.due"},
                    {"type": "DatePicker", "name": "arguments.due"},
                    {"type": "Input", "name": "arguments.id", "defaultValue": "99"},
                    {"type": "Input", "name": "note", "placeholder": "Note"},
                    {"type": "Textarea", "name": "arguments.details", "placeholder": "Details"},
                    {"type": "Checkbox", "name": "arguments.urgent", "label": "Urgent"},
                    {
                        "type": "Checkbox",
                        "name": "arguments.flags.quiet",
                        "label": "Quiet",
                        "defaultChecked": True,
                    },
                    {
                        "type": "Select",
                        "name": "arguments.priority",
                        "placeholder": "Priority",
                        "options": [{"value": "low", "label": "Low"}, {"value": "high", "label": "High"}],
                    },
                    {"type": "Input", "name": "__proto__.polluted", "defaultValue": "yes"},
                    {"type": "Button", "label": "Add", "submit": True},
                    {
                        "type": "Button",
                        "label": "Preview",
                        "onClickAction": {"type": "preview", "payload": {"arguments": "not an object"}},
                    },
                ],
            }
        ],
    }


def test_a_form_submit_merges_named_fields_into_a_copy_of_the_payload(
    harness: tuple[Page, PageErrors],
) -> None:
    page, _ = harness
    render(page, form_widget())
    page.get_by_role("textbox", name="Title").fill("Buy milk")
    page.get_by_label("Due").fill("2026-03-05")
    page.get_by_role("textbox", name="Note").fill("overwritten?")
    page.get_by_role("checkbox", name="Urgent").check()
    page.get_by_role("combobox", name="Priority").select_option("high")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("button", name="Preview").click()

    (submitted, preview) = fired(page)
    assert submitted == {
        "type": "tool.call",
        "payload": {
            "tool": "todo.add_task",
            "arguments": {
                "id": 7,
                "title": "Buy milk",
                "due": "2026-03-05",
                "details": "",
                "urgent": True,
                "flags": {"quiet": True},
                "priority": "high",
            },
            "note": "kept",
        },
        "handler": "server",
        "loadingBehavior": "self",
    }
    # a non-object under a dotted name drops the fields below it; other fields still merge
    assert preview["payload"] == {"arguments": "not an object", "note": "overwritten?"}
    assert page.evaluate("() => ({}).polluted") is None


def test_the_gateways_own_form_submits_what_the_server_expects(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    update = todo_tools()["update_task"]
    rendered = RENDERER.form(update, values={"id": 3, "title": "Call mum", "priority": "medium"})
    widget = rendered.widget.model_dump(mode="json", exclude_none=True)
    render(page, widget)
    assert page.locator(".ck-unsupported").count() == 0
    title = page.get_by_role("textbox", name="Title")
    expect(title).to_have_value("Call mum")
    title.fill("Call mum tonight")
    page.get_by_role("button", name="Run").click()
    (sent,) = fired(page)
    form_node = next(n for n in widget["children"] if n["type"] == "Form")
    values = page.evaluate(
        """() => Object.fromEntries([...document.querySelector("form").elements]
             .filter((e) => e.name && e.type !== "submit")
             .map((e) => [e.name, e.type === "checkbox" ? e.checked : e.value]))"""
    )
    assert sent["payload"] == submit(form_node["onSubmitAction"], values)["payload"]
    assert sent["payload"]["arguments"] == {"id": 3}
    assert sent["payload"]["input"]["title"] == "Call mum tonight"


def test_required_and_pattern_block_the_submit_until_the_form_is_valid(
    harness: tuple[Page, PageErrors],
) -> None:
    page, _ = harness
    render(
        page,
        {
            "type": "Card",
            "asForm": True,
            "children": [
                {"type": "Input", "name": "title", "placeholder": "Title", "required": True},
                {"type": "Input", "name": "count", "placeholder": "Count", "pattern": "[0-9]+"},
            ],
            "confirm": {"label": "Save", "action": action("save", {"kind": "task"})},
            "cancel": {"label": "Cancel", "action": action("cancel")},
        },
    )
    save = page.get_by_role("button", name="Save")
    save.click()
    assert fired(page) == []
    assert page.evaluate("() => document.activeElement.name") == "title"  # reportValidity focused it
    page.get_by_role("textbox", name="Title").fill("Buy milk")
    page.get_by_role("textbox", name="Count").fill("twelve")
    save.click()
    page.get_by_role("textbox", name="Count").press("Enter")
    assert fired(page) == []
    page.get_by_role("button", name="Cancel").click()  # cancel does not validate
    page.get_by_role("textbox", name="Count").fill("12")
    page.get_by_role("textbox", name="Count").press("Enter")  # implicit submit = confirm
    save.click()
    cancel_action, *saves = fired(page)
    assert cancel_action["type"] == "cancel"
    assert saves == [action("save", {"kind": "task", "title": "Buy milk", "count": "12"})] * 2


def test_a_pending_action_disables_its_control_or_the_whole_widget(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    render(
        page,
        {
            "type": "Card",
            "children": [
                {"type": "Button", "label": "Self", "onClickAction": action("a", loading="self")},
                {"type": "Button", "label": "Whole", "onClickAction": action("b", loading="container")},
                {"type": "Button", "label": "Nothing", "onClickAction": action("c", loading="none")},
            ],
        },
    )
    page.evaluate("() => { window.__hold = true; }")
    buttons = {name: page.get_by_role("button", name=name) for name in ("Self", "Whole", "Nothing")}
    buttons["Self"].click()
    expect(buttons["Self"]).to_be_disabled()
    expect(buttons["Self"]).to_have_attribute("aria-busy", "true")
    expect(buttons["Whole"]).to_be_enabled()
    page.evaluate("() => window.__release()")
    expect(buttons["Self"]).to_be_enabled()
    expect(buttons["Self"]).not_to_have_attribute("aria-busy", "true")

    buttons["Whole"].click()
    expect(page.locator(".ck-widget")).to_have_attribute("aria-busy", "true")
    for button in buttons.values():
        expect(button).to_be_disabled()
    page.evaluate("() => window.__release()")
    for button in buttons.values():
        expect(button).to_be_enabled()

    buttons["Nothing"].click()
    expect(buttons["Nothing"]).to_be_enabled()
    assert [a["type"] for a in fired(page)] == ["a", "b", "c"]


def test_a_rejected_action_is_logged_and_the_control_comes_back(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    page.evaluate(
        """() => {
          window.__warnings = [];
          console.warn = (...args) => window.__warnings.push(args.map(String).join(" "));
        }"""
    )
    page.evaluate(
        """async () => {
          const { renderWidget } = await import("/static/widgets.js");
          const widget = { type: "Card", children: [{ type: "Button", label: "Fail",
            onClickAction: { type: "boom", payload: {}, handler: "client" } }] };
          document.body.append(renderWidget(widget, { onAction: async (a) => {
            window.__actions.push(a); throw new Error("server said no"); } }));
        }"""
    )
    page.get_by_role("button", name="Fail").click()
    expect(page.get_by_role("button", name="Fail")).to_be_enabled()
    assert fired(page)[0]["handler"] == "client"
    assert any("server said no" in w for w in page.evaluate("() => window.__warnings"))


def test_field_names_cannot_shadow_the_forms_own_methods(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    names = ["append", "closest", "querySelectorAll", "setAttribute", "elements", "reportValidity", "submit"]
    render(
        page,
        {
            "type": "Card",
            "asForm": True,
            "children": [{"type": "Input", "name": n, "defaultValue": n, "required": True} for n in names],
            "confirm": {"label": "Go", "action": action("go", loading="self")},
        },
        {
            "type": "Form",
            "onSubmitAction": action("lone", loading="self"),
            "children": [
                {"type": "Input", "name": "append", "placeholder": "Lone field"},
                {"type": "Caption", "value": "Appended after a field named append"},
            ],
        },
    )
    page.get_by_role("button", name="Go").click()
    page.get_by_role("textbox", name="Lone field").fill("typed")
    page.get_by_role("textbox", name="Lone field").press("Enter")  # submits with no submitter
    expect(page.get_by_role("textbox", name="Lone field")).to_be_enabled()
    assert fired(page) == [
        action("go", {n: n for n in names}, loading="self"),
        action("lone", {"append": "typed"}, loading="self"),
    ]
    expect(page.get_by_text("Appended after a field named append")).to_be_visible()


def test_a_collapsed_card_keeps_its_body_behind_a_toggle(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    render(
        page,
        {
            "type": "Card",
            "collapsed": True,
            "status": {"text": "Task added", "icon": "check-circle"},
            "children": [{"type": "Text", "value": "Body text"}],
            "confirm": {"label": "Undo", "action": action("undo")},
        },
    )
    expect(page.get_by_text("Task added")).to_be_visible()
    expect(page.get_by_text("Body text")).to_be_hidden()
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()
    toggle = page.get_by_role("button", name="Show details")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.get_by_text("Body text")).to_be_visible()
    expect(page.get_by_role("button", name="Hide details")).to_have_attribute("aria-expanded", "true")


# -- hostile content -------------------------------------------------------------------------

HOSTILE_MARKDOWN = "\n".join(
    [
        'Raw <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=1</script>',
        "[click](javascript:window.__pwned=1) [tab](java\tscript:window.__pwned=1) [caps](JaVaScRiPt:window.__pwned=1)",
        "[data](data:text/html,<script>window.__pwned=1</script>) [vb](vbscript:msgbox) [rel](//example.invalid/x)",
        "<javascript:window.__pwned=1> ![remote](http://example.invalid/a.png) ![proto](//example.invalid/b.png)",
        '![svg](data:image/svg+xml,<svg onload="window.__pwned=1">) [img](<javascript:x>)',
        "",
        "<iframe src=x></iframe>",
    ]
)


def hostile_widget() -> Node:
    evil = '<img src=x onerror="window.__pwned=1"><b>bold?</b>'
    return {
        "type": "Card",
        "id": "__actions",
        "background": "url(http://example.invalid/x)",
        "children": [
            {"type": "Markdown", "value": HOSTILE_MARKDOWN},
            {"type": "Text", "value": evil, "color": "red; background: url(http://example.invalid/y)"},
            {"type": "Title", "value": "<script>window.__pwned=1</script>"},
            {"type": "Badge", "label": evil},
            {"type": "Image", "src": "http://example.invalid/photo.png", "alt": "A remote photo"},
            {"type": "Image", "src": "javascript:window.__pwned=1", "alt": "js"},
            {"type": "Image", "src": "data:text/html;base64,PHNjcmlwdD4=", "alt": "html"},
            {
                "type": "Box",
                "background": "rgb(1,2,3) url(http://example.invalid/z)",
                "padding": "expression(alert(1))",
                "width": "calc(100% - url(x))",
                "border": {"size": 2, "color": "var(--x, url(http://example.invalid/w))"},
                "children": [{"type": "Caption", "value": "box"}],
            },
            {
                "type": "Chart",
                "data": [{"x": "a", "y": 1}],
                "series": [{"type": "bar", "dataKey": "y", "color": "url(#x)"}],
                "xAxis": "x",
            },
            {"type": "Icon", "name": "<svg onload=alert(1)>"},
            {"type": "<img src=x onerror=alert(1)>", "children": [{"type": "Text", "value": "child kept"}]},
            {
                "type": "Button",
                "label": evil,
                "iconStart": "javascript:alert(1)",
                "onClickAction": action("x"),
            },
            {
                "type": "ListView",
                "status": {"text": "status", "favicon": "http://example.invalid/favicon.ico"},
                "children": [{"type": "ListViewItem", "children": [{"type": "Text", "value": "i"}]}],
            },
        ],
    }


def test_hostile_widget_content_stays_text_and_loads_nothing(harness: tuple[Page, PageErrors]) -> None:
    page, errors = harness
    render(page, hostile_widget())
    page.wait_for_timeout(100)
    for link in page.locator(".ck-widget a").all():
        link.click(modifiers=["Alt"])  # Alt: a real link would download, not navigate; none should exist
    for button in page.locator(".ck-widget button, .ck-widget [role=button]").all():
        button.click()
    for blocked in page.locator(".ck-md-link-blocked").all():
        blocked.click()
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.__pwned") is None
    assert errors.offsite == [] and errors.dialogs == []
    report = page.evaluate(
        """() => {
          const root = document.querySelector("main");
          const all = [...root.querySelectorAll("*")];
          return {
            scripts: root.querySelectorAll("script, iframe, object, embed").length,
            images: [...root.querySelectorAll("img")].map((i) => i.getAttribute("src")),
            hrefs: [...root.querySelectorAll("[href]")].map((a) => a.getAttribute("href")),
            handlers: all.flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith("on")),
            styles: all.map((el) => el.getAttribute("style") || "").filter((s) => /url|expression|var\\(--x/i.test(s)),
            fills: [...root.querySelectorAll("[fill], [stroke]")]
              .map((el) => `${el.getAttribute("fill")} ${el.getAttribute("stroke")}`)
              .filter((f) => /url|var/i.test(f)),
            ids: all.filter((el) => el.id && !el.id.startsWith("ck")).length,
            text: root.textContent,
          };
        }"""
    )
    assert report["scripts"] == 0
    assert all(src.startswith("data:image/") for src in report["images"]), report["images"]
    assert report["hrefs"] == [], report["hrefs"]
    assert (
        report["handlers"] == [] and report["styles"] == [] and report["fills"] == [] and report["ids"] == 0
    )
    for shown in ("<script>window.__pwned=1</script>", 'onerror="window.__pwned=1"', "<iframe"):
        assert shown in report["text"]
    assert "image not loaded: example.invalid" in report["text"]
    assert "Unsupported component: <img src=x onerror=alert(1)>" in report["text"]
    assert "child kept" in report["text"]
    expect(page.get_by_role("img", name="A remote photo (image not loaded)")).to_be_visible()
    assert page.evaluate("() => Array.isArray(window.__actions)")  # the widget id did not clobber it


def test_markdown_renders_its_subset_and_survives_fuzzing(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    source = "\n".join(
        [
            "## Heading *two*",
            "A **bold**, _italic_, ~~gone~~ and `a | code` line,",
            "with a break. snake_case_name stays.",
            "",
            "```python",
            "print('```not closing')",
            "```",
            "",
            "    indented code",
            "",
            "> quoted **text**",
            "",
            "1. first",
            "2. second",
            "   - nested one",
            "   - nested two",
            "",
            "---",
            "",
            "| Name | Qty |",
            "|:-----|----:|",
            "| milk | 2 |",
            "",
            "See https://example.invalid/a_b, [docs](https://example.invalid/docs) or <mailto:me@example.invalid>.",
            "![dot](" + png_data_url(2, 2) + ")",
        ]
    )
    shape = page.evaluate(
        """(source) => {
          const box = document.createElement("div");
          box.className = "ck-markdown";
          box.append(window.__markdown.renderMarkdown(source));
          document.body.replaceChildren(box);
          const q = (s) => [...box.querySelectorAll(s)].map((e) => e.textContent);
          return {
            h2: q("h2"), strong: q("strong"), em: q("em"), del: q("del"), code: q("p code"),
            pre: q("pre code"), lang: box.querySelector("pre code").dataset.lang,
            quote: q("blockquote strong"), ol: q("ol > li").length, nested: q("ol > li ul > li"),
            hr: q("hr").length, th: q("th"), td: q("td"), align: box.querySelector("td + td").style.textAlign,
            links: [...box.querySelectorAll("a")].map((a) => [a.textContent, a.href, a.target, a.rel]),
            brs: box.querySelectorAll("p br").length, imgs: box.querySelectorAll("img[src^='data:image/png']").length,
            text: box.textContent,
          };
        }""",
        source,
    )
    assert shape["h2"] == ["Heading two"]
    assert (
        shape["strong"] == ["bold", "text"] and shape["em"] == ["two", "italic"] and shape["del"] == ["gone"]
    )
    assert shape["code"] == ["a | code"]
    assert shape["pre"] == ["print('```not closing')", "indented code"] and shape["lang"] == "python"
    assert shape["quote"] == ["text"] and shape["ol"] == 2 and shape["nested"] == ["nested one", "nested two"]
    assert shape["hr"] == 1 and shape["th"] == ["Name", "Qty"] and shape["td"] == ["milk", "2"]
    assert shape["align"] == "right"
    rel = "noopener noreferrer nofollow"
    assert shape["links"] == [
        ["https://example.invalid/a_b", "https://example.invalid/a_b", "_blank", rel],
        ["docs", "https://example.invalid/docs", "_blank", rel],
        ["mailto:me@example.invalid", "mailto:me@example.invalid", "_blank", rel],
    ]
    assert shape["brs"] >= 1 and shape["imgs"] == 1
    assert "snake_case_name" in shape["text"] and "```" not in shape["text"].replace("print('```", "")

    fuzz = page.evaluate(
        """() => {
          let seed = 7;
          const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
          const bits = ["*", "**", "_", "`", "```", "~~", "[", "](", ")", "!", "<", ">", "#", "- ", "1. ",
            "|", "---", "\\n", "\\n\\n", "    ", "> ", "\\\\", "http://x.y/", "javascript:", "a", " ", "\\t", "\\u0000"];
          const failures = [];
          const started = performance.now();
          for (let i = 0; i < 400; i++) {
            let text = "";
            for (let j = rand(80); j > 0; j--) text += bits[rand(bits.length)];
            try {
              const out = window.__markdown.renderMarkdown(text);
              if (out.querySelector("script, a[href^='javascript'], img:not([src^='data:'])")) failures.push(text);
            } catch (error) { failures.push(String(error)); }
          }
          const long = "*a _b `c [d](e ".repeat(4000);
          window.__markdown.renderMarkdown(long);
          window.__markdown.renderMarkdown("#" + " ".repeat(50000) + "x");
          window.__markdown.renderMarkdown("[".repeat(3000) + "]".repeat(3000));
          window.__markdown.renderMarkdown("> ".repeat(3000) + "deep");
          window.__markdown.renderMarkdown("- ".repeat(3000) + "deep");
          return { failures, ms: performance.now() - started };
        }"""
    )
    assert fuzz["failures"] == []
    assert fuzz["ms"] < 5000


# -- keyboard --------------------------------------------------------------------------------


def test_list_items_with_actions_work_from_the_keyboard(harness: tuple[Page, PageErrors]) -> None:
    page, _ = harness
    render(
        page,
        {
            "type": "ListView",
            "children": [
                {
                    "type": "ListViewItem",
                    "onClickAction": action("open", {"id": 1}),
                    "children": [{"type": "Text", "value": "Plain item"}],
                },
                {
                    "type": "ListViewItem",
                    "onClickAction": action("open", {"id": 2}),
                    "children": [
                        {"type": "Text", "value": "Item with a button"},
                        {"type": "Button", "label": "Delete", "onClickAction": action("delete", {"id": 2})},
                    ],
                },
            ],
        },
    )
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.textContent]")
    assert focused == ["BUTTON", "Plain item"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "button"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the item's own button
    page.keyboard.press("Space")
    page.get_by_role(
        "button", name="Delete", exact=True
    ).click()  # a click on the inner button is not the item's
    expect(page.get_by_role("button", name="Plain item")).to_be_visible()
    assert [(a["type"], a["payload"]) for a in fired(page)] == [
        ("open", {"id": 1}),
        ("open", {"id": 2}),
        ("delete", {"id": 2}),
        ("delete", {"id": 2}),
    ]


def test_a_diff_block_colours_added_and_removed_lines_and_keeps_the_text(
    harness: tuple[Page, PageErrors],
) -> None:
    page, _ = harness
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n def f():\n-    return 1\n+    return 2"
    shape = page.evaluate(
        """(source) => {
          const box = document.createElement("div");
          box.className = "ck-markdown ck-widget";
          box.append(window.__markdown.renderMarkdown(source));
          document.body.replaceChildren(box);
          const code = box.querySelector("code.ck-md-code-block");
          const colour = (s) => getComputedStyle(box.querySelector(s)).color;
          return {
            text: code.textContent,
            added: [...box.querySelectorAll(".ck-md-diff-add")].map((e) => e.textContent),
            removed: [...box.querySelectorAll(".ck-md-diff-del")].map((e) => e.textContent),
            colours: new Set([colour(".ck-md-diff-add"), colour(".ck-md-diff-del"), getComputedStyle(code).color]).size,
          };
        }""",
        f"```diff\n{diff}\n```",
    )
    assert shape["text"] == diff  # every character, every leading space
    assert shape["added"] == ["+    return 2"] and shape["removed"] == ["-    return 1"]
    assert shape["colours"] == 3
