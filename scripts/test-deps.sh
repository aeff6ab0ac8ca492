#!/usr/bin/env bash
# Installs what the tests need beyond Python packages, idempotently:
#  - npm MCP servers used as test partners (nobody here wrote them), under .cache/partners
#  - Debian's PostgreSQL server binaries (the tests start a throwaway cluster themselves)
#  - Debian's Chromium, the real browser the page tests drive headless
set -euo pipefail
cd "$(dirname "$0")/.."

PARTNERS=.cache/partners
# Pinned npm MCP servers (name@version); each is installed unless its entry file is there.
NPM_PARTNERS=(
  "@modelcontextprotocol/server-everything@2026.8.31"
  "@modelcontextprotocol/server-filesystem@2026.8.31"
  "@modelcontextprotocol/server-memory@2026.8.31"
  "@modelcontextprotocol/server-sequential-thinking@2026.8.31"
)
wanted=()
for spec in "${NPM_PARTNERS[@]}"; do
  [ -f "$PARTNERS/node_modules/${spec%@*}/dist/index.js" ] || wanted+=("$spec")
done
if [ ${#wanted[@]} -gt 0 ]; then
  command -v npm >/dev/null || { echo "npm is required for the test partners" >&2; exit 1; }
  mkdir -p "$PARTNERS"
  npm install --silent --no-audit --no-fund --prefix "$PARTNERS" "${wanted[@]}" >/dev/null
fi

have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
missing=()
have_pg || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
have_pg || { echo "PostgreSQL server binaries are missing after install" >&2; exit 1; }
command -v chromium >/dev/null 2>&1 || { echo "chromium is missing after install" >&2; exit 1; }
