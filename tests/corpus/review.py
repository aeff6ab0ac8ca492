"""Screenshots of every golden widget, drawn by our own web renderer, for review by eye.

    .venv/bin/python -m tests.corpus.review --out DIR [--server NAME ...] [--theme dark]

The widgets are drawn by gateway/web/static/widgets.js (with markdown.js, chart.js and
widgets.css: the code of the /chat pane and the inspector) in Debian's Chromium under
Playwright. The static files are served to the page from disk through Playwright's request
routing on a made-up origin: no gateway, no network. Writes `DIR/<server>/<case>.png` (the
case's title and copy_text above its widget) and `DIR/index.html`, all the PNGs on one page.
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import sys
from pathlib import Path

from playwright.sync_api import Page, Route

from tests.corpus.cases import SERVERS
from tests.corpus.golden import WIDGETS
from tests.support.browser import playwright_browser

STATIC = Path(__file__).resolve().parents[2] / "gateway" / "web" / "static"
ORIGIN = "http://corpus.review"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>corpus review</title>
<link rel="stylesheet" href="/static/widgets.css">
<style>
  body { margin: 0; padding: 20px; background: #f4f4f6; font-family: system-ui, sans-serif; }
  body.dark { background: #1f1f23; color: #eee; }
  main { width: 640px; display: flex; flex-direction: column; gap: 10px; }
  h1 { font-size: 15px; margin: 0; }
  pre { font-size: 11px; white-space: pre-wrap; margin: 0; color: #666; }
</style>
<script type="module">
  import { renderWidget } from "/static/widgets.js";
  window.__show = async (title, copyText, widget, theme) => {
    document.body.className = theme;
    const main = document.createElement("main");
    const heading = document.createElement("h1");
    heading.textContent = title;
    const copy = document.createElement("pre");
    copy.textContent = "copy_text: " + copyText;
    main.append(heading, copy, renderWidget(widget, { theme, onAction: () => Promise.resolve() }));
    document.body.replaceChildren(main);
    await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
    await document.fonts.ready;
  };
  window.__ready = true;
</script>
</head><body></body></html>
"""


def serve(route: Route) -> None:
    """The review page at /, the gateway's static files under /static/."""
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path in ("", "/"):
        route.fulfill(status=200, content_type="text/html", body=PAGE)
        return
    file = (STATIC / path.removeprefix("/static/")).resolve()
    if path.startswith("/static/") and file.is_relative_to(STATIC) and file.is_file():
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".js":
            kind = "text/javascript"
        route.fulfill(status=200, content_type=kind, body=file.read_bytes())
        return
    route.fulfill(status=404, body="not found")


def shoot(page: Page, golden: Path, out: Path, theme: str) -> None:
    data = json.loads(golden.read_text())
    title = f"{golden.parent.name} / {golden.name.removesuffix('.widget.json')}"
    page.evaluate(
        "([t, c, w, theme]) => window.__show(t, c, w, theme)",
        [title, data["copy_text"], data["widget"], theme],
    )
    page.locator("main").screenshot(path=str(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.corpus.review", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="where the PNGs and index.html go")
    parser.add_argument(
        "--server", action="append", choices=list(SERVERS), help="only this server (repeatable)"
    )
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    args = parser.parse_args(argv)
    goldens = [g for s in args.server or list(SERVERS) for g in sorted((WIDGETS / s).glob("*.widget.json"))]
    if not goldens:
        print(
            f"no golden widgets under {WIDGETS}: run UPDATE_GOLDEN=1 pytest tests/test_corpus_render.py",
            file=sys.stderr,
        )
        return 1
    problems: list[str] = []
    shots: list[Path] = []
    with playwright_browser() as browser:
        context = browser.new_context(viewport={"width": 700, "height": 600}, device_scale_factor=1)
        page = context.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None
        )
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.__ready === true")
        for golden in goldens:
            out = args.out / golden.parent.name / golden.name.replace(".widget.json", ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            shoot(page, golden, out, args.theme)
            shots.append(out)
        context.close()
    index = "".join(
        f'<h2>{html.escape(str(s.relative_to(args.out)))}</h2><img src="{html.escape(str(s.relative_to(args.out)))}">'
        for s in shots
    )
    (args.out / "index.html").write_text(f"<!doctype html><meta charset='utf-8'><title>corpus</title>{index}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(shots)} screenshots in {args.out} (index.html shows them all)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
