"""The floor for `bench.cli_start`: a small script that makes the MCP call `gateway call` makes.

    .venv/bin/python -m bench.cli_script --db TODO_DB [--id 1]

Starts the todo server over stdio with the SDK's `mcp.Client`, calls `get_task {"id": ID}` and
prints the structured result as JSON, as `gateway call todo.get_task --args '{"id": ID}'` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent


async def call(db: str, task_id: int) -> int:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_servers.todo", "--db", db], cwd=str(ROOT)
    )
    async with Client(params) as client:
        result = await client.call_tool("get_task", {"id": task_id})
    if result.is_error:
        print(f"error: {result.content}", file=sys.stderr)
        return 1
    print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--db", required=True, help="the todo server's database file")
    parser.add_argument("--id", type=int, default=1, help="the task to get (default 1)")
    args = parser.parse_args()
    sys.exit(anyio.run(call, args.db, args.id))


if __name__ == "__main__":
    main()
