"""Headless Chromium (Debian's package, installed by scripts/test-deps.sh) for page tests:
as a command line (`dump_dom`, `screenshot`) and driven by Playwright (`playwright_browser`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Dialog, Page, Request, sync_playwright

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The Chromium binary; fails loudly when the test set-up did not install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("chromium is not installed: run scripts/test-deps.sh (make test does)")
    return path


def dump_dom(url: str, *, budget_ms: int = 15000) -> str:
    """The page's DOM after its scripts ran for up to `budget_ms` of virtual time."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            timeout=90,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"chromium failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}"
        )
    return done.stdout.decode()


def screenshot(url: str, path: str, *, size: str = "1000,800", budget_ms: int = 15000) -> None:
    """Save a PNG of the page, for a person to look at."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                f"--window-size={size}",
                f"--screenshot={path}",
                url,
            ],
            capture_output=True,
            timeout=90,
            check=True,
        )


SCREENSHOTS = Path(__file__).resolve().parents[2] / ".cache" / "screenshots"
"""Where page tests save what a person should look at (kept after the run; `.cache` is ignored by git)."""


@contextmanager
def playwright_browser() -> Iterator[Browser]:
    """Playwright (from PyPI) driving Debian's Chromium, launched by path: Playwright cannot
    download its own browsers here, and the test set-up installs the system one."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        try:
            yield browser
        finally:
            browser.close()


class PageErrors:
    """What went wrong inside a page: uncaught exceptions, console errors, dialogs it opened
    (a script that ran `alert()` shows here) and requests it tried to make off this origin."""

    def __init__(self, page: Page, origin: str) -> None:
        self.exceptions: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.offsite: list[str] = []
        page.on("pageerror", lambda exc: self.exceptions.append(str(exc)))
        page.on("console", lambda msg: self.console.append(msg.text) if msg.type == "error" else None)

        def dialog(d: Dialog) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

        def request(r: Request) -> None:
            if not (r.url.startswith(origin) or r.url.startswith("data:") or r.url.startswith("blob:")):
                self.offsite.append(r.url)

        page.on("request", request)


def new_page(browser: Browser, origin: str, **options: Any) -> tuple[Page, PageErrors]:
    """A fresh page (its own context: no shared storage) and the record of what goes wrong in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, **options)
    context.set_default_timeout(15000)
    page = context.new_page()
    return page, PageErrors(page, origin)


def save_screenshot(page: Page, name: str) -> Path:
    """A PNG of the whole page under .cache/screenshots, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
