"""Headless Chromium (Debian's package, installed by scripts/test-deps.sh) for page tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

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
