"""`/api/...`: the JSON endpoints behind the inspector, in FastAPI's OpenAPI schema.

Every route is guarded exactly like POST /chatkit: the same origin policy (403), the same
authentication (401 with `WWW-Authenticate: Bearer`), and a POST takes only a JSON body
(415). Errors come back as `{"error": "<sentence>"}`, as they do from /chatkit.

- `GET /api/servers`: each server's status, transport, protocol version, what it said of
  itself in the handshake, and its recent output.
- `GET /api/tools`: each tool with its title, annotations and schemas;
  `GET /api/tools/{tool}/form`: the form the gateway builds from its input schema.
- `POST /api/tools/{tool}/call`: call it and take the call apart (`gateway.inspector`).
- `GET /api/traffic`: the MCP traffic log, filtered; `GET /api/traffic/live`: the same, as
  server-sent events while it happens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal, cast

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from gateway.calls import ToolCaller
from gateway.endpoint import SSE_HEADERS, ChatKitEndpoint, Refused
from gateway.errors import UnknownToolError
from gateway.inspector import inspect_call
from gateway.store.context import RequestContext
from gateway.vocabulary.tools import ServerDetails, ToolInfo

LIVE_HEARTBEAT_S = 15.0
"""A comment line this often keeps an idle live stream open through proxies."""
LIVE_POLL_S = 0.5
"""How often an idle live stream looks whether the gateway is stopping (it then ends at once)."""

logger = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    error: str = Field(description="What was wrong, in a sentence.")


class ServerView(BaseModel):
    name: str
    state: Literal["connecting", "up", "down", "disabled"]
    transport: str = Field(description="stdio, streamable-http or sse")
    endpoint: str = Field(description="The command line or URL (credentials redacted)")
    protocol_version: str | None
    tool_count: int
    error: str | None = Field(description="Why the server is down, in a sentence")
    server_info: dict[str, Any] | None = Field(description="What the server said of itself in the handshake")
    capabilities: dict[str, Any] | None = Field(description="The capabilities the server declared")
    instructions: str | None
    recent_output: list[str] = Field(description="A stdio server's last lines on stderr (for auth.admins)")


class ToolView(BaseModel):
    qualified: str = Field(description="`server.tool`: how slash commands and rules name it")
    server: str
    name: str
    model_name: str = Field(description="The function name a model calls it by")
    title: str | None
    description: str
    annotations: dict[str, Any] | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None


class WidgetView(BaseModel):
    widget: dict[str, Any] = Field(description="ChatKit widget JSON")
    copy_text: str
    chosen_by: str


class CallRequest(BaseModel):
    arguments: dict[str, Any] | None = Field(
        default=None, description="Typed arguments; with `input`, the form's fixed values"
    )
    input: dict[str, Any] | None = Field(
        default=None, description="What the tool's form submitted (its `input.*` fields), coerced as a form's"
    )
    confirmed: bool = Field(default=False, description="Required to call a tool marked destructive")


class OutputCheckView(BaseModel):
    declared: bool
    valid: bool | None
    problems: list[dict[str, str]]


class CallView(BaseModel):
    tool: str
    arguments: dict[str, Any]
    problems: dict[str, str] = Field(description="What is wrong with the arguments; nothing was called")
    called: bool
    request: Any = Field(description="The JSON-RPC request as sent")
    response: Any = Field(description="The JSON-RPC response as received")
    result: Any = Field(description="The MCP CallToolResult")
    error: str | None = Field(description="Why the call produced no result")
    output_check: OutputCheckView
    widget: dict[str, Any] | None
    copy_text: str | None
    chosen_by: str | None = Field(description="Which rule, template or generic path made the widget")
    timings: dict[str, float] = Field(description="Milliseconds: validate, call, server, render, total")


class TrafficEntryView(BaseModel):
    seq: int
    server: str
    connection: int = Field(
        description="Which connection to the server carried it (a reconnect is a new one)"
    )
    at: float
    direction: Literal["out", "in"] = Field(description="out: gateway to server; in: server to gateway")
    kind: Literal["request", "response", "error", "notification"]
    method: str | None
    id: str | int | None
    duration_ms: float | None = Field(description="For a response: the time since its request")
    size: int
    message: Any = Field(description="The JSON-RPC message (null when it was too long to keep whole)")
    text: str | None = Field(description="The kept start of a message too long to keep whole")
    truncated: bool


class TrafficPage(BaseModel):
    entries: list[TrafficEntryView]
    last_seq: int = Field(description="Ask again with `after` set to this for what comes next")


def _guard(request: Request) -> RequestContext:
    """As POST /chatkit (the same check, `ChatKitEndpoint.admit`); a POST's body must be declared
    JSON. Runs before any body is read (`install_api` set the endpoint)."""
    return _endpoint(request).admit(request, json_body=request.method == "POST")


def _admin(request: Request, user: Annotated[RequestContext, Depends(_guard)]) -> RequestContext:
    """The guard, and the caller may see every user's traffic (`auth.admins`)."""
    if not _endpoint(request).auth.is_admin(user):
        raise Refused(
            403,
            f"the MCP traffic log shows every user's calls: user {user.user_id!r} is not in auth.admins",
        )
    return user


def _endpoint(request: Request) -> ChatKitEndpoint:
    return cast(ChatKitEndpoint, request.app.state.chatkit_endpoint)


User = Annotated[RequestContext, Depends(_guard)]
"""The caller, once the request passed the guard."""
Admin = Annotated[RequestContext, Depends(_admin)]
"""The caller, who may see every user's traffic."""


def install_api(app: FastAPI, endpoint: ChatKitEndpoint, caller: ToolCaller) -> None:
    """Add the `/api` routes to `app`, guarded by `endpoint`'s origin policy and authentication
    (read at each request: a reload that changes `auth` applies at once)."""
    app.state.chatkit_endpoint = endpoint

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:  # pyright: ignore[reportUnusedFunction]
        return exc.response()

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (401, 403, 404, 409, 415)
    }
    router = APIRouter(prefix="/api", tags=["inspector"], responses=errors)
    registry = caller.registry

    def tool_named(name: str) -> ToolInfo:
        try:
            return registry.resolve(name)
        except UnknownToolError:
            raise Refused(404, f"no tool named {name!r}: GET /api/tools lists them") from None

    @router.get(
        "/servers",
        summary="Each MCP server: status, handshake, recent output (the output for auth.admins only)",
    )
    async def servers(user: User) -> list[ServerView]:  # pyright: ignore[reportUnusedFunction]
        admin = endpoint.auth.is_admin(user)
        return [_server_view(d, with_output=admin) for d in registry.details()]

    @router.get("/tools", summary="Each tool with its title, annotations and schemas")
    async def tools(_user: User) -> list[ToolView]:  # pyright: ignore[reportUnusedFunction]
        return [
            ToolView.model_validate(caller.redact.value(_tool_view(t).model_dump())) for t in registry.tools()
        ]

    @router.get("/tools/{tool}/form", summary="The form the gateway builds from the tool's input schema")
    async def form(tool: str, _user: User) -> WidgetView:  # pyright: ignore[reportUnusedFunction]
        rendered = caller.renderer.form(tool_named(tool))
        widget = caller.redact.value(rendered.widget.model_dump(mode="json", exclude_none=True))
        return WidgetView(widget=widget, copy_text=rendered.copy_text, chosen_by=rendered.chosen_by)

    @router.post(
        "/tools/{tool}/call",
        summary="Call a tool and show the raw exchange beside the widget it renders as",
        response_model=CallView,
        responses={
            400: {"model": ErrorBody},
            413: {"model": ErrorBody},
            422: {"model": CallView, "description": "The arguments have problems: nothing was called"},
            502: {"model": ErrorBody},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": CallRequest.model_json_schema()}},
            }
        },
    )
    async def call(tool: str, request: Request, user: User) -> CallView | JSONResponse:  # pyright: ignore[reportUnusedFunction]
        info = tool_named(tool)
        body = await _call_request(request, endpoint.max_body_bytes)
        if info.destructive and not body.confirmed:
            raise Refused(
                409, f"{info.qualified} is marked destructive: send confirmed: true to call it anyway"
            )
        try:
            report = await inspect_call(
                caller, info, user_id=user.user_id, arguments=body.arguments, form_input=body.input
            )
        except Exception as exc:  # the chat would show an error card; here the caller reads a sentence
            logger.exception("the inspector's call of %s failed", info.qualified)
            raise Refused(502, caller.redact(f"calling {info.qualified} failed: {exc}")) from None
        # Masked as everything the gateway reports (the output check ran on what the server sent).
        view = CallView.model_validate(caller.redact.value(report.as_json()))
        if report.problems:  # the report still shows them, on the form they came from
            return JSONResponse(view.model_dump(mode="json"), status_code=422)
        return view

    @router.get("/traffic", summary="Recent MCP messages per server, filtered, oldest first")
    async def traffic(  # pyright: ignore[reportUnusedFunction]
        _user: Admin,
        server: str | None = None,
        method: Annotated[str | None, Query(description="Part of the method name")] = None,
        kind: Literal["request", "response", "error", "notification"] | None = None,
        q: Annotated[str | None, Query(description="Text the message contains")] = None,
        after: Annotated[int, Query(ge=0, description="Only entries after this sequence number")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> TrafficPage:
        log = registry.traffic
        found = log.entries(server=server, method=method, kind=kind, text=q, after=after, limit=limit)
        return TrafficPage(
            entries=[TrafficEntryView.model_validate(e.as_json(log.redactor)) for e in found],
            last_seq=log.last_seq(),
        )

    @router.get(
        "/traffic/live",
        summary="MCP messages as they pass, as server-sent events (one TrafficEntry per `data:` line)",
        response_class=StreamingResponse,
    )
    async def live(  # pyright: ignore[reportUnusedFunction]
        request: Request,
        _user: Admin,
        server: str | None = None,
        method: str | None = None,
        kind: Literal["request", "response", "error", "notification"] | None = None,
        q: str | None = None,
    ) -> StreamingResponse:
        log = registry.traffic

        async def events() -> AsyncIterator[bytes]:
            async with log.follow() as follower:
                # Subscribed before the first line: a client that has read it misses nothing after.
                yield f": following the MCP traffic log after {log.last_seq()}\n\n".encode()
                quiet_since = anyio.current_time()
                while not getattr(request.app.state, "stopping", False):
                    for entry in await follower.take(LIVE_POLL_S):
                        if entry.matches(
                            server=server, method=method, kind=kind, text=q, redactor=log.redactor
                        ):
                            data = json.dumps(entry.as_json(log.redactor), separators=(",", ":"))
                            yield f"data: {data}\n\n".encode()
                            quiet_since = anyio.current_time()
                    if anyio.current_time() - quiet_since >= LIVE_HEARTBEAT_S:
                        quiet_since = anyio.current_time()
                        yield b": idle\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)

    app.include_router(router)


async def _call_request(request: Request, limit: int) -> CallRequest:
    """The body of a call, read only after the guard and never past `limit` bytes."""
    body = await ChatKitEndpoint.read_body_of(request, limit)
    if body is None:
        raise Refused(413, f"the request body is larger than {limit} bytes")
    try:
        return CallRequest.model_validate_json(body or b"{}")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
            for e in exc.errors(include_url=False)[:3]
        )
        raise Refused(400, f"not a valid call: {problems}") from None


def _server_view(details: ServerDetails, *, with_output: bool) -> ServerView:
    status = details.status
    return ServerView(
        name=status.name,
        state=status.state,
        transport=status.transport,
        endpoint=details.endpoint,
        protocol_version=status.protocol_version,
        tool_count=status.tool_count,
        error=status.error,
        server_info=details.server_info,
        capabilities=details.capabilities,
        instructions=details.instructions,
        recent_output=details.recent_output if with_output else [],
    )


def _tool_view(tool: ToolInfo) -> ToolView:
    annotations = tool.annotations
    return ToolView(
        qualified=tool.qualified,
        server=tool.server,
        name=tool.name,
        model_name=tool.model_name,
        title=tool.title,
        description=tool.description,
        annotations=annotations.model_dump(by_alias=True, mode="json", exclude_none=True)
        if annotations
        else None,
        input_schema=tool.input_schema,
        output_schema=tool.output_schema,
    )
