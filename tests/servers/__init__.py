"""Small MCP servers written for the registry's tests (run as `python -m tests.servers.<name>`)."""
