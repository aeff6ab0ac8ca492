"""`python -m mcp_servers.todo`: the todo MCP server over stdio, streamable HTTP or SSE."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from mcp_servers.todo.server import build_server

DEFAULT_DB = Path("data/todo.db")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m mcp_servers.todo", description="The todo MCP server.")
    parser.add_argument(
        "--transport",
        choices=["stdio", "http", "sse"],
        default="stdio",
        help="stdio (default), http (streamable HTTP at /mcp) or sse (at /sse)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP/SSE host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP/SSE port (default 8765)")
    parser.add_argument("--db", type=Path, help="SQLite file (default: $TODO_DB, else ./data/todo.db)")
    args = parser.parse_args(argv)
    # stdout carries the protocol over stdio: everything else goes to stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db = args.db or Path(os.environ.get("TODO_DB") or DEFAULT_DB)
    try:
        server = build_server(db)
    except OSError as exc:  # e.g. the database's folder cannot be created
        parser.exit(2, f"todo: cannot use database {db}: {exc.strerror or exc}\n")
    if args.transport == "stdio":
        server.run()
    elif args.transport == "http":
        server.run("streamable-http", host=args.host, port=args.port, streamable_http_path="/mcp")
    else:
        server.run("sse", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
