"""Record the corpus: start each server on fresh fixtures, list its tools, run its cases.

    .venv/bin/python -m tests.corpus.record [--server NAME ...]

Writes `results/<server>/_tools.json` (the tools as listed) and `results/<server>/<case>.json`
(the tool's definition, the arguments and the CallToolResult as the SDK dumps it). Paths under
the temporary fixture root are written as PLACEHOLDER; see cases.py for the rest of what is
normalized. The client answers what the servers ask as a person would, always the same way:
sampling with a fixed message, forms with fixed values, roots with the workspace.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientRequestContext
from mcp.types import (
    CallToolResult,
    CreateMessageRequestParams,
    CreateMessageResult,
    ElicitRequestFormParams,
    ElicitRequestParams,
    ElicitResult,
    ListRootsResult,
    Root,
    TextContent,
    Tool,
)

from gateway.mcp.tasks import call_as_task, runs_as_task
from tests.corpus import fixtures
from tests.corpus.cases import CASES, SERVERS, Case, Server, cases_of
from tests.corpus.fixtures import PLACEHOLDER

RESULTS = Path(__file__).resolve().parent / "results"
CALL_TIMEOUT_S = 60

TOOL_FIELDS = ("name", "title", "description", "inputSchema", "outputSchema", "annotations", "execution")


def localize(value: Any, root: Path) -> Any:
    """PLACEHOLDER in every string → the real fixture root."""
    return _replace(value, PLACEHOLDER, str(root))


def anonymize(value: Any, root: Path) -> Any:
    """The real fixture root in every string → PLACEHOLDER."""
    return _replace(value, str(root), PLACEHOLDER)


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {_replace(k, old, new): _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    return value


def dump_tool(tool: Tool) -> dict[str, Any]:
    """A listed tool as recorded (the fields the gateway reads)."""
    dumped = tool.model_dump(by_alias=True, mode="json", exclude_none=True)
    return {k: dumped[k] for k in TOOL_FIELDS if k in dumped}


def dump_result(result: CallToolResult) -> dict[str, Any]:
    """A CallToolResult as the SDK dumps it."""
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


# -- what the client answers ---------------------------------------------------------------


def answers(root: Path) -> dict[str, Any]:
    """Client callbacks (they also declare the capabilities, as the gateway's do)."""

    async def sample(_ctx: ClientRequestContext, params: CreateMessageRequestParams) -> CreateMessageResult:
        return CreateMessageResult(
            role="assistant",
            content=TextContent(type="text", text="Teal. (a fixed answer from the corpus recorder)"),
            model="corpus-fixed-model",
            stop_reason="endTurn",
        )

    async def elicit(_ctx: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        if not isinstance(params, ElicitRequestFormParams):
            return ElicitResult(action="accept")
        properties = dict(params.requested_schema).get("properties", {})
        return ElicitResult(action="accept", content={k: sample_value(v) for k, v in properties.items()})

    async def roots(_ctx: ClientRequestContext) -> ListRootsResult:
        workspace = root / "workspace"
        return ListRootsResult(roots=[Root(uri=workspace.as_uri(), name="workspace")])  # pyright: ignore[reportArgumentType]

    return {"sampling_callback": sample, "elicitation_callback": elicit, "list_roots_callback": roots}


def sample_value(schema: dict[str, Any]) -> Any:
    """A fixed value a person might type into a field of this schema."""
    if "default" in schema:
        return schema["default"]
    options = schema.get("enum") or [o.get("const") for o in schema.get("oneOf", []) if "const" in o]
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        choices = items.get("enum") or [o.get("const") for o in items.get("anyOf", items.get("oneOf", []))]
        return choices[:2]
    if options:
        return options[0]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("minimum", 7)
    return {"email": "ada@corpus.example", "uri": "https://corpus.example/", "date": "1815-12-10"}.get(
        schema.get("format", ""), "Ada Lovelace"
    )


# -- recording -------------------------------------------------------------------------------


async def record_server(server: Server, root: Path, out: Path) -> list[str]:
    """Run one server's cases; write its files under `out`; the problems met, in words."""
    params = StdioServerParameters(
        command=server.command,
        args=localize(list(server.args), root),
        env=localize(dict(server.env), root) or None,
        cwd=str(root),
    )
    problems: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    with anyio.fail_after(CALL_TIMEOUT_S * 4):
        async with Client(params, **answers(root)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            listed = anonymize([dump_tool(t) for t in tools.values()], root)
            write_json(out / "_tools.json", listed)
            for case in cases_of(server.name):
                tool = tools.get(case.tool)
                if tool is None:
                    problems.append(f"{server.name}/{case.name}: the server lists no tool {case.tool}")
                    continue
                try:
                    result = await call(client, server.name, tool, localize(case.arguments, root))
                except Exception as exc:
                    problems.append(f"{server.name}/{case.name}: the call raised {exc!r}")
                    continue
                write_json(out / f"{case.name}.json", recording(case, tool, result, root))
    return problems


async def call(client: Client, server: str, tool: Tool, arguments: dict[str, Any]) -> CallToolResult:
    """The call as the gateway makes it: as an MCP task when the tool wants one."""
    support = (tool.execution.task_support if tool.execution else None) or "forbidden"
    with anyio.fail_after(CALL_TIMEOUT_S):
        if runs_as_task(client, support):
            return await call_as_task(client, server, tool.name, arguments, report=lambda _state: None)
        return await client.call_tool(tool.name, arguments)


def recording(case: Case, tool: Tool, result: CallToolResult, root: Path) -> dict[str, Any]:
    """What one case's file holds."""
    dumped = anonymize(dump_result(result), root)
    if case.normalize is not None:
        dumped = case.normalize(dumped)
    return {
        "server": case.server,
        "case": case.name,
        "tool": anonymize(dump_tool(tool), root),
        "arguments": case.arguments,
        "result": dumped,
    }


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


async def record(names: list[str]) -> list[str]:
    """Record the named servers (each on its own fresh fixtures); the problems met."""
    problems: list[str] = []
    for name in names:
        root = Path(tempfile.mkdtemp(prefix="corpus-")).resolve()
        try:
            fixtures.build(root)
            out = RESULTS / name
            for stale in out.glob("*.json"):
                stale.unlink()
            started = time.monotonic()
            problems += await record_server(SERVERS[name], root, out)
            print(
                f"{name}: {len(cases_of(name))} cases in {time.monotonic() - started:.1f} s", file=sys.stderr
            )
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.corpus.record", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--server", action="append", choices=list(SERVERS), help="only this server (repeatable)"
    )
    args = parser.parse_args(argv)
    names = args.server or list(SERVERS)
    problems = anyio.run(record, names)
    for problem in problems:
        print(problem, file=sys.stderr)
    recorded = sum(1 for c in CASES if c.server in names) - len(problems)
    print(f"recorded {recorded} cases of {len(names)} servers into {RESULTS}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
