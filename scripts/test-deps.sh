#!/usr/bin/env bash
# Installs what the tests need beyond Python packages, idempotently:
#  - npm MCP servers used as test partners (nobody here wrote them), under .cache/partners
#  - Debian's PostgreSQL server binaries (the tests start a throwaway cluster themselves)
set -euo pipefail
cd "$(dirname "$0")/.."

PARTNERS=.cache/partners
EVERYTHING_VERSION=2026.8.31
if [ ! -f "$PARTNERS/node_modules/@modelcontextprotocol/server-everything/dist/index.js" ]; then
  command -v npm >/dev/null || { echo "npm is required for the test partners" >&2; exit 1; }
  mkdir -p "$PARTNERS"
  npm install --silent --no-audit --no-fund --prefix "$PARTNERS" \
    "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" >/dev/null
fi

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
if ! have_pg; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
have_pg || { echo "PostgreSQL server binaries are missing after install" >&2; exit 1; }
