"""Real results from MCP servers nobody here wrote, and the widgets the gateway makes of them (see README.md)."""
