"""How a server's tools and prompts are found: listed page by page, and watched for changes.

`list_tools` follows `next_cursor` (bounded, so a paginator that never ends cannot hang
discovery), keeps the first listing of a name, and applies the config's allow/deny filter;
`list_prompts` keeps the first `MAX_PROMPTS` (the catalog shows them, a prompt runs by them).
`listen_for_changes` follows a 2026-07-28 server's `subscriptions/listen` stream; a server of
the handshake era announces changes with a notification instead (the supervisor's message
handler hears it), and the listener simply ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from mcp import Client
from mcp.client.subscriptions import ListenNotSupportedError
from mcp.shared.exceptions import MCPError
from mcp.types import CONNECTION_CLOSED, Prompt, Tool

from gateway.config.servers import ToolFilter

logger = logging.getLogger(__name__)

_MAX_PAGES = 1000  # a paginator that never ends must not hang discovery
MAX_PROMPTS = 200


async def list_tools(client: Client, allowed: ToolFilter) -> list[Tool]:
    """Every tool the server lists that `allowed` lets through, the first listing of a name winning."""
    tools: list[Tool] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(_MAX_PAGES):
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor or cursor in seen:
            break
        seen.add(cursor)
    unique = {t.name: t for t in reversed(tools)}  # the first listing of a name wins
    return [unique[t.name] for t in tools if allowed.allows(t.name) and unique[t.name] is t]


async def list_prompts(client: Client) -> list[Prompt]:
    """The server's prompts (none when it declares no prompts capability), up to MAX_PROMPTS."""
    if client.server_capabilities.prompts is None:
        return []
    prompts: list[Prompt] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        page = await client.list_prompts(cursor=cursor)
        prompts += page.prompts
        cursor = page.next_cursor
        if not cursor or len(prompts) >= MAX_PROMPTS:
            break
    return prompts[:MAX_PROMPTS]


async def listen_for_changes(
    client: Client,
    server: str,
    changed: Callable[[], None],
    retry_delay: float,
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Call `changed` whenever the server says its tools or prompts changed; started once listening (or
    once it is clear the server offers no `subscriptions/listen`)."""
    started = False

    def ready() -> None:
        nonlocal started
        if not started:
            started = True
            task_status.started()

    while True:
        try:
            async with client.listen(tools_list_changed=True, prompts_list_changed=True) as subscription:
                ready()
                async for _event in subscription:
                    changed()
        except ListenNotSupportedError:
            ready()
            return  # handshake era: the notification reaches the message handler instead
        except MCPError as exc:
            if exc.code != CONNECTION_CLOSED:
                logger.info("MCP server %s does not offer subscriptions/listen: %s", server, exc)
            ready()
            return
        except Exception as exc:  # the stream dropped: listen again (a dead connection ends this task)
            logger.info("MCP server %s: listen stream ended: %s", server, exc)
        ready()
        await anyio.sleep(retry_delay)
