"""Shared test set-up: the fixtures many test files use. What they are built from lives in tests/support/."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gateway.store.sql import SQLStore
from tests.support.gateway import Gateway, running_local_gateway
from tests.support.model_server import ScriptedModel

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PARTNERS = ROOT / ".cache" / "partners" / "node_modules"
EVERYTHING_JS = PARTNERS / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"

# The throwaway PostgreSQL cluster (one per session) and its per-test databases.
pytest_plugins = ["tests.support.postgres"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, one per test file that drives pages."""
    from tests.support.browser import playwright_browser

    with playwright_browser() as launched:
        yield launched


@pytest.fixture()
def todo_db(tmp_path: Path) -> Path:
    """The todo server's database file (the `gateway` fixture's server uses it; read it with support.chat.tasks)."""
    return tmp_path / "todo.db"


@pytest.fixture()
def gateway(tmp_path: Path, todo_db: Path) -> Iterator[Gateway]:
    """A gateway set up like the repo's config.yaml: our todo server on `todo_db`, a SQLite store.

    A test file that needs another set-up defines its own `gateway` fixture, which wins.
    """
    with running_local_gateway(tmp_path, todo_db=todo_db) as running:
        yield running


@pytest.fixture()
def model() -> Iterator[ScriptedModel]:
    """The scripted OpenAI-compatible model (script it with `model.script(...)`); verified at the end:
    a test fails if the gateway sent a request the script did not expect, or left a step unused."""
    scripted = ScriptedModel().start()
    try:
        yield scripted
    finally:
        scripted.stop()
    scripted.verify()


def model_section(model: ScriptedModel, **options: object) -> dict[str, object]:
    """The `model:` section that points the gateway at the scripted model."""
    return {"model": "scripted-model", "base_url": model.url, "api_key": "sk-test-key", **options}


@pytest.fixture()
def model_gateway(tmp_path: Path, todo_db: Path, model: ScriptedModel) -> Iterator[Gateway]:
    """A gateway like `gateway`, with the scripted model configured."""
    with running_local_gateway(tmp_path, todo_db=todo_db, model=model_section(model, retries=0)) as running:
        yield running


@pytest.fixture()
def marker(tmp_path: Path) -> Path:
    """The file tests/servers/quirky.py notes what it did in (`--marker`)."""
    return tmp_path / "quirky.log"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SQLStore]:
    """A store on a fresh database: SQLite, then PostgreSQL (`database_url` is parametrized)."""
    store = await SQLStore.create(database_url)
    yield store
    await store.close()
