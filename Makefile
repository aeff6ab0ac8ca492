# The two commands: `make run` starts the gateway on config.yaml, `make test` passes the tests.
# Both set everything up first, on a bare machine as on a used one.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
CONFIG ?= config.yaml

.PHONY: run test check bench test-deps clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: $(STAMP)
	$(PY) -m gateway serve --config $(CONFIG) --host $(HOST) --port $(PORT)

# Test partners that are not Python packages (npm MCP servers, PostgreSQL) come from
# the project's own script, never from a hand install.
test-deps:
	bash scripts/test-deps.sh

test: $(STAMP) test-deps
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(VENV)/bin/ruff format --check gateway mcp_servers tests bench
	$(VENV)/bin/ruff check gateway mcp_servers tests bench
	$(VENV)/bin/pyright --project pyproject.toml

bench: $(STAMP) test-deps
	$(PY) -m bench

clean:
	rm -rf $(VENV) .cache
