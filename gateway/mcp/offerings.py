"""MCP prompts and resources: getting, reading, listing resources and completing, through the
registry (which keeps each server's prompts listed, as it does its tools).

Every function takes the registry (anything with `client_for`, `servers` and `redact`) and a
server name, asks that server's live client, and turns every failure into an `OfferingError`
whose message is a sentence a person can read ("server todo offers no prompts", "everything
could not read demo://x: Resource not found"). Listings are paged by cursor up to a cap.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import (
    GetPromptResult,
    Prompt,
    PromptReference,
    ReadResourceResult,
    Resource,
    ResourceTemplate,
)

from gateway.errors import ServerUnavailableError
from gateway.vocabulary.tools import ServerStatus

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 30.0
"""How long one request for prompts or resources may take."""
COMPLETION_TIMEOUT_S = 3.0
MAX_PAGES = 10
MAX_ITEMS = 200
"""A listing stops after this many pages or items; the rest is offered behind a cursor."""

Capability = Literal["prompts", "resources", "completions"]
_T = TypeVar("_T")
_P = TypeVar("_P")


class OfferingError(Exception):
    """A request for prompts or resources failed; the message says why, in a sentence."""


class Offerer(Protocol):
    """What these functions need of the registry."""

    async def client_for(self, server: str) -> Client:
        """The live client of `server`; ServerUnavailableError when there is none."""
        ...

    def servers(self) -> list[ServerStatus]:
        """Every configured server's state, in config order."""
        ...

    def redact(self, text: str) -> str:
        """`text` with the configuration's secrets masked."""
        ...

    def prompts(self) -> dict[str, list[Prompt]]:
        """The prompts of the servers that are up, as their supervisors last listed them."""
        ...


@dataclass(frozen=True)
class ResourcePage:
    """A server's resources (up to the cap) and templates, with the cursor of what is left."""

    resources: list[Resource] = field(default_factory=list[Resource])
    templates: list[ResourceTemplate] = field(default_factory=list[ResourceTemplate])
    next_cursor: str | None = None
    more_templates: bool = False


def up_servers(registry: Offerer) -> list[str]:
    """The names of the servers that are up, in config order."""
    return [s.name for s in registry.servers() if s.state == "up"]


def supports(client: Client, capability: Capability) -> bool:
    """Whether the server declared `capability` in its handshake."""
    try:
        capabilities = client.server_capabilities
    except Exception:  # not connected (any more)
        return False
    return getattr(capabilities, capability, None) is not None


async def _client(registry: Offerer, server: str, capability: Capability) -> Client:
    try:
        client = await registry.client_for(server)
    except ServerUnavailableError as exc:
        raise OfferingError(f"Server {server} is not available: {registry.redact(str(exc))}") from None
    if not supports(client, capability):
        raise OfferingError(f"Server {server} offers no {capability}.")
    return client


async def _ask(
    registry: Offerer, server: str, doing: str, request: Callable[[], Awaitable[_T]], timeout: float
) -> _T:
    """Run one request, its failures as an OfferingError saying what `doing` failed and why."""
    try:
        with anyio.fail_after(timeout):
            return await request()
    except TimeoutError:
        raise OfferingError(f"{server} did not answer within {timeout:g} s while {doing}.") from None
    except MCPError as exc:
        message = registry.redact(exc.error.message)
        raise OfferingError(f"{server} refused {doing}: {message} (MCP error {exc.code}).") from None
    except Exception as exc:
        logger.warning("%s: %s failed: %r", server, doing, exc)
        first = registry.redact(str(exc).split("\n", 1)[0] or type(exc).__name__)
        raise OfferingError(f"{server} failed {doing}: {first}.") from None


# -- prompts -------------------------------------------------------------------------------------


async def get_prompt(registry: Offerer, server: str, name: str, arguments: dict[str, str]) -> GetPromptResult:
    """The prompt's messages, rendered by the server with `arguments`."""
    client = await _client(registry, server, "prompts")
    return await _ask(
        registry,
        server,
        f"the prompt {name}",
        lambda: client.get_prompt(name, arguments or None),
        REQUEST_TIMEOUT_S,
    )


async def prompt_suggestions(
    registry: Offerer, server: str, prompt: Prompt, values: dict[str, str]
) -> dict[str, tuple[list[str], bool]]:
    """Completions for each of the prompt's arguments: argument → (values, complete?).

    Empty when the server has no `completions` capability; an argument whose completion fails
    is left out (suggestions are a help, never a reason to fail).
    """
    try:
        client = await registry.client_for(server)
    except ServerUnavailableError:
        return {}
    if not supports(client, "completions") or not prompt.arguments:
        return {}
    found: dict[str, tuple[list[str], bool]] = {}
    ref = PromptReference(type="ref/prompt", name=prompt.name)

    async def one(argument: str) -> None:
        context = {k: v for k, v in values.items() if k != argument and v}
        try:
            with anyio.fail_after(COMPLETION_TIMEOUT_S):
                result = await client.complete(
                    ref, {"name": argument, "value": values.get(argument, "")}, context or None
                )
        except Exception as exc:
            logger.debug("no completions for %s.%s(%s): %r", server, prompt.name, argument, exc)
            return
        completion = result.completion
        if completion.values:
            complete = not completion.has_more and (
                completion.total is None or completion.total <= len(completion.values)
            )
            found[argument] = (list(completion.values), complete)

    async with anyio.create_task_group() as tasks:
        for argument in prompt.arguments:
            tasks.start_soon(one, argument.name)
    return found


# -- resources -----------------------------------------------------------------------------------


async def list_resources(registry: Offerer, server: str, cursor: str | None = None) -> ResourcePage:
    """`server`'s resources from `cursor` on (paged, up to the cap); on a first page, its templates too."""
    client = await _client(registry, server, "resources")
    resources, left = await _paged(
        registry, server, "listing its resources", client.list_resources, lambda p: p.resources, cursor
    )
    if cursor is not None:  # templates come with the first page, not with "More"
        return ResourcePage(resources, [], left)
    try:
        templates, more = await _paged(
            registry,
            server,
            "listing its resource templates",
            client.list_resource_templates,
            lambda p: p.resource_templates,
        )
    except OfferingError as exc:  # some servers list resources but no templates
        logger.debug("%s", exc)
        templates, more = [], None
    return ResourcePage(resources, templates, left, more_templates=more is not None)


async def _paged(
    registry: Offerer,
    server: str,
    doing: str,
    fetch: Callable[..., Awaitable[_P]],
    items: Callable[[_P], Sequence[_T]],
    cursor: str | None = None,
) -> tuple[list[_T], str | None]:
    """Pages of `fetch(cursor=...)` up to the caps: the items, and the cursor of what is left."""
    found: list[_T] = []
    for _ in range(MAX_PAGES):
        page = await _ask(registry, server, doing, lambda c=cursor: fetch(cursor=c), REQUEST_TIMEOUT_S)
        found += items(page)
        cursor = getattr(page, "next_cursor", None)
        if not cursor or len(found) >= MAX_ITEMS:
            break
    return found, cursor


async def read_resource(registry: Offerer, server: str, uri: str) -> ReadResourceResult:
    """The contents of `uri`, read from `server` (fresh, not from the client's cache)."""
    client = await _client(registry, server, "resources")
    return await _ask(
        registry,
        server,
        f"reading {uri}",
        lambda: client.read_resource(uri, cache_mode="bypass"),
        REQUEST_TIMEOUT_S,
    )


def template_matches(template: str, uri: str) -> bool:
    """Whether `uri` could come from the RFC 6570 `template` (``{x}`` one path segment, ``{+x}`` anything)."""
    pattern = ""
    for literal, expression in re.findall(r"([^{]*)(\{[^}]*\}|$)", template):
        pattern += re.escape(literal)
        if expression.startswith("{+") or expression.startswith("{#"):
            pattern += ".*"
        elif expression.startswith("{?") or expression.startswith("{&"):
            pattern += r"(?:[?&].*)?"
        elif expression:
            pattern += "[^/?#]*"
    return re.fullmatch(pattern, uri) is not None


async def servers_for_uri(registry: Offerer, uri: str, servers: Sequence[str] | None = None) -> list[str]:
    """The servers that may hold `uri`: those listing it, then those whose templates match it."""
    listing: list[str] = []
    matching: list[str] = []
    for server in servers if servers is not None else up_servers(registry):
        try:
            page = await list_resources(registry, server)
        except OfferingError:
            continue
        if any(r.uri == uri for r in page.resources):
            listing.append(server)
        elif any(template_matches(t.uri_template, uri) for t in page.templates):
            matching.append(server)
    return listing + matching
