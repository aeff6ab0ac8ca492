"""Shared test set-up. Fixtures that start real servers live in tests/support/."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PARTNERS = ROOT / ".cache" / "partners" / "node_modules"
EVERYTHING_JS = PARTNERS / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"

# The throwaway PostgreSQL cluster (one per session) and its per-test databases.
pytest_plugins = ["tests.support.postgres"]
