"""The FastAPI app: POST /chatkit, GET / (the chat page), GET /health, POST /admin/reload.

`create_app(config)` wires the parts once: the store, the MCP tool registry, the renderer and
the ChatKit server; the app's lifespan opens the store, connects the servers, and keeps the
audit log to its retention. Given the config file's path, it also reloads that file on
SIGHUP, on a change, and on an authorized POST /admin/reload (gateway.reload).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.auth import Authenticator, Unauthenticated
from gateway.calls import ToolCaller
from gateway.config import GatewayConfig
from gateway.endpoint import ChatKitEndpoint
from gateway.errors import ConfigError, StoreUnavailableError
from gateway.mcp.registry import ToolRegistry
from gateway.origin import OriginPolicy
from gateway.planning.sampling import ModelSampler
from gateway.redact import redact_logs
from gateway.reload import ConfigReloader
from gateway.render.renderer import Renderer
from gateway.server import GatewayServer
from gateway.store.audit import AuditLog
from gateway.store.sql import SQLStore
from gateway.web.api import install_api
from gateway.web.page import render_page
from gateway.web.pages import PAGE_HEADERS, render_chat_page, render_inspector_page

STATIC_DIR = Path(__file__).parent / "web" / "static"
"""The chat pane's and the inspector's scripts and styles: plain files, no build step."""
AUDIT_PRUNE_INTERVAL_S = 3600.0
"""How often the audit log is cut to its retention (and once at start)."""
HEALTH_PING_S = 2.0
"""How long /health waits for the store and for each MCP server's ping."""

# uvicorn's own logger: the start-up summary appears with uvicorn's lines, in its format.
logger = logging.getLogger("uvicorn.error")


def _log_servers(registry: ToolRegistry) -> None:
    """One line per MCP server at start: a person sees at once what is up and why not."""
    for status in registry.servers():
        if status.state == "up":
            logger.info(
                "MCP server %s: up over %s, %d tools (protocol %s)",
                status.name, status.transport, status.tool_count, status.protocol_version,
            )  # fmt: skip
        else:
            logger.warning(
                "MCP server %s: %s%s", status.name, status.state, f" ({status.error})" if status.error else ""
            )


def _settle_memory() -> None:
    """Move what start-up built (every module, schema and model class of the SDKs: 240,000
    tracked objects) out of the cyclic collector's reach: a full collection walked them all,
    143 ms on the development machine, landing on whichever request allocated at the time.
    Young collections run every 10,000 allocations, not 700: a 20-row widget allocates
    thousands of objects that refcounting frees, and collecting while they were alive took
    most of its build time (0.85 -> 0.5 ms a build). Cycles made at start-up and dropped
    later (a reload's old renderer) stay frozen: once per process, bounded."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


async def _prune_audit(audit: AuditLog, retention: Callable[[], float]) -> None:
    """Keep the audit log to its retention (as configured now): at start, then every hour."""
    while True:
        retention_days = retention()
        cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=retention_days)
        try:
            removed = await audit.prune(cutoff)
            if removed:
                logger.info("audit log: removed %d entries older than %g days", removed, retention_days)
        except StoreUnavailableError:
            pass  # the store reports its own outage; the next round catches up
        except Exception:
            logger.exception("pruning the audit log failed")
        await anyio.sleep(AUDIT_PRUNE_INTERVAL_S)


@dataclass
class _Live:
    """What a reload changes outside the parts it reconfigures itself."""

    page: str
    chat: str
    inspector: str
    retention_days: float


def create_app(
    config: GatewayConfig, *, config_path: Path | None = None, admin_token: str | None = None
) -> FastAPI:
    """The gateway as an ASGI app; nothing connects until the app starts.

    With `config_path`, the app reloads that file on SIGHUP and when it changes (unless
    `server.watch_config` is off); with `admin_token` too, on POST /admin/reload.
    """
    store = SQLStore(config.store_url())
    redactor = config.redactor()
    registry = ToolRegistry(config.mcp_servers, config_dir=config.config_dir, redactor=redactor)
    caller = ToolCaller(
        registry, Renderer(config.render, config.config_dir), audit=store.audit, redactor=redactor
    )
    server = GatewayServer(store, caller, store.claims)
    server.use_model(config.model, config.client_tools)
    registry.sampler = ModelSampler(config.model) if config.model else None
    registry.resource_updated = server.offerings.watch.updated
    endpoint = ChatKitEndpoint(
        server, Authenticator(config.auth), OriginPolicy(config), config.server.max_body_bytes
    )
    live = _Live(
        page=render_page(config.ui),
        chat=render_chat_page(config.ui),
        inspector=render_inspector_page(config.ui),
        retention_days=config.audit.retention_days,
    )

    def applied(new: GatewayConfig) -> None:
        live.page = render_page(new.ui)
        live.chat = render_chat_page(new.ui)
        live.inspector = render_inspector_page(new.ui)
        live.retention_days = new.audit.retention_days
        server.use_model(new.model, new.client_tools)
        registry.sampler = ModelSampler(new.model) if new.model else None
        redact_logs(new.redactor(), "uvicorn")

    reloader = (
        ConfigReloader(
            config_path, config, registry=registry, caller=caller, endpoint=endpoint, on_applied=applied
        )
        if config_path is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncGenerator[None, None]:
        await store.start()
        try:
            async with registry, anyio.create_task_group() as background:
                _log_servers(registry)
                background.start_soon(_prune_audit, store.audit, lambda: live.retention_days)
                if reloader is not None:
                    await background.start(reloader.run, config.server.watch_config)
                _settle_memory()
                yield
                await server.questions.close()  # parked calls end before their servers do
                await server.offerings.watch.close()
                background.cancel_scope.cancel()
        finally:
            await store.close()

    app = FastAPI(title="MCP ChatKit gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.registry = registry
    app.state.store = store
    app.state.server = server
    app.state.reloader = reloader
    app.state.stopping = False  # set on SIGTERM by `gateway serve`: endless responses end then
    if config.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.server.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
        )
    app.add_api_route("/chatkit", endpoint, methods=["POST"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(live.page)

    @app.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    async def chat() -> HTMLResponse:
        """The gateway's own chat pane (GET / falls back to it)."""
        return HTMLResponse(live.chat, headers=PAGE_HEADERS)

    @app.get("/inspector", response_class=HTMLResponse, include_in_schema=False)
    async def inspector() -> HTMLResponse:
        """Servers, tools, calls taken apart, MCP traffic; its data comes from /api."""
        return HTMLResponse(live.inspector, headers=PAGE_HEADERS)

    install_api(app, endpoint, caller)

    if reloader is not None and admin_token:

        @app.post("/admin/reload", include_in_schema=False)
        async def reload(request: Request) -> JSONResponse:
            """Reload the config file; for `gateway reload`, which reads the token from the runtime dir."""
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), admin_token.encode()):
                return JSONResponse({"error": "a valid admin token is required"}, status_code=401)
            try:
                report = await reloader.reload("gateway reload")
            except ConfigError as exc:
                return JSONResponse({"error": str(exc)}, status_code=422)
            return JSONResponse(report.as_json())

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        """Ready when the store answers; each MCP server's state, checked with an MCP ping.

        With `auth` configured, a caller without credentials learns only whether the gateway
        is up: which servers run, and why one is down, is for its users.
        """

        async def store_check() -> dict[str, Any]:
            try:
                await store.ping(timeout=HEALTH_PING_S)
            except Exception as exc:  # any failure to answer is "not ready", said plainly
                return {"ok": False, "error": redactor(str(exc) or type(exc).__name__)}
            return {"ok": True}

        store_status, answers = await asyncio.gather(store_check(), registry.ping(HEALTH_PING_S))
        servers: list[dict[str, Any]] = []
        for s in registry.servers():
            state, error = s.state, s.error
            if state == "up" and answers.get(s.name) is not None:
                state, error = "unresponsive", answers[s.name]
            servers.append(
                {
                    "name": s.name,
                    "state": state,
                    "transport": s.transport,
                    "tool_count": s.tool_count,
                    "error": error,
                    "protocol_version": s.protocol_version,
                }
            )
        degraded = any(s["state"] != "up" for s in servers if s["state"] != "disabled")
        status = "unavailable" if not store_status["ok"] else "degraded" if degraded else "ok"
        code = 200 if store_status["ok"] else 503
        auth = endpoint.auth
        if auth.enabled:
            try:
                auth.authenticate(request.headers, request.client.host if request.client else None)
            except Unauthenticated:
                return JSONResponse({"status": status}, status_code=code)
        return JSONResponse({"status": status, "store": store_status, "servers": servers}, status_code=code)

    return app
