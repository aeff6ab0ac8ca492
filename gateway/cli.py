"""The command line: serve · check · reload · tools · call · audit.

A thin layer over the same config, registry and app the server uses (like uvicorn's main).
A user's mistake is one line on stderr and a non-zero exit, never a traceback:
0 ok, 1 a tool or server failed, 2 the command line or the config is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import anyio
from mcp.types import CallToolResult

from gateway import cli_output as output
from gateway import cli_servers, runtime, safe_json
from gateway.config import GatewayConfig, load_config
from gateway.errors import (
    ConfigError,
    InvalidArgumentsError,
    StoreUnavailableError,
    ToolCallError,
)
from gateway.redact import redact_logs
from gateway.vocabulary.json import is_object
from gateway.vocabulary.names import TypedName, read_name
from gateway.vocabulary.tools import ToolInfo

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by the commands that use it
    from gateway.store.audit import AuditEntry

OK, FAILED, USAGE = 0, 1, 2
RELOAD_TIMEOUT_S = 120.0
"""How long `reload` waits for a gateway: it answers once the new servers have connected or failed."""
CALL_CONNECT_TIMEOUT_S = 30.0
"""How long `call` waits for the tool's server to connect (the registry's default)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the return value is the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        _error(str(exc))
        return USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mcp-chatkit-gateway", description="A ChatKit chat UI for any MCP server."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Any, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--config", default="config.yaml", metavar="FILE", help="default: config.yaml")
        sub.set_defaults(run=run)
        return sub

    serve = command("serve", _serve, "run the gateway (HTTP)")
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    command("check", _check, "validate the config file and exit")
    reload = command("reload", _reload, "make the running gateways serving the config file reload it")
    reload.add_argument("--port", type=int, help="only the gateway on this port")
    tools = command("tools", _tools, "connect to the MCP servers and list their tools")
    tools.add_argument("--json", action="store_true", help="machine-readable output")
    tools.add_argument(
        "--timeout",
        type=float,
        default=cli_servers.ANSWER_WAIT_S,
        metavar="SECONDS",
        help=f"how long to wait for each server to answer (default: {cli_servers.ANSWER_WAIT_S:g};"
        " a server's own smaller `timeout` wins)",
    )
    call = command("call", _call, "call one tool and print its result")
    call.add_argument(
        "tool",
        metavar="SERVER.TOOL",
        help='server.tool (or a tool name unique across servers); a name with spaces as server."my tool"',
    )
    call.add_argument(
        "--args", default="{}", metavar="JSON", help="the arguments as a JSON object, e.g. '{\"id\": 1}'"
    )
    audit = command("audit", _audit, "print the record of MCP calls the gateway made, oldest first")
    audit.add_argument(
        "--since",
        metavar="WHEN",
        help="a UTC date or time (2026-11-30, 2026-11-30T09:00) or an age (30m, 12h, 7d)",
    )
    audit.add_argument("--user", help="only this user's calls")
    audit.add_argument("--limit", type=int, metavar="N", help="at most N entries (the newest N)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


# -- commands ---------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app

    config_file = Path(args.config)
    config = load_config(config_file)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    with contextlib.ExitStack() as stack:
        token: str | None = None
        try:  # so that `gateway reload` finds this process
            token = stack.enter_context(runtime.announced(config_file, args.host, args.port)).token
        except OSError as exc:
            logging.getLogger(__name__).warning("`gateway reload` cannot reach this gateway: %s", exc)
        app = create_app(config, config_path=config_file, admin_token=token)

        class Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: FrameType | None) -> None:
                app.state.stopping = True  # endless responses (the live traffic log) end now
                super().handle_exit(sig, frame)

        server = Server(
            uvicorn.Config(
                app,
                host=args.host,
                port=args.port,
                log_level=args.log_level,
                # The peer address must be the TCP peer: auth trusts a user header only from the
                # configured proxies, so X-Forwarded-For may not rewrite who the peer is.
                proxy_headers=False,
                timeout_graceful_shutdown=config.server.shutdown_grace,
            )
        )
        redact_logs(config.redactor(), "uvicorn")  # after uvicorn set up its own handlers
        server.run()
    return OK


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    print(f"{args.config}: ok: {config.redactor()(output.summary(config))}")
    return OK


def _reload(args: argparse.Namespace) -> int:
    import urllib.error  # here: every other command would pay for http.client's import
    import urllib.parse
    import urllib.request

    config_file = Path(args.config)
    load_config(config_file)  # an invalid file is refused here, with its key paths, as the gateway would
    targets = [
        g for g in runtime.running(config_file) if args.port in (None, urllib.parse.urlsplit(g.url).port)
    ]
    if not targets:
        _error(
            f"no running gateway serves {config_file.resolve()}; start one with: gateway serve --config {args.config}"
        )
        return FAILED
    status = OK
    for gateway in targets:
        request = urllib.request.Request(
            f"{gateway.url}/admin/reload", method="POST", headers={"Authorization": f"Bearer {gateway.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=RELOAD_TIMEOUT_S) as answer:
                report = json.loads(answer.read())
            print(f"{gateway.url} (pid {gateway.pid}): {report['summary']}")
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:  # not our JSON answer: whatever listens there is not this gateway
                detail = exc.reason
            _error(f"{gateway.url} (pid {gateway.pid}) refused the reload: {detail}")
            status = USAGE if exc.code == 422 else FAILED
        except (OSError, ValueError) as exc:
            _error(f"{gateway.url} (pid {gateway.pid}) did not answer: {exc}")
            status = FAILED
    return status


def _tools(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not args.timeout > 0:
        _error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
        return USAGE
    _quiet(config)

    def show(answer: cli_servers.Answer) -> None:  # each server as it answers, not all at the end
        if not args.json:
            print(output.server_block(answer.status, answer.tools, answered=answer.answered), flush=True)

    answers = anyio.run(_discover, config, args.timeout, show)
    if args.json:
        servers = [asdict(a.status) for a in answers]
        tools = [output.tool_json(t) for a in answers for t in a.tools]
        print(json.dumps({"servers": servers, "tools": tools}, indent=2))
    elif not answers:
        print("no MCP servers configured")
    return OK if all(a.status.state in ("up", "disabled") for a in answers) else FAILED


def _call(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        arguments = safe_json.loads(args.args)
    except ValueError as exc:
        problem = str(exc)
        _error(f"--args is {problem}" if problem.startswith("not valid JSON") else f"--args: {problem}")
        return USAGE
    if not is_object(arguments):
        _error(f"--args must be a JSON object of named arguments, got {type(arguments).__name__}")
        return USAGE
    typed = TypedName(args.tool)  # as the shell gave it: `todo.my tool` works, as `todo."my tool"` does
    if '"' in args.tool:
        try:
            typed, rest = read_name(args.tool.strip())
            problem = f"{rest!r} follows the name" if rest else None
        except ValueError as exc:
            problem = str(exc)
        if problem:
            _error(f"{args.tool} cannot be read as a tool name: {problem}")
            return USAGE
    _quiet(config)
    try:
        tool, result = anyio.run(_call_tool, config, typed, arguments)
    except InvalidArgumentsError as exc:
        _error(f"invalid arguments for {exc.tool} (nothing was called):")
        for field, problem in exc.problems.items():
            print(f"  {field or '(arguments)'}: {problem}", file=sys.stderr)
        return USAGE
    except ToolCallError as exc:
        _error(str(exc))
        return FAILED
    if result.is_error:
        _error(f"{tool.qualified} answered with an error: {output.text(result) or '(no message)'}")
        return FAILED
    print(output.render(result))
    return OK


def _audit(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        _error(str(exc))
        return USAGE
    if args.limit is not None and args.limit < 1:
        _error(f"--limit must be a positive number, got {args.limit}")
        return USAGE
    _quiet(config)
    try:
        entries = anyio.run(_read_audit, config, since, args.user, args.limit)
    except (ConnectionError, StoreUnavailableError) as exc:
        _error(config.redactor()(str(exc)))
        return FAILED
    for entry in entries:
        print(json.dumps(audit_json(entry), ensure_ascii=False) if args.json else audit_line(entry))
    return OK


# -- helpers ----------------------------------------------------------------------------------


async def _read_audit(
    config: GatewayConfig, since: datetime | None, user: str | None, limit: int | None
) -> list[AuditEntry]:
    from gateway.store.sql import SQLStore

    store = await SQLStore.create(config.store_url())
    try:
        return await store.audit.entries(since=since, user=user, limit=limit)
    finally:
        await store.close()


def parse_since(text: str) -> datetime:
    """A naive UTC instant from `2026-11-30`, `2026-11-30T09:00[Z]`, or an age such as `30m`, `12h`, `7d`."""
    age = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw])", text.strip())
    now = datetime.now(UTC).replace(tzinfo=None)
    if age:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[age.group(2)]
        return now - timedelta(**{unit: float(age.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since {text!r} is neither a date or time (2026-11-30, 2026-11-30T09:00) nor an age (30m, 12h, 7d)"
        ) from None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry as a JSON object (times in UTC, with a Z)."""
    data = asdict(entry)
    data["at"] = entry.at.isoformat(timespec="milliseconds") + "Z"
    return data


def audit_line(entry: AuditEntry) -> str:
    """One audit entry as a line: when, who, what, how it ended, how long, how it was asked."""
    at = entry.at.isoformat(timespec="seconds") + "Z"
    parts = [at, entry.user_id, f"{entry.server}.{entry.tool}", entry.outcome, f"{entry.duration_ms:.1f}ms"]
    parts.append(f"via {entry.via}" + (f" (confirmed by {entry.confirmed_by})" if entry.confirmed_by else ""))
    parts.append(json.dumps(entry.arguments, ensure_ascii=False))
    if entry.detail:
        parts.append("— " + entry.detail.splitlines()[0][:200])
    return "  ".join(parts)


async def _discover(
    config: GatewayConfig, timeout: float, show: Callable[[cli_servers.Answer], None]
) -> list[cli_servers.Answer]:
    bounds = cli_servers.bounds(config.mcp_servers, timeout)
    async with cli_servers.running(config.mcp_servers, config, connect_timeout=timeout) as registry:
        return await cli_servers.answers(registry, bounds, show)


async def _call_tool(
    config: GatewayConfig, typed: TypedName, arguments: dict[str, Any]
) -> tuple[ToolInfo, CallToolResult]:
    async def progress(done: float, total: float | None, message: str | None) -> None:
        of = f"/{total:g}" if total is not None else ""
        print(f"progress {done:g}{of}{f': {message}' if message else ''}", file=sys.stderr)

    servers = cli_servers.needed_for(typed, config.mcp_servers)  # only the tool's server, when named
    bounds = cli_servers.bounds(servers, cli_servers.ANSWER_WAIT_S) if len(servers) > 1 else {}
    async with cli_servers.running(servers, config, connect_timeout=CALL_CONNECT_TIMEOUT_S) as registry:
        tool = await cli_servers.resolve(registry, typed, bounds, CALL_CONNECT_TIMEOUT_S)
        return tool, await registry.call(tool, arguments, progress=progress)


def _quiet(config: GatewayConfig) -> None:
    """Down servers are reported in the output: their log lines would only repeat it."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    redact_logs(config.redactor())


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
