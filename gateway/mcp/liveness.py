"""Whether the servers that are up still answer: the health check's liveness probe."""

from __future__ import annotations

from collections.abc import Iterable

import anyio
from mcp import Client
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from gateway.mcp.supervisor import ServerSupervisor
from gateway.redact import Redactor


async def ping_servers(
    servers: Iterable[ServerSupervisor], timeout: float, redact: Redactor
) -> dict[str, str | None]:
    """Check every server that is up, concurrently: its name → None if it answered, else why not.

    Handshake-era servers get an MCP `ping`; the 2026-07-28 protocol removed it, so those
    are asked for the first page of their tools, the cheapest request every server serves.
    """
    answers: dict[str, str | None] = {}

    async def one(server: ServerSupervisor, client: Client) -> None:
        answers[server.name] = f"did not answer within {timeout:g} s"
        with anyio.move_on_after(timeout):
            try:
                if client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                    await client.list_tools()
                else:
                    await client.session.send_ping()
                answers[server.name] = None
            except Exception as exc:
                answers[server.name] = redact(f"a liveness check failed: {exc}")

    async with anyio.create_task_group() as tasks:
        for server in servers:
            if server.state == "up" and server.client is not None:
                tasks.start_soon(one, server, server.client)
    return answers
