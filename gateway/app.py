"""The FastAPI app: POST /chatkit, GET / (the chat page), GET /health.

`create_app(config)` wires the parts once: the store, the MCP tool registry, the renderer and
the ChatKit server; the app's lifespan opens the store and connects the servers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.auth import Authenticator
from gateway.calls import ToolCaller
from gateway.config import GatewayConfig
from gateway.endpoint import ChatKitEndpoint
from gateway.mcp.registry import ToolRegistry
from gateway.render.renderer import Renderer
from gateway.server import GatewayServer
from gateway.store.sql import SQLStore
from gateway.web.page import render_page

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


def create_app(config: GatewayConfig) -> FastAPI:
    """The gateway as an ASGI app; nothing connects until the app starts."""
    store = SQLStore(config.store_url())
    registry = ToolRegistry(config.mcp_servers, config_dir=config.config_dir)
    caller = ToolCaller(registry, Renderer(config.render, config.config_dir))
    server = GatewayServer(store, caller)
    endpoint = ChatKitEndpoint(server, Authenticator(config.auth), config.server.max_body_bytes)
    page = render_page(config.ui)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await store.start()
        try:
            async with registry:
                _log_servers(registry)
                yield
        finally:
            await store.close()

    app = FastAPI(title="MCP ChatKit gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.registry = registry
    app.state.store = store
    app.state.server = server
    if config.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.server.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
        )
    app.add_api_route("/chatkit", endpoint, methods=["POST"], include_in_schema=False)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/health")
    async def health() -> JSONResponse:
        """Ready when the store answers; each MCP server's state and tool count."""
        store_status: dict[str, Any] = {"ok": True}
        try:
            await store.ping(timeout=2.0)
        except Exception as exc:  # any failure to answer is "not ready", said plainly
            store_status = {"ok": False, "error": str(exc) or type(exc).__name__}
        servers = [
            {
                "name": s.name,
                "state": s.state,
                "transport": s.transport,
                "tool_count": s.tool_count,
                "error": s.error,
                "protocol_version": s.protocol_version,
            }
            for s in registry.servers()
        ]
        degraded = any(s["state"] != "up" for s in servers if s["state"] != "disabled")
        status = "unavailable" if not store_status["ok"] else "degraded" if degraded else "ok"
        body = {"status": status, "store": store_status, "servers": servers}
        return JSONResponse(body, status_code=200 if store_status["ok"] else 503)

    return app
