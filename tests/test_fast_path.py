"""The endpoint's fast path answers exactly as the SDK's own process() does, minus the per-request adapter."""

from __future__ import annotations

import json
from pathlib import Path

from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult

from gateway import protocol
from gateway.calls import ToolCaller
from gateway.config.render import RenderConfig
from gateway.mcp.registry import ToolRegistry
from gateway.render.renderer import Renderer
from gateway.server import GatewayServer
from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore
from tests.support.gateway import user_input

ROOT = Path(__file__).resolve().parent.parent


def test_the_pinned_sdk_still_has_the_handlers_the_fast_path_reuses() -> None:
    # If an SDK upgrade renames them, process() silently falls back to the slow path: this test
    # makes the upgrade visible instead.
    assert protocol._FAST_PATH


async def test_fast_path_and_sdk_process_give_the_same_answers(tmp_path: Path) -> None:
    async with (
        SQLStore(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}") as store,
        ToolRegistry({}) as registry,
    ):
        server = GatewayServer(store, ToolCaller(registry, Renderer(RenderConfig(), ROOT)), store.claims)
        context = RequestContext(user_id="u1")
        created = await server.process(
            json.dumps({"type": "threads.create", "params": {"input": user_input("/tools")}}),
            context,
        )
        assert isinstance(created, StreamingResult)
        events = [json.loads(chunk[6:]) async for chunk in created]
        thread_id = events[0]["thread"]["id"]

        for request in (
            {"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
            {"type": "threads.list", "params": {}},
            {"type": "items.list", "params": {"thread_id": thread_id}},
        ):
            body = json.dumps(request)
            fast = await server.process(body, context)
            stock = await ChatKitServer.process(server, body, context)
            assert isinstance(fast, NonStreamingResult) and isinstance(stock, NonStreamingResult)
            assert fast.json == stock.json
